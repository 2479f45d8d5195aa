// A burst bigger than the renderer keeps: 600 short-lived processes (native/test/swarm.c) make 1203
// notifications, every one reaches the page, and the log panel says exactly how many older ones it no longer
// holds, before and after a reload (when they come back from the service's history).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './serve-fixture';

test('the notification log says how many older notifications it dropped', async ({ page, serveUrl }) => {
  test.setTimeout(180_000);
  // Made here, not at load: Playwright loads spec files in more than one process.
  const tmp = mkdtempSync('/tmp/jobscope-e2e-dropped-');
  try {
    await burstAndCheck(page, serveUrl, tmp);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

async function burstAndCheck(page: Page, serveUrl: string, tmp: string): Promise<void> {
  const swarm = path.join(tmp, 'swarm');
  execFileSync('cc', ['-O2', '-o', swarm, path.join(__dirname, '..', 'native', 'test', 'swarm.c')]);
  const jobName = `e2e-dropped-${process.pid}`;
  await page.goto(serveUrl);
  await page.getByRole('button', { name: 'New job' }).click();
  const create = page.getByRole('dialog', { name: 'New job' });
  await create.getByLabel('Name').fill(jobName);
  await create.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('heading', { level: 2, name: new RegExp(`^${jobName}\\b`) })).toBeVisible();

  await page.getByRole('button', { name: 'Launch program' }).click();
  const launch = page.getByRole('dialog', { name: /^Launch a program/ });
  await launch.getByLabel('Command').fill(swarm);
  await launch.getByLabel('Arguments').fill(`burst 600 ${path.join(tmp, 'ready')}`);
  await launch.getByRole('button', { name: 'Launch' }).click();
  const log = page.getByRole('table', { name: 'Notifications' });
  await expect(log).toContainText('no active processes', { timeout: 120_000 });
  // 601 joins, 601 exits (the swarm's too) and one "no active processes"; the renderer keeps 1000.
  const dropped = page.getByTestId('log-dropped');
  await expect(dropped).toHaveText('203 older notifications of this job were dropped to bound memory: this log keeps the newest 1000.');
  await expect(page.getByLabel('Kind')).toContainText('All kinds (1000)');

  await page.reload();
  await page.getByRole('navigation', { name: 'Jobs' }).getByRole('button', { name: new RegExp(`^${jobName} live\\b`) }).click();
  await expect(log).toContainText('no active processes');
  await expect(dropped).toHaveText('203 older notifications of this job were dropped to bound memory: this log keeps the newest 1000.');
  await page.getByRole('button', { name: 'Close job' }).click();
  await expect(page.getByRole('heading', { level: 2, name: new RegExp(`^${jobName}\\b`) })).toBeHidden();
}
