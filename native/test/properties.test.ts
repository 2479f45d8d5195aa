// Property-based: random values at every native entry point. Every call either succeeds harmlessly or
// throws a TypeError/RangeError or a JobScopeError with a string code (or, for an object whose getter
// throws, that getter's own error); the process never crashes; and no process is terminated or moved that
// the call did not name: a guard job keeps its sleeping member, a bystander outside every job stays where
// it is, and the guard job's limits stay as they were. Needs root. Bounded: about 3,000 calls in all, a few seconds.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import * as native from '#native';
import type { Job } from '#native';

const skip = process.platform !== 'linux' ? 'Linux only' : process.getuid?.() !== 0 ? 'needs root' : false;
const NUM_RUNS = 400;
const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
fc.configureGlobal({ includeErrorInReport: true });

let guard: Job;
let scratch: Job;
let closedJob: Job;
let guardLimits: unknown;
let sleeper: ChildProcess;
let bystander: ChildProcess;
let bystanderCgroup: string;
const created: Job[] = [];
const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));

const cgroupOf = (pid: number): string => readFileSync(`/proc/${pid}/cgroup`, 'utf8');
const procs = (job: Job): number[] =>
  readFileSync(`${job.path}/cgroup.procs`, 'utf8').trim().split('\n').filter(Boolean).map(Number);
const alive = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

before(() => {
  if (skip) return;
  native.startNotifications(() => {});
  guard = native.createJob({ name: `props-guard-${process.pid}` });
  scratch = native.createJob({ name: `props-scratch-${process.pid}` });
  closedJob = native.createJob({ name: `props-closed-${process.pid}` });
  closedJob.close();
  sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
  bystander = spawn('sleep', ['600'], { stdio: 'ignore' });
  guard.assign(sleeper.pid!);
  guardLimits = guard.limits();
  bystanderCgroup = cgroupOf(bystander.pid!);
});

after(async () => {
  if (skip) return;
  for (const child of [sleeper, bystander]) child.kill('SIGKILL');
  await Promise.all([sleeper, bystander].map((c) => (alive(c) ? new Promise((r) => c.once('exit', r)) : null)));
  for (let i = 0; i < 100 && procs(guard).length > 0; i += 1) await new Promise((r) => setTimeout(r, 20));
  for (const job of [guard, scratch, ...created]) {
    try {
      job.close();
    } catch (error) {
      if ((error as { code?: string }).code !== 'ECLOSED') throw error;
    }
  }
  native.stopNotifications();
});

/** Nothing the calls did not name has moved, died or changed. */
function assertUntouched(): void {
  assert.ok(alive(sleeper), "the guard job's member is alive");
  assert.ok(alive(bystander), 'the bystander is alive');
  assert.deepEqual(procs(guard), [sleeper.pid], "the guard job's members are unchanged");
  assert.equal(cgroupOf(bystander.pid!), bystanderCgroup, 'the bystander stayed in its cgroup');
  assert.deepEqual(guard.limits(), guardLimits, "the guard job's limits are unchanged");
  assert.deepEqual(procs(scratch), [], 'the scratch job got no member');
}

/** What a bad call may throw. */
function assertAcceptable(error: unknown, call: string): void {
  if (error instanceof TypeError || error instanceof RangeError) {
    assert.ok(error.message.length > 0 && !error.message.includes('[object Object]'), `${call}: ${error.message}`);
    return;
  }
  assert.ok(error instanceof Error, `${call} threw a non-Error: ${String(error)}`);
  if (/^(getter|proxy) boom$/.test(error.message)) return; // the hostile object's own error, passed through
  const code = (error as { code?: unknown }).code;
  assert.equal(typeof code, 'string', `${call} threw ${error.name}: ${error.message} without a string code`);
  assert.ok(error.message.length > 0, `${call}: empty message`);
}

function attempt<T>(call: string, fn: () => T): { ok: true; value: T } | { ok: false } {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    assertAcceptable(error, call);
    return { ok: false };
  }
}

const boom = (what: string) => (): never => {
  throw new Error(`${what} boom`);
};
const labelled = <T extends object>(value: T, label: string): T =>
  Object.defineProperty(value, fc.toStringMethod, { value: () => label, enumerable: false });
/** Objects whose every read of `keys` throws; fast-check prints them by their label. */
const hostile = (keys: string[]): fc.Arbitrary<unknown> =>
  fc.constantFrom(...keys).map((key) =>
    labelled(Object.defineProperty({}, key, { enumerable: true, get: boom('getter') }), `{get ${key}() throws}`),
  );
const throwingProxy = fc.constant(null).map(() =>
  new Proxy(
    {},
    {
      get: (_t, key) => (key === fc.toStringMethod ? () => 'Proxy that throws' : typeof key === 'symbol' ? undefined : boom('proxy')()),
      has: (_t, key) => (typeof key === 'symbol' ? false : boom('proxy')()),
      ownKeys: boom('proxy'),
      getOwnPropertyDescriptor: boom('proxy'),
    },
  ),
);

const badNumber = fc.oneof(
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, -1, 0.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 64, Number.MAX_VALUE, Number.MIN_VALUE, 4194305),
  fc.integer({ min: -(2 ** 31), max: 0 }),
);
const badPath = fc.oneof(
  fc.constantFrom(
    '',
    '..',
    '../..',
    '/..',
    '/../../../../etc',
    '/sys/fs/cgroup/../../etc',
    'a\0b',
    '/\0',
    '/sys/fs/cgroup/unified\0/etc',
    '/etc',
    '/proc/self',
    '/dev/null',
    '/nonexistent-jobscope/x',
    'x'.repeat(5000),
    '/' + 'x'.repeat(5000),
    '/' + 'a/'.repeat(3000),
    '\u202e\u0000',
    'C:\\Windows',
  ),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }).map((s) => '/' + s),
);
const badValue: fc.Arbitrary<unknown> = fc.oneof(
  badNumber,
  fc.bigInt(),
  fc.string({ maxLength: 20 }),
  fc.constantFrom(null, undefined, true, false, [], {}, [1], () => 1, Symbol('s'), new Date(0), /re/, new Map()),
  badPath,
  hostile(['name', 'parent', 'limits', 'path', 'file', 'length', '0']),
  throwingProxy,
);
const validName = fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,20}$/).map((n) => `props-${n}`);
const limitsArb = fc.oneof(
  badValue,
  fc.record(
    {
      cpuRate: badValue,
      cpuWeight: fc.oneof(badValue, fc.integer({ min: -3, max: 12 })),
      memoryBytes: badValue,
      processMemoryBytes: badValue,
      activeProcesses: fc.oneof(badValue, fc.integer({ min: -3, max: 2 ** 23 })),
      maxIops: badValue,
      maxBandwidthBytes: badValue,
      affinity: fc.oneof(badValue, fc.constantFrom('0', '18446744073709551616', '1e3', '-1', ' 1', '1'.repeat(25))),
      killOnClose: badValue,
      bogus: badValue,
      ['__proto__']: badValue,
    },
    { requiredKeys: [] },
  ),
);

test('createJob: bad options throw a named error; anything it creates is a new, empty job', { skip }, () => {
  fc.assert(
    fc.property(
      fc.oneof(
        badValue,
        fc.record({ name: fc.oneof(badValue, validName), parent: fc.oneof(badValue, badPath), limits: limitsArb }, { requiredKeys: [] }),
      ),
      (options) => {
        const result = attempt('createJob', () => native.createJob(options as never));
        if (result.ok) {
          created.push(result.value);
          assert.ok(result.value.path.startsWith(native.hostInfo().cgroup2Mount! + '/'), result.value.path);
          assert.deepEqual(result.value.pids(), []);
          result.value.close();
        }
        assertUntouched();
      },
    ),
    { numRuns: NUM_RUNS, seed },
  );
});

test('openJob: bad paths throw; whatever opens is a cgroup inside the cgroup2 mount', { skip }, () => {
  const mount = native.hostInfo().cgroup2Mount!;
  fc.assert(
    fc.property(fc.oneof(badValue, fc.record({ path: fc.oneof(badPath, badValue) }, { requiredKeys: [] })), (options) => {
      const result = attempt('openJob', () => native.openJob(options as never));
      if (result.ok) {
        const path = result.value.path;
        assert.ok(path === mount || path.startsWith(mount + '/'), `${path} is inside ${mount}`);
        assert.ok(!path.includes('\0'));
        result.value.close();
      }
      assertUntouched();
    }),
    { numRuns: NUM_RUNS, seed },
  );
});

test('assign, terminate: bad pids and exit codes throw and move or kill nothing', { skip }, () => {
  // Pids that are integers in range are only ever ones no process can have (above pid_max).
  const pid = fc.oneof(
    badValue.filter((v) => !(Number.isInteger(v) && (v as number) >= 1 && (v as number) <= pidMax)),
    pidMax < 4194304 ? fc.integer({ min: pidMax + 1, max: 4194304 }) : fc.constant(-1),
  );
  fc.assert(
    fc.property(pid, fc.constantFrom(guard, scratch, closedJob), (value, job) => {
      const result = attempt('assign', () => job.assign(value as number));
      assert.equal(result.ok, false, `assign(${fc.stringify(value)}) must not succeed`);
      assertUntouched();
    }),
    { numRuns: NUM_RUNS, seed },
  );
  const exitCode = badValue.filter((v) => v !== undefined && !(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff));
  fc.assert(
    fc.property(exitCode, (value) => {
      const result = attempt('terminate', () => guard.terminate(value as number));
      assert.equal(result.ok, false, `terminate(${fc.stringify(value)}) must not succeed`);
      assertUntouched();
    }),
    { numRuns: NUM_RUNS, seed },
  );
});

test('setLimits: bad changes throw before any change; good ones touch only the job named', { skip }, () => {
  fc.assert(
    fc.property(limitsArb, (changes) => {
      const before = scratch.limits();
      const result = attempt('setLimits', () => scratch.setLimits(changes as never));
      if (!result.ok) {
        // "Bad values throw before any change" (index.d.ts); an OS refusal may come after a partial write.
        const after = scratch.limits();
        if (JSON.stringify(after) !== JSON.stringify(before)) scratch.setLimits(before.limits);
      }
      assertUntouched();
    }),
    { numRuns: NUM_RUNS, seed },
  );
  scratch.setLimits({ cpuRate: null, cpuWeight: null, memoryBytes: null, activeProcesses: null, maxIops: null, maxBandwidthBytes: null });
});

test('launch: bad options throw and start nothing', { skip }, async () => {
  // The file is never a real program: a bad value, or a path under a directory that does not exist.
  const file = fc.oneof(badValue, badPath.map((p) => `/nonexistent-jobscope/${p}`));
  const strings = fc.oneof(badValue, fc.array(fc.oneof(badValue, fc.string({ maxLength: 10 })), { maxLength: 4 }));
  const env = fc.oneof(badValue, fc.dictionary(fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom('', 'A=B', 'a\0b')), fc.oneof(fc.string({ maxLength: 5 }), badValue), { maxKeys: 3 }));
  await fc.assert(
    fc.asyncProperty(fc.oneof(badValue, fc.record({ file, args: strings, cwd: fc.oneof(badValue, badPath), env }, { requiredKeys: ['file'] })), async (options) => {
      const result = attempt('launch', () => scratch.launch(options as never));
      if (result.ok) {
        process.kill(result.value, 'SIGKILL');
        assert.fail(`launch(${fc.stringify(options)}) started pid ${result.value}`);
      }
      // A launch that failed at chdir or exec reports it before its forked child has quite left the
      // cgroup; wait for the kernel to let go of it.
      for (let i = 0; i < 200 && procs(scratch).length > 0; i += 1) await new Promise((r) => setTimeout(r, 10));
      assertUntouched();
    }),
    { numRuns: NUM_RUNS, seed },
  );
});

test('sampleJobs and startNotifications: anything but their real arguments is a TypeError', { skip }, () => {
  const element = fc.oneof(badValue, fc.constantFrom(guard, scratch, closedJob), fc.constant(Object.create(native.Job.prototype)));
  fc.assert(
    fc.property(fc.oneof(badValue, fc.array(element, { maxLength: 6 })), (jobs) => {
      const result = attempt('sampleJobs', () => native.sampleJobs(jobs as never));
      if (result.ok) for (const sample of result.value) assert.ok(sample.state === 'live' || sample.state === 'gone');
      assertUntouched();
    }),
    { numRuns: NUM_RUNS, seed },
  );
  fc.assert(
    fc.property(badValue.filter((v) => typeof v !== 'function'), (listener) => {
      assert.throws(() => native.startNotifications(listener as never), TypeError);
    }),
    { numRuns: 100, seed },
  );
});

test('Job methods called on something that is not a Job, and `new Job()`, throw', { skip }, () => {
  const methods = ['assign', 'pids', 'processorStats', 'memoryStats', 'terminate', 'close', 'info', 'limits', 'setLimits', 'launch', 'freeze', 'thaw', 'createChild'] as const;
  const proto = native.Job.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const self of [{}, Object.create(native.Job.prototype), native.Job.prototype, 1, 'x', null, undefined]) {
    for (const method of methods) {
      const result = attempt(`Job.prototype.${method}.call(${String(self)})`, () => proto[method].call(self, sleeper.pid));
      assert.equal(result.ok, false, `${method} on a non-Job must throw`);
    }
  }
  assert.throws(() => new (native.Job as unknown as new () => unknown)(), TypeError);
  assertUntouched();
});

test('found by the properties: a NUL in a path is refused, not cut at; a hollow Job is not a Job', { skip }, () => {
  const mount = native.hostInfo().cgroup2Mount!;
  // Before the fix, each of these opened or created at the path before the NUL (the hierarchy's root).
  assert.throws(() => native.openJob({ path: '/\0anything' }), { name: 'RangeError', message: 'options.path must not contain NUL characters' });
  assert.throws(() => native.openJob({ path: `${mount}\0/etc` }), RangeError);
  assert.throws(() => native.createJob({ parent: `${mount}\0/x`, name: `props-nul-${process.pid}` }), {
    name: 'RangeError',
    message: 'options.parent must not contain NUL characters',
  });
  // Before the fix: a plain Error "Invalid argument" with no code.
  assert.throws(() => native.sampleJobs([Object.create(native.Job.prototype)]), {
    name: 'TypeError',
    message: 'jobs[0] is not a Job, got an object',
  });
  assert.throws(() => guard.assign(Symbol('s') as never), { message: 'pid must be a number, got a symbol' });
  assert.throws(() => guard.assign(10n as never), { message: 'pid must be a number, got a bigint' });
  assertUntouched();
});
