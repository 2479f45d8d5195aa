// `npm start`: the desktop app where Electron's binary is installed, serve mode in a browser otherwise.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { serve } from './serve/cli';

/** The Electron executable's path, or undefined when the package's binary was never downloaded. */
function electronBinary(): string | undefined {
  try {
    // Under plain Node the electron package exports the path of its binary, and throws when it is missing.
    const binary: unknown = require('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

const binary = electronBinary();
if (binary) {
  const child = spawn(binary, [path.join(__dirname, 'main.js')], { stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  console.log(
    "Electron's binary is not installed (run `node node_modules/electron/install.js` where it can be downloaded); serving JobScope for your browser instead.",
  );
  void serve(process.argv.slice(2));
}
