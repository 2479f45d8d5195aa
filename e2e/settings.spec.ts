// Conveniences: the keyboard help on "?", and the sampling interval and time window kept across reloads.
import path from 'node:path';
import { expect, test } from './serve-fixture';

const screenshots = path.join(__dirname, 'screenshots');

test('? opens the shortcuts; the sampling interval is a setting the service and a reload keep', async ({ page, serveUrl }) => {
  const jobName = `e2e-settings-${process.pid}`;
  await page.goto(serveUrl);
  await expect(page.getByRole('status', { name: 'Connection' })).toContainText('Connected');
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toContainText('Attach the selected processes');
  await page.screenshot({ path: path.join(screenshots, 'help.png') });
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();

  await page.getByRole('button', { name: 'New job' }).click();
  await page.getByRole('dialog', { name: 'New job' }).getByLabel('Name').fill(jobName);
  await page.getByRole('dialog', { name: 'New job' }).getByRole('button', { name: 'Create' }).click();
  await expect(page.getByLabel('Sample every')).toHaveValue('500');
  await page.getByLabel('Sample every').selectOption({ label: '2 s' });
  await page.getByLabel('Time window').selectOption({ label: '15 minutes' });
  await page.reload();
  await expect(page.getByLabel('Sample every')).toHaveValue('2000');
  await expect(page.getByLabel('Time window')).toHaveValue('900000');
  await page.getByRole('button', { name: 'Close job' }).click();
  await expect(page.getByRole('list', { name: 'Held jobs' })).toHaveCount(0);
});
