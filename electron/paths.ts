import path from 'node:path';

/** The built renderer, beside the compiled main process (dist/electron -> dist/renderer). */
export const rendererDir = path.join(__dirname, '..', 'renderer');
