import path from 'node:path';

/** The built renderer, beside the compiled main process (dist/electron -> dist/renderer). */
export const rendererDir = path.join(__dirname, '..', 'renderer');

/** The load generator compiled beside the main process (dist/electron/loadgen/loadgen.js). */
export const loadgenScript = path.join(__dirname, 'loadgen', 'loadgen.js');
