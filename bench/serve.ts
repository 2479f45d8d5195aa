// Serve mode as a user runs it (the built CLI), a WebSocket client speaking its contract, and Chromium.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import WebSocket from 'ws';
import type { CommandReply, ServerFrame } from '../electron/contract';
import { deadline, isLinux, onCleanup } from './lib';

const cli = path.join(__dirname, '..', 'dist', 'electron', 'serve', 'cli.js');

export interface Serve {
  url: string;
  pid: number;
  /** Sends one command over its own WebSocket and returns the reply's result (throws on an error reply). */
  command<T = unknown>(command: object): Promise<T>;
  stop(): Promise<void>;
}

export async function startServe(intervalMs: number): Promise<Serve> {
  const proc = spawn(process.execPath, [cli, '--interval', String(intervalMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stopProc = onCleanup(async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM'); // serve mode's shutdown closes its (empty) jobs
    await Promise.race([once(proc, 'exit'), deadline(5000)]);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/\S+\/\?token=\S+/.exec(output);
      if (match) resolve(match[0]);
    });
    proc.once('exit', (code) => reject(new Error(`serve mode exited (${code}) before printing its URL:\n${output}`)));
  });
  const socket = new WebSocket(url.replace(/^http:/, 'ws:').replace('/?token=', '/ws?token='));
  await once(socket, 'open');
  const pending = new Map<number, (reply: CommandReply) => void>();
  let nextId = 1;
  socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as ServerFrame;
    if ('id' in frame) pending.get(frame.id)?.(frame.reply);
  });
  return {
    url,
    pid: proc.pid!,
    async command<T>(command: object): Promise<T> {
      const id = nextId++;
      const reply = await new Promise<CommandReply>((resolve) => {
        pending.set(id, resolve);
        socket.send(JSON.stringify({ id, command }));
      });
      pending.delete(id);
      if (!reply.ok) throw new Error(`${(command as { type: string }).type}: ${reply.error}`);
      return reply.result as T;
    },
    async stop() {
      socket.close();
      await stopProc();
    },
  };
}

/** The Chromium the browser rows drive: CHROMIUM_PATH, else Debian's; undefined when there is none. */
export function chromiumPath(): string | undefined {
  const file = process.env.CHROMIUM_PATH ?? (isLinux ? '/usr/bin/chromium' : undefined);
  return file !== undefined && existsSync(file) ? file : undefined;
}

export async function launchChromium(): Promise<{ browser: Browser; page: Page; stop: () => Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const stop = onCleanup(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  // tsx compiles this bench with esbuild's keepNames, which wraps named functions in __name(fn, "name")
  // calls, also inside the functions handed to page.evaluate(); the page has no __name, so every such
  // evaluate threw "ReferenceError: __name is not defined". A no-op __name in every document fixes that.
  // (A string, not a function: a function passed here would be wrapped the same way.)
  await page.addInitScript({ content: 'globalThis.__name = (target) => target;' });
  return { browser, page, stop };
}

/** Opens the UI, waits for the connection, and selects the named job in the sidebar. */
export async function openJobInUi(page: Page, url: string, jobName: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Connected' }).waitFor();
  await page.locator('.job-item', { hasText: jobName }).click();
  await page.getByRole('heading', { level: 2, name: new RegExp(`^${jobName}\\b`) }).waitFor();
}

/** Offset of the page's clock (timeOrigin + now) from ours, taken from the quickest of several round trips. */
export async function pageClockOffset(page: Page): Promise<number> {
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < 15; i++) {
    const before = performance.timeOrigin + performance.now();
    const theirs = await page.evaluate(() => performance.timeOrigin + performance.now());
    const after = performance.timeOrigin + performance.now();
    if (after - before < best.rtt) best = { rtt: after - before, offset: theirs - (before + after) / 2 };
  }
  return best.offset;
}
