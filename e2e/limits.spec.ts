// Limits through the UI on real cgroups: set at creation with range checks as you type, shown in the Limits
// panel, changed on the live job, and drawn on the memory chart.
import path from 'node:path';
import { createJobInUi, expect, test } from './serve-fixture';

const screenshots = path.join(__dirname, 'screenshots');

test('create a job with limits, read them back, change them live', async ({ page, serveUrl }) => {
  const jobName = `e2e-limits-${process.pid}`;
  await page.goto(serveUrl);
  await createJobInUi(page, jobName, async (dialog) => {
    await dialog.getByLabel('CPU limit').selectOption({ label: 'Cap (% of all CPUs)' });
    const cap = dialog.getByLabel('CPU cap (% of all CPUs)');
    await cap.fill('150');
    await expect(cap).toHaveAccessibleDescription('The CPU cap must be 0.01 to 100.');
    await expect(dialog.getByRole('button', { name: 'Create' })).toBeDisabled();
    await cap.fill('25');
    await dialog.getByLabel('Memory limit (MiB)').fill('256');
    await dialog.getByLabel('Active processes').fill('0.5');
    await expect(dialog.getByLabel('Active processes')).toHaveAccessibleDescription('The process limit must be a whole number.');
    await dialog.getByLabel('Active processes').fill('200');
    await dialog.getByLabel('IO bandwidth (MiB/s)').fill('8');
    await page.screenshot({ path: path.join(screenshots, 'new-job-limits.png') });
  });

  const limits = page.getByRole('region', { name: 'Limits', exact: true });
  await expect(limits.getByRole('definition').nth(0)).toHaveText('cap 25 % of all CPUs');
  await expect(limits.getByRole('definition').nth(1)).toHaveText('256 MiB');
  await expect(limits.getByRole('definition').nth(2)).toHaveText('200');
  await expect(limits.getByRole('definition').nth(3)).toHaveText('no limit');
  await expect(limits.getByRole('definition').nth(4)).toHaveText('8.00 MiB/s');

  await limits.getByRole('button', { name: 'Edit limits' }).click();
  const edit = page.getByRole('dialog', { name: `Limits of ${jobName}` });
  await expect(edit.getByLabel('Memory limit (MiB)')).toHaveValue('256');
  await expect(edit.getByRole('button', { name: 'Apply' })).toBeDisabled();
  await edit.getByLabel('Memory limit (MiB)').fill('128');
  await edit.getByLabel('IO bandwidth (MiB/s)').fill('');
  await edit.getByRole('button', { name: 'Apply' }).click();
  await expect(edit).toBeHidden();
  await expect(limits.getByRole('definition').nth(1)).toHaveText('128 MiB');
  await expect(limits.getByRole('definition').nth(4)).toHaveText('no limit');
  await expect(limits.getByRole('definition').nth(0)).toHaveText('cap 25 % of all CPUs');

  const memoryChart = page.getByRole('figure', { name: 'Memory' });
  await expect(memoryChart.getByText('limit 128 MiB')).toBeVisible();
  await page.screenshot({ path: path.join(screenshots, 'limits-panel.png') });

  await page.getByRole('button', { name: 'Close job' }).click();
  await expect(page.getByRole('navigation', { name: 'Jobs' })).not.toContainText(jobName);
});
