// The attach picker: rows that cannot be attached are disabled and say why, and the whole flow works from
// the keyboard (arrows move, Space toggles, Enter attaches).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createJobInUi, expect, test } from './serve-fixture';

const screenshots = path.join(__dirname, 'screenshots');
const children: ChildProcess[] = [];
test.afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

test('refused rows say why; arrows, Space and Enter attach', async ({ page, serveUrl }) => {
  // A marker argument nothing else on the machine has, so a search finds exactly these two.
  const marker = String(40_000 + (process.pid % 20_000));
  for (let i = 0; i < 2; i++) children.push(spawn('sleep', [marker], { stdio: 'ignore' }));
  const jobName = `e2e-picker-${process.pid}`;
  await page.goto(serveUrl);
  await createJobInUi(page, jobName);

  await page.getByRole('button', { name: 'Attach processes' }).click();
  const dialog = page.getByRole('dialog', { name: /Attach processes/ });
  const search = dialog.getByLabel('Search processes');
  const box = (pid: number) => dialog.getByRole('checkbox', { name: `Select pid ${pid}`, exact: true });

  // Kernel threads can never be attached: hidden until asked for, then shown disabled with the reason.
  await search.fill('kthreadd');
  await expect(box(2)).toHaveCount(0);
  await dialog.getByLabel(/^Show kernel threads \(\d+\)$/).check();
  await expect(box(2)).toBeDisabled();
  await expect(box(2)).toHaveAccessibleDescription(/Cannot attach: a kernel thread/);
  await search.fill('serve/cli.js');
  await expect(dialog.getByRole('row').filter({ hasText: 'Cannot attach: JobScope itself' })).toHaveCount(1);
  await dialog.getByLabel(/^Show kernel threads/).uncheck();
  await search.fill('');
  await expect(box(1)).toBeDisabled();
  await expect(box(1)).toHaveAccessibleDescription(/Cannot attach: init \(pid 1\)/);
  await page.screenshot({ path: path.join(screenshots, 'picker-refusals.png') });

  await search.fill(`sleep ${marker}`);
  const [a, b] = children.map((c) => c.pid!).sort((x, y) => x - y);
  await expect(box(a)).toBeVisible();
  await search.press('ArrowDown');
  await expect(box(a)).toBeFocused();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown');
  await expect(box(b)).toBeFocused();
  await page.keyboard.press('Space');
  await expect(dialog.getByRole('button', { name: 'Attach 2 processes' })).toBeEnabled();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();

  const members = page.getByRole('table', { name: /Member processes/ });
  await expect(members.getByRole('row', { name: new RegExp(`^${a}\\b`) })).toBeVisible();
  await page.getByRole('button', { name: 'Attach processes' }).click();
  await search.fill(`sleep ${marker}`);
  await expect(box(a)).toBeDisabled();
  await expect(box(a)).toHaveAccessibleDescription('Cannot attach: already in this job');
  await dialog.getByRole('button', { name: 'Close' }).click();

  await page.getByRole('button', { name: 'Close job' }).click();
  await page.getByRole('dialog', { name: `Close job ${jobName}` }).getByRole('button', { name: 'Terminate and close' }).click();
  await expect(page.getByRole('list', { name: 'Held jobs' })).toHaveCount(0);
});
