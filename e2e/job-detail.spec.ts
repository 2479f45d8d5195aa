// The job detail view against a real load: CPU throttling under a cap, IO rates, notification markers on
// the time axis, the time window (kept across reloads), pausing, the log filter, and freeze/thaw.
import path from 'node:path';
import { createJobInUi, expect, pidFromToast, startLoadgen, test } from './serve-fixture';

const screenshots = path.join(__dirname, 'screenshots');

test('watch a capped, writing load; pause, filter, freeze and thaw it', async ({ page, serveUrl }) => {
  test.setTimeout(60_000);
  const jobName = `e2e-detail-${process.pid}`;
  await page.goto(serveUrl);
  await createJobInUi(page, jobName, async (create) => {
    await create.getByLabel('CPU limit').selectOption({ label: 'Cap (% of all CPUs)' });
    await create.getByLabel('CPU cap (% of all CPUs)').fill('10');
  });

  await page.getByLabel('Time window').selectOption({ label: '1 minute' });
  const pid = await startLoadgen(page, { 'CPU load (% of one CPU)': '100', 'Memory (MiB)': '0', 'Disk writes (KiB/s)': '512' });

  const cpu = page.getByRole('figure', { name: 'CPU' });
  const io = page.getByRole('figure', { name: 'IO' });
  await expect(cpu.getByRole('img', { name: new RegExp(`NEW_PROCESS: pid ${pid} joined the job`) })).toHaveCount(1);
  await expect(cpu.locator('.legend')).toContainText('throttled');
  await expect(io.locator('.chart-now')).not.toHaveText(/^(—|0 B\/s)$/, { timeout: 10_000 });
  await expect(page.getByRole('figure', { name: 'Active processes' }).locator('.chart-now')).toHaveText('1');
  await expect(cpu.locator('.chart-now')).not.toHaveText('—');
  // A young job's seconds-wide axis labels each tick once, as hh:mm:ss (mm:ss read as a time of day).
  const timeTicks = cpu.locator('svg text').filter({ hasText: /^\d\d:\d\d(:\d\d)?$/ });
  await expect.poll(() => timeTicks.count()).toBeGreaterThan(1);
  const tickTexts = await timeTicks.allTextContents();
  for (const text of tickTexts) expect(text).toMatch(/^\d\d:\d\d:\d\d$/);
  expect(new Set(tickTexts).size).toBe(tickTexts.length);
  await page.screenshot({ path: path.join(screenshots, 'job-detail.png') });
  // At 1400x900 the actions fit on one row beside the title.
  const toolbar = (await page.getByRole('toolbar', { name: 'Job actions' }).boundingBox())!;
  const title = (await page.getByRole('heading', { level: 2, name: new RegExp(`^${jobName}\\b`) }).boundingBox())!;
  expect(toolbar.y).toBeLessThan(title.y + title.height);
  expect(toolbar.height).toBeLessThan(2 * (await page.getByRole('button', { name: 'Terminate' }).boundingBox())!.height);

  // Paused, the view ignores a newcomer; resumed, it shows what was buffered meanwhile.
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('note').filter({ hasText: 'Paused at' })).toBeVisible();
  await page.getByRole('button', { name: 'Launch program' }).click();
  const launch = page.getByRole('dialog', { name: /^Launch a program/ });
  await launch.getByLabel('Command').fill('sleep');
  await launch.getByLabel('Arguments').fill('30');
  await launch.getByRole('button', { name: 'Launch' }).click();
  const sleeper = await pidFromToast(page, /Launched sleep as pid (\d+)/);
  const members = page.getByRole('table', { name: /Member processes/ });
  const sleeperRow = members.getByRole('row', { name: new RegExp(`^${sleeper}\\b`) });
  await expect(page.getByRole('heading', { name: 'Member processes (1)' })).toBeVisible();
  await expect(sleeperRow).toHaveCount(0);
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(sleeperRow).toBeVisible();

  const log = page.getByRole('table', { name: 'Notifications' });
  await page.getByLabel('Kind').selectOption({ label: 'NEW_PROCESS (2)' });
  await expect(log.getByRole('row')).toHaveCount(3);

  await page.getByRole('button', { name: 'Freeze' }).click();
  await expect(page.getByRole('heading', { level: 2 }).getByText('frozen')).toBeVisible();
  await expect(cpu.locator('.chart-now')).toHaveText('0.0 %', { timeout: 10_000 });
  await page.getByRole('button', { name: 'Thaw' }).click();
  await expect(page.getByRole('heading', { level: 2 }).getByText('frozen')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Freeze' })).toBeEnabled();

  // The window choice survives a reload (the job stays held by the service).
  await page.reload();
  await expect(page.getByLabel('Time window')).toHaveValue('60000');

  await page.getByRole('button', { name: 'Terminate' }).click();
  const confirm = page.getByRole('dialog', { name: 'Terminate job' });
  await expect(confirm.getByLabel('Exit code')).toHaveCount(0);
  await confirm.getByRole('button', { name: 'Terminate' }).click();
  await expect(log).toContainText('no active processes');
  await page.getByRole('button', { name: 'Close job' }).click();
  await expect(page.getByRole('navigation', { name: 'Jobs' })).not.toContainText(jobName);
});
