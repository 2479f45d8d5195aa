// Conveniences: the keyboard help on "?", history export as CSV and JSON, a chart saved as PNG, the
// sampling interval and time window kept across reloads, and the theme following the OS.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createJobInUi, downloaded, expect, test } from './serve-fixture';

const screenshots = path.join(__dirname, 'screenshots');

test('? opens the shortcuts; history exports; the sampling interval and window survive a reload', async ({ page, serveUrl }) => {
  const jobName = `e2e-settings-${process.pid}`;
  await page.goto(serveUrl);
  await expect(page.getByRole('status', { name: 'Connection' })).toContainText('Connected');
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toContainText('Attach the selected processes');
  await page.screenshot({ path: path.join(screenshots, 'help.png') });
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();

  await createJobInUi(page, jobName);
  await expect(page.getByLabel('Sample every')).toHaveValue('500');

  // The history downloads as CSV and JSON once there are a few samples.
  // A CPU figure needs two samples.
  await expect(page.getByRole('figure', { name: 'CPU' }).locator('.chart-now')).not.toHaveText('—');
  const csv = await downloaded(page, 'Export CSV');
  expect(csv.name).toMatch(new RegExp(`^${jobName}-.*\\.csv$`));
  const lines = csv.text.trim().split('\n');
  expect(lines[0]).toBe(
    'time,state,user_us,kernel_us,active_processes,total_processes,memory_bytes,memory_peak_bytes,' +
      'members_resident_bytes,io_read_bytes,io_write_bytes,io_read_ops,io_write_ops,throttled_us,frozen',
  );
  expect(lines.length).toBeGreaterThan(2);
  expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT.*Z,live,\d+,\d+,0,0,/);
  const json = JSON.parse((await downloaded(page, 'Export JSON')).text);
  expect(json.job.name).toBe(jobName);
  expect(json.samples.length).toBeGreaterThan(1);
  const [png] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Save the CPU chart as PNG' }).click(),
  ]);
  expect(png.suggestedFilename()).toMatch(/^cpu-chart-.*\.png$/);
  const bytes = readFileSync((await png.path())!);
  expect(bytes.subarray(1, 4).toString()).toBe('PNG');
  expect(bytes.length).toBeGreaterThan(2000);
  await png.saveAs(path.join(screenshots, 'cpu-chart-export.png'));

  await page.getByLabel('Sample every').selectOption({ label: '2 s' });
  await page.getByLabel('Time window').selectOption({ label: '15 minutes' });
  await page.reload();
  await expect(page.getByLabel('Sample every')).toHaveValue('2000');
  await expect(page.getByLabel('Time window')).toHaveValue('900000');

  // The theme follows the OS: a dark preference turns the page dark without a reload.
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(await background()).toBe('rgb(244, 245, 247)');
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect.poll(background).toBe('rgb(20, 23, 28)');
  await page.screenshot({ path: path.join(screenshots, 'dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByRole('button', { name: 'Close job' }).click();
  await expect(page.getByRole('list', { name: 'Held jobs' })).toHaveCount(0);
});
