// The Windows backend against real job objects, real child processes and the real addon. Runs on
// Windows, and here under Wine through `npm run test:win` (native/scripts/test-win.sh). Cases Wine
// cannot show (CPU accounting, memory classes, abnormal exits) are skipped there by a capability
// check that says why; they run on real Windows.
import { after, afterEach, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as native from '#native';
import type { Job, Notification } from '#native';

const skip = process.platform !== 'win32' ? 'Windows only' : false;
const addonPath = skip ? '' : require.resolve('#native');

// Wine keeps its own key in the registry; real Windows has none.
function detectWine(): boolean {
  try {
    execFileSync('reg', ['query', 'HKCU\\Software\\Wine'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const wine = !skip && detectWine();

const prefix = `jobscope-test-${process.pid}-`;
let seq = 0;
const jobName = (ns = 'Local\\') => `${ns}${prefix}${++seq}`;

const received: Notification[] = [];
let listening = false;
function listen() {
  if (listening) return;
  listening = true;
  native.startNotifications((batch) => received.push(...batch));
}
after(() => {
  if (!skip) native.stopNotifications();
});

const children = new Set<ChildProcess>();
const jobs = new Set<Job>();
afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill();
  children.clear();
  for (const j of jobs) if (!isClosed(j)) j.close();
  jobs.clear();
});

function isClosed(job: Job): boolean {
  try {
    job.info();
    return false;
  } catch {
    return true;
  }
}

function newJob(options: native.CreateJobOptions = {}): Job {
  const job = native.createJob(options);
  jobs.add(job);
  return job;
}

function openJob(path: string, useNtVariant = false): Job {
  const job = native.openJob({ path, useNtVariant });
  jobs.add(job);
  return job;
}

// A node.exe that waits; detached, so it is not in libuv's own job and our jobs are not nested in it.
function sleeper(script = 'setTimeout(() => {}, 60000)'): ChildProcess & { pid: number } {
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore', detached: true });
  children.add(child);
  assert.ok(child.pid, 'child started');
  return child as ChildProcess & { pid: number };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

// Runs `body` in a second node.exe with the addon loaded as `n`; resolves with what it printed as JSON.
function inSecondProcess(body: string): Promise<unknown> {
  const script = `const n = require(${JSON.stringify(addonPath)}); process.stdout.write(JSON.stringify((() => { ${body} })()));`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script], (error, stdout, stderr) => {
      if (error) reject(new Error(`second process failed: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

// Kinds and pids of a job's messages about the given processes (conhost.exe and others filtered out).
function eventsOf(job: Job, pids: number[]): string[] {
  return received
    .filter((n) => n.jobId === job.id && (n.pid === 0 || pids.includes(n.pid)))
    .map((n) => `${n.kind}${n.pid ? ` ${n.pid}` : ''}`);
}

test('hostInfo says win32 and iocp', { skip }, () => {
  const host = native.hostInfo();
  assert.equal(host.platform, 'win32');
  assert.equal(host.exitEvents, 'iocp');
  assert.ok(['job-object', 'process-sum'].includes(host.memorySource));
});

test('messages in order with pids: A attached before listening, B after; B dies first', { skip }, async () => {
  const job = newJob({ name: jobName() });
  const a = sleeper();
  const b = sleeper();
  job.assign(a.pid);
  listen();
  job.assign(b.pid);
  await waitFor('NEW_PROCESS of B', () => eventsOf(job, [b.pid]).includes(`NEW_PROCESS ${b.pid}`));
  b.kill();
  await exited(b);
  await waitFor('EXIT_PROCESS of B', () => eventsOf(job, [b.pid]).includes(`EXIT_PROCESS ${b.pid}`));
  a.kill();
  await waitFor('ACTIVE_PROCESS_ZERO', () => eventsOf(job, []).includes('ACTIVE_PROCESS_ZERO'));
  assert.deepEqual(eventsOf(job, [a.pid, b.pid]), [
    `NEW_PROCESS ${a.pid}`,
    `NEW_PROCESS ${b.pid}`,
    `EXIT_PROCESS ${b.pid}`,
    `EXIT_PROCESS ${a.pid}`,
    'ACTIVE_PROCESS_ZERO',
  ]);
  // child.kill() is TerminateProcess with exit code 1; the poller read it with GetExitCodeProcess.
  const exits = received.filter((n) => n.jobId === job.id && n.kind === 'EXIT_PROCESS');
  assert.deepEqual(
    exits.map((n) => n.exitCode),
    [1, 1],
  );
});

test('a named job is created, found again by create, and opened by name here and from a second process', { skip }, async () => {
  const name = jobName();
  const job = newJob({ name });
  assert.deepEqual(job.info(), { id: job.id, name, path: name, created: true });
  const again = newJob({ name });
  assert.equal(again.created, false, 'CreateJobObjectW opened the existing job');
  const opened = openJob(name);
  const openedNt = openJob(name, true);
  assert.equal(opened.created, false);
  const child = sleeper();
  job.assign(child.pid);
  for (const j of [again, opened, openedNt]) assert.deepEqual(j.pids(), [child.pid], `${j.id} sees the member`);
  const seen = await inSecondProcess(
    `return [n.openJob({ path: ${JSON.stringify(name)} }).pids(), n.openJob({ path: ${JSON.stringify(name)}, useNtVariant: true }).pids()];`,
  );
  assert.deepEqual(seen, [[child.pid], [child.pid]]);
});

test('the NT variant creates named (Global\\ too) and unnamed jobs that Win32 calls see', { skip }, () => {
  const name = jobName('Global\\');
  const job = newJob({ name, useNtVariant: true });
  assert.equal(job.created, true);
  assert.equal(newJob({ name, useNtVariant: true }).created, false);
  const child = sleeper();
  job.assign(child.pid);
  assert.deepEqual(openJob(name).pids(), [child.pid]);
  const unnamed = newJob({ useNtVariant: true });
  assert.equal(unnamed.path, '');
  assert.deepEqual(unnamed.pids(), []);
  assert.throws(() => native.openJob({ path: jobName() }), { code: 'ERROR_FILE_NOT_FOUND', message: /no object of that name/ });
});

test('job names are checked: prefixes allowed, other backslashes and NUL refused', { skip }, () => {
  for (const name of ['a\\b', 'Local\\', 'Local\\a\\b', 'x'.repeat(261), 'a\0b']) {
    assert.throws(() => native.createJob({ name }), RangeError, JSON.stringify(name));
  }
  const long = 'é'.repeat(200) + prefix; // 2-byte UTF-8 but one UTF-16 unit each: within 260
  assert.equal(newJob({ name: long }).name, long);
});

test('pids() grows its buffer from one slot until the list is complete', { skip }, () => {
  const job = newJob({ name: jobName() }); // a fresh job starts from a one-slot buffer
  const members = [sleeper(), sleeper(), sleeper(), sleeper()];
  for (const m of members) job.assign(m.pid);
  assert.deepEqual(job.pids().sort(), members.map((m) => m.pid).sort());
  assert.deepEqual(openJob(job.path).pids().sort(), members.map((m) => m.pid).sort(), 'a fresh handle too');
});

test('pids() stays complete while processes join during the queries', { skip }, async () => {
  const job = newJob({ name: jobName() });
  // A member that starts 8 children, one every 30 ms; children of a member join its job. Detached, so
  // the spawner's libuv does not nest a job of its own inside ours (Wine 8's wineserver has crashed
  // listing a job while such nested jobs were being set up).
  const spawner = sleeper(
    `const { spawn } = require('node:child_process'); let k = 0;
     const t = setInterval(() => { spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore', detached: true });
       if (++k === 8) clearInterval(t); }, 30); setTimeout(() => {}, 60000);`,
  );
  job.assign(spawner.pid);
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  let previous: number[] = [];
  const end = Date.now() + 8000;
  while (previous.length < 9 && Date.now() < end) {
    const list = openJob(job.path).pids(); // every query starts from one slot again
    assert.equal(new Set(list).size, list.length, 'no duplicates');
    assert.ok(list.every((pid) => pid > 0), 'no empty slots');
    assert.ok(list.includes(spawner.pid), 'the spawner is always listed');
    // Helpers such as conhost.exe may come and go; a listed process that still runs stays listed.
    const lost = previous.filter((pid) => !list.includes(pid) && alive(pid));
    assert.deepEqual(lost, [], 'running members missing from the list');
    previous = list;
    await sleep(5);
  }
  assert.ok(previous.length >= 9, `all 9 processes listed (got ${previous.length})`);
  job.terminate(0);
});

test('jobs nest; a process in a job that cannot nest is refused with ERROR_ACCESS_DENIED', { skip }, () => {
  const outer = newJob({ name: jobName() });
  const inner = newJob({ name: jobName() });
  const p = sleeper();
  outer.assign(p.pid);
  inner.assign(p.pid); // inner becomes a child of outer
  assert.deepEqual(outer.pids(), [p.pid]);
  assert.deepEqual(inner.pids(), [p.pid]);

  const other = newJob({ name: jobName() });
  const q = sleeper();
  other.assign(q.pid);
  // `other` holds q, which is outside `outer`: it cannot become a child of outer.
  assert.throws(() => other.assign(p.pid), {
    code: 'ERROR_ACCESS_DENIED',
    message: new RegExp(`cannot attach pid ${p.pid} to job .*already in a job that this job cannot be nested in`),
  });
});

test('kill-on-close ends the members when the job is closed', { skip }, async () => {
  const job = newJob({ name: jobName(), limits: { killOnClose: true } });
  const p = sleeper();
  job.assign(p.pid);
  job.close();
  assert.notEqual(await exited(p), null);
});

test('terminate passes its exit code to every member', { skip }, async () => {
  const job = newJob({ name: jobName() });
  const p = sleeper();
  const q = sleeper();
  job.assign(p.pid);
  job.assign(q.pid);
  job.terminate(42);
  assert.deepEqual(await Promise.all([exited(p), exited(q)]), [42, 42]);
});

test('an exited pid is refused with a clear error', { skip }, async () => {
  const job = newJob({ name: jobName() });
  const p = sleeper('process.exit(0)');
  await exited(p);
  await sleep(50);
  assert.throws(() => job.assign(p.pid), { message: new RegExp(`pid ${p.pid} has exited or does not exist`) });
});

test('sampleJobs lists the members; a closed job throws ECLOSED', { skip }, () => {
  const job = newJob({ name: jobName() });
  const p = sleeper();
  job.assign(p.pid);
  const [s] = native.sampleJobs([job]);
  assert.equal(s.state, 'live');
  assert.equal(s.processor?.activeProcesses, 1);
  assert.ok((s.memory?.currentBytes ?? 0) > 0);
  const member = s.processes?.find((m) => m.pid === p.pid);
  assert.equal(member?.name, 'node.exe');
  assert.ok((member?.residentBytes ?? 0) > 0);
  assert.ok(job.privateWorkingSet() > 0);
  job.close();
  assert.throws(() => native.sampleJobs([job]), { code: 'ECLOSED' });
  assert.throws(() => job.pids(), { code: 'ECLOSED' });
});

test('listProcesses names our job as the group of its members', { skip }, () => {
  const job = newJob({ name: jobName() });
  const p = sleeper();
  job.assign(p.pid);
  const list = native.listProcesses();
  const member = list.find((x) => x.pid === p.pid);
  const self = list.find((x) => x.pid === process.pid);
  assert.equal(member?.group, job.name);
  assert.equal(member?.ppid, process.pid);
  assert.equal(member?.name, 'node.exe');
  assert.ok((member?.residentBytes ?? 0) > 0);
  assert.equal(self?.group, '');
  assert.match(self?.user ?? '', /\\/, 'DOMAIN\\user');
});

test('CPU time is accounted to the job', { skip: skip || (wine && 'Wine does not account CPU time to jobs (its accounting times are 0)') }, async () => {
  const job = newJob({ name: jobName() });
  const p = sleeper('const end = Date.now() + 400; while (Date.now() < end); setTimeout(() => {}, 60000)');
  job.assign(p.pid);
  await sleep(600);
  const stats = job.processorStats();
  assert.ok(stats.userTimeUs + stats.kernelTimeUs > 100_000, JSON.stringify(stats));
});

test('memory comes from the job object where Windows implements it', { skip }, (t: TestContext) => {
  if (native.hostInfo().memorySource !== 'job-object') {
    t.skip('this Windows (Wine, or before 10) does not implement JobObjectMemoryUsageInformation');
    return;
  }
  const job = newJob({ name: jobName() });
  const p = sleeper();
  job.assign(p.pid);
  const m = job.memoryStats();
  assert.equal(m.source, 'job-object');
  assert.ok(m.currentBytes > 0 && (m.peakBytes ?? 0) >= m.currentBytes);
});

test('a crash is reported as ABNORMAL_EXIT_PROCESS with its exit code', { skip: skip || (wine && 'Wine never sends ABNORMAL_EXIT_PROCESS') }, async () => {
  listen();
  const job = newJob({ name: jobName() });
  // STATUS_ACCESS_VIOLATION as exit status: one of the codes Windows counts as abnormal.
  const p = sleeper('setTimeout(() => process.exit(0xc0000005 | 0), 300)');
  job.assign(p.pid);
  await exited(p);
  const n = await waitFor('ABNORMAL_EXIT_PROCESS', () =>
    received.find((x) => x.jobId === job.id && x.kind === 'ABNORMAL_EXIT_PROCESS' && x.pid === p.pid),
  );
  assert.equal(n.exitCode, 0xc0000005);
});
