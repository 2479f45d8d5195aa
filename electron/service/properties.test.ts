// Property-based: random and malformed commands thrown at JobService.handle. Every one is answered with
// {ok:false, error} (a readable sentence), none throws, and none changes the held jobs or the membership of
// a real job with a real sleeping child in it. Values are JS values handed to the handler directly, so
// NaN, Infinity, bigint, undefined and getters that throw are in reach too (JSON transports cannot carry them).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { commandSchema, type AppState, type CommandReply, type JobSummary } from '../contract';
import { JobService } from './job-service';

const service = new JobService({ intervalMs: 250 });
let job: JobSummary;
let sleeper: ChildProcess;

async function ok<T>(command: unknown): Promise<T> {
  const reply = await service.handle(command);
  if (!reply.ok) assert.fail(`${JSON.stringify(command)} failed: ${reply.error}`);
  return reply.result as T;
}

/** The kernel's own list of the job's members, not the addon's. */
const members = (): number[] =>
  readFileSync(`${job.path}/cgroup.procs`, 'utf8').trim().split('\n').filter(Boolean).map(Number).sort((a, b) => a - b);

before(async () => {
  service.start();
  job = await ok<JobSummary>({ type: 'createJob', name: `props-${process.pid}` });
  sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
  const attach = await ok<{ attached: number[] }>({ type: 'attach', jobId: job.id, pids: [sleeper.pid] });
  assert.deepEqual(attach.attached, [sleeper.pid]);
});

after(async () => {
  sleeper.kill('SIGKILL');
  await new Promise((resolve) => (sleeper.exitCode !== null || sleeper.signalCode !== null ? resolve(null) : sleeper.once('exit', resolve)));
  // The cgroup empties a moment after the child is reaped.
  for (let i = 0; i < 100 && members().length > 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  const { leftBehind } = service.stop();
  assert.deepEqual(leftBehind, []);
});

const COMMAND_TYPES = ['getState', 'createJob', 'openJob', 'listProcesses', 'attach', 'terminateJob', 'closeJob', 'getHistory'];
const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'];

/** Values that are wrong for nearly every field. */
const badValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.double(), // NaN, ±Infinity, -0, huge, tiny
  fc.integer({ min: -(2 ** 31), max: 0 }),
  fc.constantFrom(0, -1, 1.5, 2 ** 22 + 1, 2 ** 32, 2 ** 53, Number.MAX_VALUE, -Number.MAX_VALUE, NaN, Infinity, -Infinity),
  fc.bigInt(),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }), // lone surrogates too
  fc.constantFrom('', '..', '../../etc', '/etc/passwd', 'a\0b', '\u202e', 'x'.repeat(100_000), '1', 'NaN'),
  fc.constantFrom(null, undefined, true, false, [], {}, [1], [[]], { valueOf: () => 1 }),
  fc.array(fc.oneof(fc.double(), fc.integer(), fc.string()), { maxLength: 5 }),
);

/** An object with a getter that throws, or a Proxy that throws on every trap: no transport makes these. */
const boom = (what: string) => (): never => {
  throw new Error(`${what} boom`);
};
/** fast-check prints a counterexample through this, without touching the hostile getters. */
const labelled = <T extends object>(value: T, label: string): T =>
  Object.defineProperty(value, fc.toStringMethod, { value: () => label, enumerable: false });
const hostile: fc.Arbitrary<unknown> = fc.constantFrom(...COMMAND_TYPES).chain((type) =>
  fc.constantFrom<unknown>(
    labelled(Object.defineProperty({ type }, 'jobId', { enumerable: true, get: boom('getter') }), `{type:${type}, get jobId() throws}`),
    labelled(Object.defineProperty({}, 'type', { enumerable: true, get: boom('getter') }), '{get type() throws}'),
    new Proxy(
      { type },
      {
        // Symbol keys are fast-check's own probes; every string key throws.
        get: (_target, key) =>
          key === fc.toStringMethod ? () => `Proxy{type:${type}} that throws` : typeof key === 'symbol' ? undefined : boom('proxy')(),
        has: (_target, key) => (typeof key === 'symbol' ? false : boom('proxy')()),
        ownKeys: boom('proxy'),
        getOwnPropertyDescriptor: boom('proxy'),
      },
    ),
    Object.create(null),
    Object.assign(Object.create({ type }), {}), // the type only on the prototype
  ),
);

/** A command of every type with one or more fields wrong, extra keys, or prototype-pollution keys. */
const nearMiss: fc.Arbitrary<unknown> = fc
  .record({
    type: fc.oneof(fc.constantFrom(...COMMAND_TYPES), fc.constantFrom('GETSTATE', 'getState ', 'createjob', '__proto__', 'constructor')),
    jobId: fc.oneof(badValue, fc.constant(job_id_placeholder())),
    pids: fc.oneof(badValue, fc.array(badValue, { maxLength: 5 }), fc.constant(Array.from({ length: 4097 }, (_, i) => i + 2))),
    name: badValue,
    path: badValue,
    exitCode: badValue,
    extraKey: fc.oneof(fc.constantFrom(...POLLUTION_KEYS, 'extra', 'type2'), fc.string({ maxLength: 10 })),
    extraValue: badValue,
  })
  .chain((parts) =>
    fc.subarray(['jobId', 'pids', 'name', 'path', 'exitCode', 'extra'] as const).map((keys) => {
      // Built from JSON where possible, so `__proto__` becomes an own key as JSON.parse makes it.
      const command: Record<string, unknown> = JSON.parse('{}');
      command.type = parts.type;
      for (const key of keys) {
        if (key === 'extra') Object.defineProperty(command, parts.extraKey, { value: parts.extraValue, enumerable: true, configurable: true, writable: true });
        else command[key] = parts[key];
      }
      return command;
    }),
  );

// The real job's id is only known once `before` ran; near misses aim at it through this indirection.
function job_id_placeholder(): string {
  return 'held-job-id';
}
const aimAtHeldJob = (value: unknown): unknown => {
  try {
    if (value !== null && typeof value === 'object' && (value as Record<string, unknown>).jobId === 'held-job-id')
      (value as Record<string, unknown>).jobId = job.id;
  } catch {
    // a hostile value: left as it is
  }
  return value;
};

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  fc.anything({ key: fc.oneof(fc.string(), fc.constantFrom('type', ...POLLUTION_KEYS)), withBigInt: true, withNullPrototype: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withDate: true }),
  fc.constantFrom(...COMMAND_TYPES).map((type) => type), // a bare string, not an object
  hostile,
  nearMiss,
);

/** Commands that are valid and would legitimately change something (create, open, or act on our job). */
function wouldActLegitimately(value: unknown): boolean {
  let parsed;
  try {
    parsed = commandSchema.safeParse(value);
  } catch {
    return false; // a hostile value: the handler must cope with it
  }
  if (!parsed.success) return false;
  const command = parsed.data;
  if (command.type === 'createJob' || command.type === 'openJob') return true;
  return 'jobId' in command && command.jobId === job.id;
}

function isReadable(error: unknown): boolean {
  return (
    typeof error === 'string' &&
    error.length > 0 &&
    error.length < 20_000 &&
    !error.includes('[object Object]') &&
    !/^\s*$/.test(error)
  );
}

test('random and malformed commands are refused with a readable error and change nothing', async () => {
  const before = await ok<AppState>({ type: 'getState' });
  const membersBefore = members();
  assert.deepEqual(membersBefore, [sleeper.pid]);
  let refused = 0;
  let harmlessSuccesses = 0;

  await fc.assert(
    fc.asyncProperty(anyValue.map(aimAtHeldJob), async (value) => {
      fc.pre(!wouldActLegitimately(value));
      let reply: CommandReply;
      try {
        reply = await service.handle(value);
      } catch (error) {
        assert.fail(`handle threw ${String(error)}`);
      }
      assert.equal(typeof reply.ok, 'boolean');
      if (reply.ok) {
        // Only read-only commands may succeed here: getState, listProcesses, getHistory of no job of ours.
        harmlessSuccesses += 1;
      } else {
        refused += 1;
        assert.ok(isReadable(reply.error), `unreadable error ${JSON.stringify(reply.error)?.slice(0, 300)}`);
        assert.equal(Object.keys(reply).filter((key) => !['ok', 'error', 'code'].includes(key)).length, 0);
      }
      const now = await ok<AppState>({ type: 'getState' });
      assert.deepEqual(now.jobs, before.jobs, 'the held jobs are unchanged');
      assert.deepEqual(members(), membersBefore, "the job's members are unchanged");
    }),
    { numRuns: 500, seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31), endOnFailure: true },
  );
  console.log(`${refused} refused, ${harmlessSuccesses} read-only successes`);
  assert.ok(refused > 200, `${refused} refused, ${harmlessSuccesses} harmless successes`);
  assert.equal(({} as Record<string, unknown>).jobId, undefined, 'Object.prototype was not polluted');
  assert.equal(({} as Record<string, unknown>).type, undefined, 'Object.prototype was not polluted');
  assert.equal(sleeper.exitCode, null, 'the sleeper still runs');
  assert.equal(sleeper.signalCode, null, 'the sleeper still runs');
});

test('near misses of every command type name what is wrong', async () => {
  const cases: [unknown, RegExp][] = [
    [{ type: 'attach', jobId: job.id, pids: [NaN] }, /pids/],
    [{ type: 'attach', jobId: job.id, pids: [Infinity] }, /pids/],
    [{ type: 'attach', jobId: job.id, pids: [2 ** 22 + 1] }, /4194304/],
    [{ type: 'attach', jobId: job.id, pids: [] }, /pids/],
    [{ type: 'attach', jobId: NaN, pids: [2] }, /jobId/],
    [{ type: 'terminateJob', jobId: job.id, exitCode: -1 }, /exitCode/],
    [{ type: 'terminateJob', jobId: job.id, exitCode: 2 ** 32 }, /exitCode/],
    [{ type: 'terminateJob', jobId: job.id, exitCode: 0.5 }, /exitCode/],
    [{ type: 'closeJob', jobId: String(job.id) }, /jobId/],
    [{ type: 'closeJob', jobId: job.id, extra: 1 }, /extra/],
    [JSON.parse(`{"type":"closeJob","jobId":${job.id},"__proto__":{"admin":true}}`), /__proto__/],
    [{ type: 'createJob', name: 'x'.repeat(65) }, /job name/],
    [{ type: 'createJob', name: 'é' }, /job name/],
    [{ type: 'openJob', path: '' }, /path/],
    [{ type: 'openJob', path: 'x'.repeat(4097) }, /path/],
    [{ type: 'getHistory', jobId: 2 ** 53 }, /jobId|No job/],
    [Object.defineProperty({ type: 'closeJob' }, 'jobId', { enumerable: true, get: boom('getter') }), /Invalid command: it could not be read \(getter boom\)/],
  ];
  for (const [command, pattern] of cases) {
    const reply = await service.handle(command);
    assert.equal(reply.ok, false, `${String((command as { type?: string }).type)} should be refused`);
    assert.match((reply as { error: string }).error, pattern);
  }
  assert.deepEqual(members(), [sleeper.pid]);
});
