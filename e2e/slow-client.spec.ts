// A tab that stops reading (its main thread stopped in the debugger, as a hung tab's is; Chromium's page
// freezing does not stop a WebSocket from reading) while its job streams samples: serve mode closes
// its WebSocket once more than its buffer limit waits unread (lowered here, so that a few seconds of samples
// of a 2000-member swarm exceed it), and the exits that follow are never queued for it. When the tab wakes
// it reconnects, says why and that it resynced, and shows those exits from the reloaded history.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createJobInUi, expect, pidFromToast, test } from './serve-fixture';

test.use({ serveEnv: { JOBSCOPE_WS_BUFFER_LIMIT: String(256 * 1024) } });

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('a tab that fell behind is closed, reconnects and gets the jobs and their history back', async ({ page, serveUrl, served }) => {
  test.setTimeout(120_000);
  // Made here, not at load: Playwright loads spec files in more than one process.
  const tmp = mkdtempSync('/tmp/jobscope-e2e-slow-');
  let swarmPid: number | undefined;
  try {
    const swarm = path.join(tmp, 'swarm');
    execFileSync('cc', ['-O2', '-o', swarm, path.join(__dirname, '..', 'native', 'test', 'swarm.c')]);
    const jobName = `e2e-slow-${process.pid}`;
    await page.goto(serveUrl);
    const title = await createJobInUi(page, jobName);
    await page.getByRole('button', { name: 'Launch program' }).click();
    const launch = page.getByRole('dialog', { name: /^Launch a program/ });
    await launch.getByLabel('Command').fill(swarm);
    const ready = path.join(tmp, 'ready');
    await launch.getByLabel('Arguments').fill(`hold 2000 ${ready}`);
    await launch.getByRole('button', { name: 'Launch' }).click();
    swarmPid = await pidFromToast(page, /Launched \S+ as pid (\d+)/);
    await expect.poll(() => existsSync(ready), { timeout: 60_000 }).toBe(true);
    await page.getByLabel('Sample every').selectOption('250');

    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Debugger.enable');
    await cdp.send('Debugger.pause');
    await expect.poll(() => served.stderr(), { timeout: 60_000 }).toMatch(/closed the WebSocket of \S+: it left [\d.]+ MiB unread \(close code 4000\)/);
    // Every member exits now: the server queues none of it for the closed tab.
    process.kill(swarmPid, 'SIGUSR1');
    await expect.poll(() => alive(swarmPid!), { timeout: 30_000 }).toBe(false);
    await cdp.send('Debugger.resume');
    const resumed = Date.now();

    const toast = page.getByRole('status').filter({ hasText: 'Reconnected and reloaded the jobs and their history.' });
    // First the tab works through what was queued for it before the close (samples of 2000 members each).
    await expect(toast).toContainText('The connection to the JobScope service was lost (client fell too far behind on events; reconnect to resync).', {
      timeout: 30_000,
    });
    test.info().annotations.push({ type: 'resynced', description: `${Date.now() - resumed} ms after the tab resumed` });
    await expect(page.getByRole('status', { name: 'Connection' })).toContainText('Connected');
    await expect(title).toBeVisible();
    const log = page.getByRole('table', { name: 'Notifications' });
    await expect(log).toContainText(`pid ${swarmPid} exited with code 0`);
    await expect(log).toContainText('no active processes');
    swarmPid = undefined;
    await page.getByRole('button', { name: 'Close job' }).click();
    await expect(title).toBeHidden();
  } finally {
    if (swarmPid !== undefined && alive(swarmPid)) process.kill(swarmPid, 'SIGKILL'); // its children die with it
    rmSync(tmp, { recursive: true, force: true });
  }
});
