// The one typed API object the UI talks to. Its transport is the Electron preload bridge when present,
// otherwise a WebSocket to the serve-mode server on the page's own host.
import type {
  ClientFrame,
  CommandOf,
  CommandReply,
  CommandResults,
  CommandType,
  ServerFrame,
  ServiceEvent,
} from '../../electron/contract';

export type ConnectionState = 'connecting' | 'open' | 'waiting' | 'unavailable';

export interface ConnectionStatus {
  transport: 'ipc' | 'websocket';
  state: ConnectionState;
  /** 'waiting': when the next reconnect attempt starts (ms since the epoch). */
  retryAt?: number;
  /** Why the last connection ended or could not be made, in words. */
  reason?: string;
}

export interface JobScopeApi {
  invoke<T extends CommandType>(command: CommandOf<T>): Promise<CommandResults[T]>;
  subscribe(listener: (e: ServiceEvent) => void): () => void;
  status(): ConnectionStatus;
  /** Called on every status change; returns the unsubscribe function. */
  onStatus(listener: (s: ConnectionStatus) => void): () => void;
}

function unwrap<T extends CommandType>(reply: CommandReply): CommandResults[T] {
  if (reply.ok) return reply.result as CommandResults[T];
  throw new Error(reply.error);
}

function ipcApi(bridge: NonNullable<Window['jobscope']>): JobScopeApi {
  const status: ConnectionStatus = { transport: 'ipc', state: 'open' };
  return {
    async invoke<T extends CommandType>(command: CommandOf<T>) {
      let reply: CommandReply;
      try {
        reply = await bridge.invoke(command);
      } catch (err) {
        // Electron prefixes errors thrown in the main process: "Error invoking remote method '…': Error: …".
        const text = err instanceof Error ? err.message : String(err);
        throw new Error(text.replace(/^Error invoking remote method '[^']*': (?:\w*Error: )?/, ''));
      }
      return unwrap<T>(reply);
    },
    subscribe: (listener) => bridge.onEvent(listener),
    status: () => status,
    onStatus: () => () => {},
  };
}

interface Pending {
  frame: string;
  sent: boolean;
  resolve: (reply: CommandReply) => void;
  reject: (err: Error) => void;
}

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

function webSocketApi(): JobScopeApi {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${location.host}/ws?token=${encodeURIComponent(token)}`;
  const eventListeners = new Set<(e: ServiceEvent) => void>();
  const statusListeners = new Set<(s: ConnectionStatus) => void>();
  const pending = new Map<number, Pending>();
  let status: ConnectionStatus = { transport: 'websocket', state: 'connecting' };
  let socket: WebSocket | null = null;
  let nextId = 1;
  let failures = 0;
  let retryTimer: number | undefined;

  function setStatus(next: ConnectionStatus): void {
    status = next;
    for (const l of statusListeners) l(status);
  }

  function rejectAll(message: string): void {
    for (const [id, p] of pending) {
      pending.delete(id);
      p.reject(new Error(p.sent ? `${message} The command may or may not have run.` : message));
    }
  }

  function connect(): void {
    retryTimer = undefined;
    if (!location.host) {
      setStatus({ transport: 'websocket', state: 'unavailable', reason: 'This page was not served by JobScope.' });
      return;
    }
    setStatus({ transport: 'websocket', state: 'connecting', reason: status.reason });
    const ws = new WebSocket(url);
    socket = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      failures = 0;
      setStatus({ transport: 'websocket', state: 'open' });
      for (const p of pending.values()) {
        ws.send(p.frame);
        p.sent = true;
      }
    };
    ws.onmessage = (msg) => {
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(msg.data)) as ServerFrame;
      } catch {
        return;
      }
      if ('event' in frame) {
        for (const l of eventListeners) l(frame.event);
      } else if ('id' in frame) {
        const p = pending.get(frame.id);
        if (p) {
          pending.delete(frame.id);
          p.resolve(frame.reply);
        }
      }
    };
    ws.onclose = (ev) => {
      if (socket !== ws) return;
      socket = null;
      const reason = opened
        ? `The connection to the JobScope service was lost${ev.reason ? ` (${ev.reason})` : ''}.`
        : `Could not connect to the JobScope service${ev.reason ? ` (${ev.reason})` : ''}.`;
      rejectAll(reason);
      const delay = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)];
      failures += 1;
      setStatus({ transport: 'websocket', state: 'waiting', retryAt: Date.now() + delay, reason });
      retryTimer = window.setTimeout(connect, delay);
    };
  }

  function reconnectNow(): void {
    if (retryTimer !== undefined) {
      window.clearTimeout(retryTimer);
      connect();
    }
  }
  window.addEventListener('online', reconnectNow);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') reconnectNow();
  });

  connect();

  return {
    invoke<T extends CommandType>(command: CommandOf<T>): Promise<CommandResults[T]> {
      if (!socket) {
        return Promise.reject(new Error('Not connected to the JobScope service; reconnecting.'));
      }
      const id = nextId++;
      const frame: ClientFrame = { id, command };
      return new Promise<CommandReply>((resolve, reject) => {
        const p: Pending = { frame: JSON.stringify(frame), sent: false, resolve, reject };
        pending.set(id, p);
        if (socket?.readyState === WebSocket.OPEN) {
          socket.send(p.frame);
          p.sent = true;
        }
      }).then((reply) => unwrap<T>(reply));
    },
    subscribe(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    status: () => status,
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
  };
}

export function createApi(): JobScopeApi {
  return window.jobscope ? ipcApi(window.jobscope) : webSocketApi();
}
