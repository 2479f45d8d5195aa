// The sidebar's tree of every group on the machine, against cgroups made outside JobScope: nested, counted,
// filtered, refreshed on its own, and held when opened.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './serve-fixture';

const screenshots = path.join(__dirname, 'screenshots');
const mount = '/sys/fs/cgroup/unified';
const outer = path.join(mount, 'jobscope', `e2e-tree-${process.pid}`);
const inner = path.join(outer, 'inner');
const sleepers: ChildProcess[] = [];

function sleeperIn(group: string): ChildProcess {
  const child = spawn('sleep', ['120'], { stdio: 'ignore' });
  sleepers.push(child);
  writeFileSync(path.join(group, 'cgroup.procs'), String(child.pid));
  return child;
}

test.beforeAll(() => mkdirSync(inner, { recursive: true }));
test.afterAll(async () => {
  for (const child of sleepers) child.kill('SIGKILL');
  await Promise.all(sleepers.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  // The kernel lets a killed process's cgroup go a moment after its exit.
  await expect(async () => {
    rmdirSync(inner);
    rmdirSync(outer);
  }).toPass({ timeout: 5000 });
});

test('the tree shows groups made elsewhere, nested and counted, and opening one holds it', async ({ page, serveUrl }) => {
  sleeperIn(inner);
  await page.goto(serveUrl);
  const tree = page.getByRole('list', { name: 'Groups on this machine' });
  await page.getByLabel('Filter groups').fill(`e2e-tree-${process.pid}`);
  const outerItem = tree.getByRole('listitem').filter({ has: page.getByRole('button', { name: new RegExp(`^e2e-tree-${process.pid}`) }) });
  await expect(outerItem.getByRole('button', { name: /^inner 1 process$/ })).toBeVisible();
  await expect(tree.getByRole('button', { name: /^jobscope\b/ })).toBeVisible();

  // A newcomer shows without asking: the tree refreshes every few seconds.
  sleeperIn(inner);
  await expect(outerItem.getByRole('button', { name: /^inner 2 processes$/ })).toBeVisible({ timeout: 10_000 });

  await outerItem.getByRole('button', { name: /^inner/ }).click();
  await expect(page.getByRole('heading', { level: 2, name: /^inner\b/ })).toBeVisible();
  await expect(outerItem.getByRole('button', { name: /^inner held 2 processes$/ })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Held jobs' }).getByRole('button', { name: /^inner/ })).toBeVisible();
  await page.screenshot({ path: path.join(screenshots, 'job-tree.png') });

  await page.getByLabel('Filter groups').fill('no-such-group-anywhere');
  await expect(page.getByText('No group matches “no-such-group-anywhere”.')).toBeVisible();

  // Closing an opened group only stops watching it: the group and its processes stay.
  await page.getByRole('button', { name: 'Close job' }).click();
  await page.getByRole('dialog', { name: 'Close job inner' }).getByRole('button', { name: 'Close and leave them running' }).click();
  await expect(page.getByRole('list', { name: 'Held jobs' })).toHaveCount(0);
  await page.getByLabel('Filter groups').fill(`e2e-tree-${process.pid}`);
  await expect(outerItem.getByRole('button', { name: /^inner 2 processes$/ })).toBeVisible();
});
