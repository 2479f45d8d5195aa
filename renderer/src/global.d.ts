// What the Electron preload script exposes (contextBridge). Absent in serve mode, where the renderer talks
// to the service over a WebSocket instead.
import type { CommandReply, ServiceEvent } from '../../electron/contract';

export interface JobScopeBridge {
  /** Sends one command to the main process; resolves with the service's reply (never rejects on a command error). */
  invoke(command: unknown): Promise<CommandReply>;
  /** Subscribes to pushed service events; returns the unsubscribe function. */
  onEvent(listener: (e: ServiceEvent) => void): () => void;
}

declare global {
  interface Window {
    jobscope?: JobScopeBridge;
  }
}

export {};
