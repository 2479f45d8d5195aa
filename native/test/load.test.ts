// Load on the notification path, real processes and real cgroups: a fork storm in a job with a process
// limit. Every fork that succeeded is one NEW_PROCESS and one EXIT_PROCESS, every refused one is counted
// by the kernel's pids.events "max", and nothing is lost or duplicated. Needs root and python3 (a loop that
// counts refused forks without retrying them, as shells do).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as native from '#native';
import type { Notification } from '#native';

const skip = process.platform !== 'linux' ? 'Linux only' : process.getuid?.() !== 0 ? 'needs root' : false;
const FORKS = Number(process.env.JOBSCOPE_FORK_STORM ?? 1000);
const received: Notification[] = [];
const tmp = skip ? '' : mkdtempSync('/var/tmp/jobscope-load-');
if (!skip) native.startNotifications((batch) => received.push(...batch));
after(() => {
  if (skip) return;
  native.stopNotifications();
  rmSync(tmp, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function pidsEventsOf(path: string): string {
  if (existsSync(`${path}/pids.events`)) return `${path}/pids.events`;
  const relative = path.slice(native.hostInfo().cgroup2Mount!.length);
  return `/sys/fs/cgroup/pids${relative}/pids.events`;
}

test(`a fork storm of ${FORKS} in a job limited to 20 processes: notifications match the forks and the kernel's count`, { skip }, async (t) => {
  let python = '';
  try {
    python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  } catch {
    return t.skip('python3 not found');
  }
  const job = native.createJob({ name: `load-storm-${process.pid}`, limits: { activeProcesses: 20 } });
  try {
    if (job.limits().unsupported.activeProcesses) return t.skip(job.limits().unsupported.activeProcesses!);
    const events = pidsEventsOf(job.path);
    const maxBefore = Number(/^max (\d+)$/m.exec(readFileSync(events, 'utf8'))![1]);
    const out = join(tmp, 'storm.txt');
    // Forks as fast as it can; children leave at once; exits are reaped as they come so slots free up.
    const script = [
      'import os, sys',
      'made = refused = 0',
      `for i in range(${FORKS}):`,
      '    try:',
      '        pid = os.fork()',
      '    except OSError:',
      '        refused += 1',
      '        continue',
      '    if pid == 0:',
      '        os._exit(0)',
      '    made += 1',
      '    while True:',
      '        try:',
      '            if os.waitpid(-1, os.WNOHANG)[0] == 0: break',
      '        except ChildProcessError: break',
      'while True:',
      '    try: os.wait()',
      '    except ChildProcessError: break',
      "open(sys.argv[1], 'w').write(f'{made} {refused}')",
    ].join('\n');
    const launcher = job.launch({ file: python, args: ['-c', script, out] });
    const [made, refused] = (await until('the storm to end', () => existsSync(out) && readFileSync(out, 'utf8'))).split(' ').map(Number);
    await until('the job to empty', () => readFileSync(`${job.path}/cgroup.procs`, 'utf8').trim() === '');
    const mine = () => received.filter((n) => n.jobId === job.id);
    await until('ACTIVE_PROCESS_ZERO', () => mine().some((n) => n.kind === 'ACTIVE_PROCESS_ZERO'));
    // Past the poller's periodic re-read, so late or duplicate messages would have arrived.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const maxAfter = Number(/^max (\d+)$/m.exec(readFileSync(events, 'utf8'))![1]);
    const count = (kind: string) => mine().filter((n) => n.kind === kind).length;
    const newPids = mine().filter((n) => n.kind === 'NEW_PROCESS').map((n) => n.pid);
    const exitPids = mine().filter((n) => n.kind === 'EXIT_PROCESS' || n.kind === 'ABNORMAL_EXIT_PROCESS').map((n) => n.pid);
    t.diagnostic(
      `forks made ${made}, refused ${refused}; pids.events max +${maxAfter - maxBefore}; NEW_PROCESS ${count('NEW_PROCESS')}, ` +
        `EXIT_PROCESS ${count('EXIT_PROCESS')}, ABNORMAL_EXIT_PROCESS ${count('ABNORMAL_EXIT_PROCESS')}, ACTIVE_PROCESS_LIMIT ${count('ACTIVE_PROCESS_LIMIT')}`,
    );
    assert.equal(made + refused, FORKS);
    assert.equal(maxAfter - maxBefore, refused, "the kernel's count of refused forks");
    assert.equal(count('ACTIVE_PROCESS_LIMIT'), refused, 'one ACTIVE_PROCESS_LIMIT per refused fork');
    assert.equal(newPids.length, made + 1, 'one NEW_PROCESS per fork made, and one for python');
    assert.ok(newPids.includes(launcher));
    // Pids may be reused within a storm, so compare as multisets: every join has its exit.
    assert.deepEqual([...exitPids].sort((a, b) => a - b), [...newPids].sort((a, b) => a - b), 'one exit per join');
    assert.equal(count('EXIT_PROCESS'), made + 1, 'all left with code 0');
  } finally {
    job.close();
  }
});
