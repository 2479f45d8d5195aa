// Launching into a job from the UI, and JobScope's load generator tripping each limit, on real cgroups:
// memory over the limit kills it (JOB_MEMORY_LIMIT), children past the process limit are refused
// (ACTIVE_PROCESS_LIMIT).
import path from 'node:path';
import { createJobInUi, expect, pidFromToast, startLoadgen, test } from './serve-fixture';

const screenshots = path.join(__dirname, 'screenshots');

test('launch a program, then watch the load generator trip the memory and process limits', async ({ page, serveUrl }) => {
  test.setTimeout(90_000);
  const jobName = `e2e-launch-${process.pid}`;
  await page.goto(serveUrl);
  await createJobInUi(page, jobName, async (create) => {
    await create.getByLabel('CPU limit').selectOption({ label: 'Cap (% of all CPUs)' });
    await create.getByLabel('CPU cap (% of all CPUs)').fill('10');
    await create.getByLabel('Memory limit (MiB)').fill('128');
    await create.getByLabel('Active processes').fill('40');
  });

  await page.getByRole('button', { name: 'Launch program' }).click();
  const launch = page.getByRole('dialog', { name: /^Launch a program/ });
  await launch.getByLabel('Command').fill('sleep');
  await launch.getByLabel('Arguments').fill('"60');
  await expect(launch.getByLabel('Arguments')).toHaveAccessibleDescription('The arguments have an unclosed double quote.');
  await launch.getByLabel('Arguments').fill('60');
  await launch.getByLabel('Working directory').fill('/tmp');
  await launch.getByRole('button', { name: 'Launch' }).click();
  const sleeper = await pidFromToast(page, /Launched sleep as pid (\d+)/);
  const log = page.getByRole('table', { name: 'Notifications' });
  await expect(log).toContainText(`pid ${sleeper} joined the job`);

  // Memory: 16 MiB more every second until the 128 MiB limit kills it, burning CPU against the 10 % cap.
  const hog = await startLoadgen(page, { 'CPU load (% of one CPU)': '100', 'Memory (MiB)': '16' }, true);
  await expect(log).toContainText(`pid ${hog} joined the job`);
  await expect(log).toContainText('the job memory limit was reached', { timeout: 20_000 });
  await expect(log).toContainText(`pid ${hog} killed by signal 9 (SIGKILL)`);
  await expect(page.getByRole('figure', { name: 'Memory' }).getByText('limit 128 MiB')).toBeVisible();
  await page.screenshot({ path: path.join(screenshots, 'loadgen-memory-limit.png') });

  // Processes: room for memory first, then 12 children against a 40-task limit (Node runs ~10 threads each).
  await page.getByRole('button', { name: 'Edit limits' }).click();
  const edit = page.getByRole('dialog', { name: `Limits of ${jobName}` });
  await edit.getByLabel('Memory limit (MiB)').fill('1024');
  await edit.getByRole('button', { name: 'Apply' }).click();
  await expect(edit).toBeHidden();
  await startLoadgen(page, { 'CPU load (% of one CPU)': '0', 'Memory (MiB)': '0', 'Child processes': '12', 'Duration (s)': '20' });
  await expect(log).toContainText('the active process limit was reached', { timeout: 20_000 });
  await page.screenshot({ path: path.join(screenshots, 'loadgen-process-limit.png') });

  await page.getByRole('button', { name: 'Terminate' }).click();
  await page.getByRole('dialog', { name: /Terminate/ }).getByRole('button', { name: 'Terminate' }).click();
  await expect(log).toContainText('no active processes');
  await page.getByRole('button', { name: 'Close job' }).click();
  await expect(page.getByRole('navigation', { name: 'Jobs' })).not.toContainText(jobName);
});
