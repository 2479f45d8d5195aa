import { homedir } from 'node:os';
import path from 'node:path';

/** The built renderer, beside the compiled main process (dist/electron -> dist/renderer). */
export const rendererDir = path.join(__dirname, '..', 'renderer');

/** The load generator compiled beside the main process (dist/electron/loadgen/loadgen.js). */
export const loadgenScript = path.join(__dirname, 'loadgen', 'loadgen.js');

/**
 * JobScope's per-user data folder. Both the desktop app and serve mode take it from here (not from
 * Electron's app.getPath), so a recording made in one opens in the other.
 */
export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(homedir(), 'AppData', 'Local'), 'JobScope');
  if (platform === 'darwin') return path.join(homedir(), 'Library', 'Application Support', 'JobScope');
  // XDG base directories: an empty or relative XDG_DATA_HOME is to be ignored.
  const dataHome = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(homedir(), '.local', 'share');
  return path.join(dataHome, 'jobscope');
}

/** Where recordings are written and opened from. */
export const recordingsDir = (): string => path.join(userDataDir(), 'recordings');
