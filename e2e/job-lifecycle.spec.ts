// A user's whole first session in serve mode, against real processes and real cgroups: create a job, pick
// processes to attach, watch them live, see an exit logged, terminate the job and close it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createJobInUi, expect, test } from './serve-fixture';

const screenshots = path.join(__dirname, 'screenshots');
const children: ChildProcess[] = [];

function spawnNode(script: string): ChildProcess {
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'ignore', 'inherit'] });
  children.push(child);
  return child;
}

test.afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

test('create, attach, watch, terminate and close a job', async ({ page, serveUrl }) => {
  // A worker that keeps 64 MiB resident and burns CPU in bursts, and leaves with code 3 when told to.
  const worker = spawnNode(
    'const keep = Buffer.alloc(64 << 20, 1); process.stdin.once("data", () => process.exit(3));' +
      'setInterval(() => { for (const t = Date.now(); Date.now() - t < 150;); }, 200);',
  );
  const sleeper = spawnNode('setInterval(() => {}, 1000)');
  const jobName = `e2e-${process.pid}`;

  await page.goto(serveUrl);
  await expect(page.getByRole('status', { name: 'Connection' })).toContainText('Connected');

  const title = await createJobInUi(page, jobName);
  const jobPath = (await page.locator('.job-view .job-path-full').textContent())!.trim();
  expect(existsSync(jobPath), `${jobPath} exists`).toBe(true);

  await page.getByRole('button', { name: 'Attach processes' }).click();
  const attach = page.getByRole('dialog', { name: /Attach processes/ });
  for (const pid of [worker.pid!, sleeper.pid!]) {
    await attach.getByLabel('Search processes').fill(String(pid));
    await attach.getByRole('checkbox', { name: `Select pid ${pid}`, exact: true }).check();
  }
  await attach.getByRole('button', { name: 'Attach 2 processes' }).click();
  await expect(attach).toBeHidden();

  const members = page.getByRole('table', { name: /Member processes/ });
  await expect(members.getByRole('row', { name: new RegExp(`^${worker.pid}\\b`) })).toBeVisible();
  await expect(members.getByRole('row', { name: new RegExp(`^${sleeper.pid}\\b`) })).toBeVisible();
  // Samples enough for lines: the busy worker's user time (the upper, stacked area) has height. The kernel
  // area below it may be flat, which Playwright counts as hidden.
  const cpu = page.getByRole('figure', { name: 'CPU' });
  await expect(cpu.locator('.chart-now')).not.toHaveText('—');
  await expect(cpu.locator('.recharts-area').last()).toBeVisible();
  // For the screenshot: a handful of points (a monotone curve has one "C" segment per point after the first).
  await expect(async () => {
    const d = (await cpu.locator('.recharts-area-curve').last().getAttribute('d')) ?? '';
    expect(d.split('C').length).toBeGreaterThan(5);
  }).toPass();
  await expect(page.getByRole('figure', { name: 'Memory' }).locator('.recharts-line').first()).toBeVisible();
  await page.screenshot({ path: path.join(screenshots, 'job-view.png') });

  worker.stdin!.write('bye\n');
  const log = page.getByRole('table', { name: 'Notifications' });
  await expect(log).toContainText(`pid ${worker.pid} exited with code 3`);

  await page.getByRole('button', { name: 'Terminate' }).click();
  const confirm = page.getByRole('dialog', { name: /Terminate/ });
  await expect(confirm).toContainText('Every process in it (1) will be killed');
  await confirm.getByRole('button', { name: 'Terminate' }).click();
  await expect(log).toContainText(`pid ${sleeper.pid} killed by signal 9 (SIGKILL)`);
  await expect(log).toContainText('no active processes');
  await page.screenshot({ path: path.join(screenshots, 'after-terminate.png') });

  await page.getByRole('button', { name: 'Close job' }).click();
  await expect(title).toBeHidden();
  await expect(page.getByRole('navigation', { name: 'Jobs' })).not.toContainText(jobName);
  expect(existsSync(jobPath), `${jobPath} removed`).toBe(false);
});

test('bad input gets a readable error and breaks nothing', async ({ page, serveUrl }) => {
  await page.goto(serveUrl);
  await page.getByRole('button', { name: 'Open job' }).click();
  const open = page.getByRole('dialog', { name: 'Open job' });
  await open.getByLabel('cgroup path').fill('/etc');
  await open.getByRole('button', { name: 'Open' }).click();
  await expect(open.getByRole('alert')).toContainText('/etc');

  await open.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'New job' }).click();
  const newJob = page.getByRole('dialog', { name: 'New job' });
  await newJob.getByLabel('Name').fill('no/slashes');
  await newJob.getByRole('button', { name: 'Create' }).click();
  await expect(newJob.getByRole('alert')).toContainText('job name');
});
