// Starts JobScope's serve mode as a user would (the built CLI) and hands its printed URL to the test; and
// the steps many tests share, done through the UI as a user would.
import { expect, test as base, type Locator, type Page } from '@playwright/test';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import WebSocket from 'ws';
import type { AppState, ClientFrame, CommandReply, ServerFrame } from '../electron/contract';

const cli = path.join(__dirname, '..', 'dist', 'electron', 'serve', 'cli.js');

interface Served {
  url: string;
  /** What the server wrote to stderr so far (it is also passed on to the test's stderr). */
  stderr(): string;
}

export const test = base.extend<{
  dataHomeSize: string | null;
  dataHome: string;
  serveEnv: Record<string, string>;
  served: Served;
  serveUrl: string;
}>({
  // Set (e.g. '64k') to put the data folder on a tmpfs of that size, so a test can fill it (needs root).
  dataHomeSize: [null, { option: true }],
  // Its own per-user data folder (recordings), so each test starts with none and leaves none behind.
  dataHome: async ({ dataHomeSize }, use) => {
    const dataHome = mkdtempSync('/tmp/jobscope-e2e-');
    if (dataHomeSize) execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${dataHomeSize}`, 'tmpfs', dataHome]);
    await use(dataHome);
    if (dataHomeSize) execFileSync('umount', [dataHome]);
    rmSync(dataHome, { recursive: true, force: true });
  },
  /** More environment for the server, e.g. a lowered limit: `test.use({ serveEnv: {...} })`. */
  serveEnv: [{}, { option: true }],
  served: async ({ dataHome, serveEnv }, use) => {
    const server: ChildProcess = spawn(process.execPath, [cli, '--interval', '500'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, XDG_DATA_HOME: dataHome, ...serveEnv },
    });
    let stderr = '';
    server.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      server.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(output);
        if (match) resolve(match[0]);
      });
      server.once('exit', (code) => reject(new Error(`serve mode exited with ${code} before printing its URL:\n${output}`)));
    });
    await use({ url, stderr: () => stderr });
    await removeCreatedJobs(url);
    server.kill('SIGTERM');
    await once(server, 'exit');
  },
  serveUrl: async ({ served }, use) => use(served.url),
});

export { expect };

/**
 * Terminates and closes, through the server's own WebSocket, the jobs the test created and left open (a
 * failed test never reaches its own Terminate and Close), so no cgroup or load generator outlives the run.
 * Opened jobs are left alone: their processes are not ours.
 */
async function removeCreatedJobs(pageUrl: string): Promise<void> {
  const url = new URL(pageUrl);
  const ws = new WebSocket(`ws://${url.host}/ws?token=${url.searchParams.get('token')}`, { origin: url.origin });
  await once(ws, 'open');
  let nextId = 1;
  const replies = new Map<number, (reply: CommandReply) => void>();
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as ServerFrame;
    if ('id' in frame) replies.get(frame.id)?.(frame.reply);
  });
  const invoke = (command: ClientFrame['command']) =>
    new Promise<CommandReply>((resolve) => {
      const id = nextId++;
      replies.set(id, resolve);
      ws.send(JSON.stringify({ id, command } satisfies ClientFrame));
    });
  try {
    const state = await invoke({ type: 'getState' });
    const created = state.ok ? (state.result as AppState).jobs.filter((job) => job.created) : [];
    for (const job of created) {
      await invoke({ type: 'terminateJob', jobId: job.id });
      const deadline = Date.now() + 10_000;
      while (!(await invoke({ type: 'closeJob', jobId: job.id })).ok && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    ws.close();
  }
}

/**
 * Creates a job with the New job dialog and waits for its view; `fill` sets more of the dialog (limits)
 * before Create. Returns the job view's title.
 */
export async function createJobInUi(page: Page, name: string, fill?: (dialog: Locator) => Promise<void>): Promise<Locator> {
  await page.getByRole('button', { name: 'New job' }).click();
  const dialog = page.getByRole('dialog', { name: 'New job' });
  await dialog.getByLabel('Name').fill(name);
  await fill?.(dialog);
  await dialog.getByRole('button', { name: 'Create' }).click();
  const title = page.getByRole('heading', { level: 2, name: new RegExp(`^${name}\\b`) });
  await expect(title).toBeVisible();
  return title;
}

/** The pid a toast announces, e.g. "Launched sleep as pid 123", once the toast shows. */
export async function pidFromToast(page: Page, pattern: RegExp): Promise<number> {
  const toast = page.getByRole('status').filter({ hasText: pattern });
  await expect(toast).toBeVisible();
  return Number(pattern.exec((await toast.textContent())!)![1]);
}

/** Starts the load generator in the shown job with the dialog's fields by label; returns its pid. */
export async function startLoadgen(page: Page, fields: Record<string, string>, grow = false): Promise<number> {
  await page.getByRole('button', { name: 'Load generator' }).click();
  const dialog = page.getByRole('dialog', { name: /^Load generator in/ });
  for (const [label, value] of Object.entries(fields)) await dialog.getByLabel(label, { exact: true }).fill(value);
  if (grow) await dialog.getByLabel('Grow memory by that much every second').check();
  await dialog.getByRole('button', { name: 'Start' }).click();
  await expect(dialog).toBeHidden();
  return pidFromToast(page, /Started the load generator as pid (\d+)/);
}

/** Clicks a download button (e.g. Export JSON) and returns the file's suggested name and text. */
export async function downloaded(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
  return { name: file.suggestedFilename(), text: readFileSync((await file.path())!, 'utf8') };
}
