// The renderer reloads (as after a crash or F5) and gets its state back from the service: the job, its
// members and its notification history, with no action from the user.
import { spawn, type ChildProcess } from 'node:child_process';
import { createJobInUi, expect, test } from './serve-fixture';

const children: ChildProcess[] = [];
test.afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

test('after a reload the job, its members and its history are back', async ({ page, serveUrl }) => {
  const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
  const leaver = spawn('sh', ['-c', 'read x; exit 4'], { stdio: ['pipe', 'ignore', 'ignore'] });
  children.push(sleeper, leaver);
  const jobName = `e2e-reload-${process.pid}`;

  await page.goto(serveUrl);
  await expect(page.getByRole('status', { name: 'Connection' })).toContainText('Connected');
  const title = await createJobInUi(page, jobName);

  await page.getByRole('button', { name: 'Attach processes' }).click();
  const attach = page.getByRole('dialog', { name: /Attach processes/ });
  for (const pid of [sleeper.pid!, leaver.pid!]) {
    await attach.getByLabel('Search processes').fill(String(pid));
    await attach.getByRole('checkbox', { name: `Select pid ${pid}`, exact: true }).check();
  }
  await attach.getByRole('button', { name: 'Attach 2 processes' }).click();
  await expect(attach).toBeHidden();
  leaver.stdin!.write('bye\n');
  const log = page.getByRole('table', { name: 'Notifications' });
  await expect(log).toContainText(`pid ${leaver.pid} exited with code 4`);

  // The page's URL no longer carries the token; the cookie does.
  await page.reload();
  await expect(page.getByRole('status', { name: 'Connection' })).toContainText('Connected');
  // The held-jobs list names it "<name> live …"; the tree of all groups lists it too, as "<name> held …".
  await page.getByRole('navigation', { name: 'Jobs' }).getByRole('button', { name: new RegExp(`^${jobName} live\\b`) }).click();
  await expect(title).toBeVisible();
  await expect(log).toContainText(`pid ${leaver.pid} exited with code 4`);
  const members = page.getByRole('table', { name: /Member processes/ });
  await expect(members.getByRole('row', { name: new RegExp(`^${sleeper.pid}\\b`) })).toBeVisible();

  await page.getByRole('button', { name: 'Terminate' }).click();
  await page.getByRole('dialog', { name: /Terminate/ }).getByRole('button', { name: 'Terminate' }).click();
  await expect(log).toContainText('no active processes');
  await page.getByRole('button', { name: 'Close job' }).click();
  await expect(title).toBeHidden();
});
