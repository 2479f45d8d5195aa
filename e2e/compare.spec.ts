// The Compare view: several held jobs' CPU and memory charts side by side, picked by checkbox, each
// card leading back to its job.
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './serve-fixture';

const screenshots = path.join(__dirname, 'screenshots');

async function createJob(page: Page, name: string) {
  await page.getByRole('button', { name: 'New job' }).click();
  const create = page.getByRole('dialog', { name: 'New job' });
  await create.getByLabel('Name').fill(name);
  await create.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('heading', { level: 2, name: new RegExp(`^${name}\\b`) })).toBeVisible();
}

test('compare a busy job with an idle one, pick what is shown, open one', async ({ page, serveUrl }) => {
  test.setTimeout(60_000);
  const busy = `e2e-cmp-busy-${process.pid}`;
  const idle = `e2e-cmp-idle-${process.pid}`;
  await page.goto(serveUrl);
  await createJob(page, busy);
  await page.getByRole('button', { name: 'Load generator' }).click();
  const loadgen = page.getByRole('dialog', { name: /^Load generator in/ });
  await loadgen.getByLabel('CPU load (% of one CPU)').fill('30');
  await loadgen.getByLabel('Memory (MiB)').fill('16');
  await loadgen.getByLabel('Disk writes (KiB/s)').fill('0');
  await loadgen.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByRole('status').filter({ hasText: /as pid \d+/ })).toBeVisible();
  await createJob(page, idle);

  await page.getByRole('button', { name: 'Compare' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Compare jobs' })).toBeVisible();
  const busyCard = page.getByRole('article', { name: busy });
  const idleCard = page.getByRole('article', { name: idle });
  await expect(busyCard.getByRole('figure', { name: 'CPU' }).locator('.chart-now')).not.toHaveText(/^(—|0\.0 %)$/, { timeout: 15_000 });
  await expect(busyCard.getByRole('figure', { name: 'Memory' }).locator('.chart-now')).not.toHaveText('—');
  await expect(idleCard.getByRole('figure', { name: 'CPU' }).locator('.chart-now')).toHaveText('0.0 %', { timeout: 15_000 });
  await expect(page.locator('.recharts-wrapper')).toHaveCount(4);
  await page.screenshot({ path: path.join(screenshots, 'compare.png') });

  await page.getByRole('group', { name: 'Jobs shown' }).getByLabel(idle).uncheck();
  await expect(idleCard).toHaveCount(0);
  await expect(page.getByRole('figure', { name: 'CPU' })).toHaveCount(1);

  await busyCard.getByRole('button', { name: busy }).click();
  await expect(page.getByRole('heading', { level: 2, name: new RegExp(`^${busy}\\b`) })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Compare' })).toHaveAttribute('aria-pressed', 'false');

  await page.getByRole('button', { name: 'Terminate' }).click();
  await page.getByRole('dialog', { name: 'Terminate job' }).getByRole('button', { name: 'Terminate' }).click();
  await expect(page.getByRole('heading', { name: 'Member processes (0)' })).toBeVisible();
  for (const name of [busy, idle]) {
    await page.locator('.job-item', { hasText: name }).click();
    await expect(page.getByRole('heading', { level: 2, name: new RegExp(`^${name}\\b`) })).toBeVisible();
    await page.getByRole('button', { name: 'Close job' }).click();
    await expect(page.getByRole('navigation', { name: 'Jobs' })).not.toContainText(name);
  }
});
