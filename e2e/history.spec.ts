// A session's history in the browser stays small: per-process rows only on the newest two samples (the
// member table and its CPU %), members' totals on every one, so the charts and the CSV read the same figures
// for old samples as for new; the same after a reload, when the history comes from the service.
import type { Page } from '@playwright/test';
import type { JobSample } from '../electron/contract';
import { createJobInUi, downloaded, expect, startLoadgen, test } from './serve-fixture';

const MEMBERS = 3; // the load generator and its 2 children
const SAMPLES = 8;

async function heldSamples(page: Page): Promise<JobSample[]> {
  return (JSON.parse((await downloaded(page, 'Export JSON')).text) as { samples: JobSample[] }).samples;
}

/** The held samples once `SAMPLES` of them have every member: rows on the newest two only, totals on all. */
async function expectBoundedHistory(page: Page): Promise<JobSample[]> {
  let samples: JobSample[] = [];
  await expect
    .poll(async () => (samples = await heldSamples(page)).filter((s) => s.members?.count === MEMBERS).length, { timeout: 20_000 })
    .toBeGreaterThanOrEqual(SAMPLES);
  expect(samples.map((s) => s.processes !== undefined)).toEqual(samples.map((_, i) => i >= samples.length - 2));
  for (const s of samples.slice(-2)) {
    expect(s.members).toEqual({ count: s.processes!.length, residentBytes: s.processes!.reduce((sum, p) => sum + p.residentBytes, 0) });
  }
  return samples;
}

test('a session keeps per-process rows on the newest samples only; charts and CSV read the totals', async ({ page, serveUrl }) => {
  test.setTimeout(60_000);
  await page.goto(serveUrl);
  await createJobInUi(page, `e2e-history-${process.pid}`);
  const pid = await startLoadgen(page, { 'CPU load (% of one CPU)': '0', 'Memory (MiB)': '8', 'Disk writes (KiB/s)': '0', 'Child processes': '2' });
  await expect(page.getByRole('heading', { name: `Member processes (${MEMBERS})` })).toBeVisible({ timeout: 10_000 });
  await expect(page.getByRole('table', { name: /Member processes/ }).getByRole('row', { name: new RegExp(`^${pid}\\b`) })).toBeVisible();

  const samples = await expectBoundedHistory(page);
  const full = samples.filter((s) => s.members?.count === MEMBERS);
  // The loadgen holds 8 MiB: old samples without rows still carry what the rows summed.
  for (const s of full) expect(s.members!.residentBytes).toBeGreaterThan(8 << 20);
  await expect(page.getByRole('figure', { name: 'Active processes' }).locator('.chart-now')).toHaveText(String(MEMBERS));
  const csv = (await downloaded(page, 'Export CSV')).text.trim().split('\n');
  const resident = csv[0].split(',').indexOf('members_resident_bytes');
  const csvResident = new Map(csv.slice(1).map((line) => [Date.parse(line.split(',')[0]), line.split(',')[resident]]));
  for (const s of full) expect(csvResident.get(s.time)).toBe(String(s.members!.residentBytes));

  await page.reload();
  const reloaded = await expectBoundedHistory(page);
  expect(reloaded.length).toBeGreaterThanOrEqual(samples.length);

  await page.getByRole('button', { name: 'Terminate' }).click();
  await page.getByRole('dialog', { name: 'Terminate job' }).getByRole('button', { name: 'Terminate' }).click();
  await expect(page.getByRole('heading', { name: 'Member processes (0)' })).toBeVisible({ timeout: 10_000 });
  await page.getByRole('button', { name: 'Close job' }).click();
  await expect(page.getByRole('navigation', { name: 'Jobs' })).not.toContainText(`e2e-history-${process.pid}`);
});
