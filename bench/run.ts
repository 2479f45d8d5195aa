// `npm run bench [-- --quick] [--soak-seconds S] [--soak-history-s S] [--only a,b] [--results NAME]`: measures
// JobScope's sampler, process list, history memory, exit notifications, main-process CPU/RSS and renderer frame
// times in one run, prints one table, judges the targets, and writes bench/results.md and bench/results.json
// (NAME.md and NAME.json with --results).
// Linux-only comparisons are skipped on Windows with the reason printed. Every job and process it makes is
// removed at the end, on error and on Ctrl-C. `--check` verifies the run's output instead of publishing it
// (see check.ts): the Wine pass of `npm run test:win` uses it, as timings under an emulator are no Windows
// figures.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as native from '#native';
import { SAMPLES_WITH_PROCESS_ROWS } from '../electron/sample-history';
import { createJobSet, sweepLeftovers, type JobSet } from './jobs';
import { measureFrames, type FrameResult } from './frames';
import { measureHistory, type HistoryResult } from './history';
import {
  cleanupAll,
  fdLimit,
  fmt,
  isLinux,
  machineInfo,
  median,
  openFdCount,
  percentile,
  renderTable,
  verdict,
  type Row,
  type Target,
} from './lib';
import { checkRun } from './check';
import { measureDomLatency, measureServiceLatency, type LatencyResult } from './notify';
import { measureProcessList, type ListResult } from './processes';
import { measureRecording, type RecordingResult } from './recording';
import { buildFloor, measureSampling, stats, type SamplingResult } from './sampling';
import { chromiumPath } from './serve';
import { soak, type SoakResult } from './soak';

const SECTIONS = ['sampling', 'processes', 'recording', 'history', 'notify', 'soak', 'frames'] as const;
const DOM_LATENCY = 'exit -> DOM row (Chromium, serve)';

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      'soak-seconds': { type: 'string' },
      // The app keeps 15 minutes; a bench run cannot wait for that to fill (the history rows project it).
      'soak-history-s': { type: 'string', default: '10' },
      exits: { type: 'string' },
      ticks: { type: 'string', default: '50' },
      jobs: { type: 'string' },
      runs: { type: 'string' },
      only: { type: 'string' },
      'frame-seconds': { type: 'string' },
      check: { type: 'boolean', default: false },
      // Where the figures go: bench/<name>.md and .json (the pure-v2 guest's run keeps its own file).
      results: { type: 'string', default: 'results' },
    },
  });
  if (!/^[\w-]+$/.test(values.results!)) throw new Error(`--results: "${values.results}" is not a file name (letters, digits, - and _)`);
  const quick = values.quick!;
  const soakHistorySeconds = Number(values['soak-history-s']);
  if (!(soakHistorySeconds > 0)) throw new Error(`--soak-history-s: "${values['soak-history-s']}" is not a number of seconds above 0`);
  const only = values.only ? values.only.split(',') : [...SECTIONS];
  for (const s of only) if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`--only: unknown section "${s}"`);
  const count = (flag: string, text: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag}: "${text}" is not a whole number of at least 1`);
    return n;
  };
  return {
    quick,
    check: values.check!,
    ns: values.jobs ? values.jobs.split(',').map((n) => count('jobs', n)) : quick ? [10, 100] : [10, 100, 1000],
    ticks: count('ticks', values.ticks!),
    listRuns: values.runs ? count('runs', values.runs) : quick ? 10 : 30,
    soakSeconds: Number(values['soak-seconds'] ?? (quick ? 10 : 180)),
    soakHistorySeconds,
    exits: values.exits ? count('exits', values.exits) : quick ? 50 : 200,
    frameSeconds: Number(values['frame-seconds'] ?? (quick ? 5 : 15)),
    only: new Set(only),
    resultsName: values.results!,
  };
}
export type Options = ReturnType<typeof options>;

export interface Results {
  sampling: (SamplingResult & { fdsPerJob: number; nativeSyscalls: JobSet['nativeSyscalls'] })[];
  processes: ListResult[];
  recording: RecordingResult[];
  history?: HistoryResult;
  latency: LatencyResult[];
  soaks: SoakResult[];
  frames?: FrameResult;
  /** Why there is no frames row: "skipped: ..." or "failed: ...". */
  frameNote?: string;
  fileSet: string;
  errors: string[];
}

async function measure(opts: Options, log: (line: string) => void): Promise<Results> {
  const results: Results = { sampling: [], processes: [], recording: [], latency: [], soaks: [], fileSet: '', errors: [] };
  for (const section of SECTIONS) if (!opts.only.has(section)) log(`${section}: skipped: not in --only`);
  const chromium = chromiumPath();
  const noChromium = `no Chromium (${isLinux ? '/usr/bin/chromium is missing; ' : ''}set CHROMIUM_PATH)`;
  const floor = buildFloor();
  if (['sampling', 'processes', 'recording', 'history'].some((section) => opts.only.has(section))) {
    for (const n of opts.ns) {
      log(`sampling: creating ${n} jobs x 2 sleeping members`);
      const fdsBefore = openFdCount();
      const set = await createJobSet(n, 2);
      // After one sample: the sampler keeps each member's /proc/<pid>/stat open from its first sample on.
      if (isLinux) native.sampleJobs(set.jobs);
      const fdsPerJob = (openFdCount() - fdsBefore) / n;
      results.fileSet = set.fileSet;
      if (opts.only.has('sampling')) {
        log(`sampling: ${n} jobs, ${opts.ticks} ticks per reader`);
        results.sampling.push({ ...(await measureSampling(set, opts.ticks, opts.quick ? 2 : 7, floor)), fdsPerJob, nativeSyscalls: set.nativeSyscalls });
      }
      if (opts.only.has('processes') && n === opts.ns[opts.ns.length - 1]) {
        log(`process list: ${opts.listRuns} runs each`);
        results.processes = await measureProcessList(opts.listRuns);
      }
      if (opts.only.has('recording')) {
        log(`recording: ${n} jobs, ${opts.ticks} ticks appended to a recording`);
        results.recording.push(measureRecording(set, opts.ticks));
      }
      if (opts.only.has('history') && n === 100) {
        // 900 ticks: what each job's 15-minute window holds at 1 Hz, so per-job costs weigh as in the app.
        log(`history: ${n} jobs, 900 ticks held in columns and as objects`);
        results.history = measureHistory(set, 900);
      }
      await set.dispose();
    }
  }
  if (opts.only.has('notify')) {
    log(`notifications: ${opts.exits} exits -> JobService event`);
    results.latency.push(await measureServiceLatency(opts.exits));
    if (!chromium) {
      log(`notifications to the DOM: skipped: ${noChromium}`);
      results.latency.push({ name: DOM_LATENCY, latenciesMs: [], missing: 0, note: `skipped: ${noChromium}` });
    } else {
      log(`notifications: ${opts.exits} exits -> DOM in Chromium via serve mode`);
      try {
        results.latency.push(await measureDomLatency(opts.exits));
      } catch (error) {
        results.latency.push({ name: DOM_LATENCY, latenciesMs: [], missing: opts.exits, note: `failed: ${(error as Error).message.split('\n')[0]}` });
      }
    }
  }
  if (opts.only.has('soak')) {
    // RSS is flat only once the history window is full: the warm-up outlasts it.
    const warmup = Math.max(Math.min(15, Math.max(3, opts.soakSeconds / 4)), opts.soakHistorySeconds + 5);
    for (const [jobs, intervalMs] of opts.quick ? [[100, 1000], [100, 100]] : [[1000, 1000], [100, 100]]) {
      log(`soak: ${jobs} jobs at ${1000 / intervalMs} Hz, ${warmup} s warm-up + ${opts.soakSeconds} s`);
      try {
        results.soaks.push(await soak(jobs, intervalMs, opts.soakSeconds, warmup, opts.soakHistorySeconds));
      } catch (error) {
        results.errors.push(`soak ${jobs} jobs at ${1000 / intervalMs} Hz failed: ${(error as Error).message.split('\n')[0]}`);
        if (process.env.BENCH_DEBUG) console.error(error);
      }
    }
  }
  if (opts.only.has('frames') && !chromium) {
    log(`frames: skipped: ${noChromium}`);
    results.frameNote = `skipped: ${noChromium}`;
  } else if (opts.only.has('frames')) {
    log(`frames: 16 jobs at 10 Hz, ${opts.frameSeconds} s of frames in Chromium`);
    try {
      results.frames = await measureFrames(16, opts.frameSeconds);
    } catch (error) {
      results.frameNote = `failed: ${(error as Error).message.split('\n')[0]}`;
    }
  }
  return results;
}

/** The least-squares line through evenly spaced readings, at the first and the last. */
function fittedEnds(readings: number[]): { early: number; late: number } {
  const n = readings.length;
  const meanX = (n - 1) / 2;
  const meanY = readings.reduce((sum, y) => sum + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  readings.forEach((y, x) => {
    sxy += (x - meanX) * (y - meanY);
    sxx += (x - meanX) ** 2;
  });
  const slope = sxx > 0 ? sxy / sxx : 0;
  return { early: meanY - slope * meanX, late: meanY + slope * meanX };
}

function report(results: Results, opts: Options) {
  const rows: Row[] = [];
  const targets: Target[] = [];
  const floorMedian = (s: SamplingResult) => stats(s.readers.find((r) => r.name.startsWith('floor'))!).median;

  for (const s of results.sampling) {
    const floor = floorMedian(s);
    for (const r of s.readers) {
      const { median: m, p95 } = stats(r);
      rows.push({
        section: `sampling N=${s.n}`,
        what: r.name,
        result: r.perJobUs.length ? `${fmt(m, 2)} µs/job median, ${r.meanOnly ? 'p95 n/a' : `p95 ${fmt(p95, 2)}`}` : '—',
        ratio: r.perJobUs.length && Number.isFinite(floor) ? `${fmt(m / floor, 2)}x` : '',
        note: r.note ?? '',
      });
    }
    rows.push({ section: `sampling N=${s.n}`, what: 'jobs sampled live with all their members', result: `${s.complete} of ${s.n}`, note: `${s.members} sleeping members per job` });
  }
  const last = results.sampling[results.sampling.length - 1];
  if (last) {
    if (isLinux) {
      rows.push({ section: 'sampling', what: 'files read per job per tick', result: `${last.files / last.n}`, note: `${last.members} members per job` });
      rows.push({
        section: 'sampling',
        what: 'syscalls per job per native sample',
        result: `${fmt(last.nativeSyscalls.quiet, 0)} quiet tick, ${fmt(last.nativeSyscalls.full, 0)} after activity`,
        note: `open/read/pread/close on cgroup and /proc files (strace). The timed native ticks are quiet (sleeping members); every other row reads all ${last.files / last.n}`,
      });
      rows.push({ section: 'sampling', what: 'fds held by the native sampler per job', result: fmt(last.fdsPerJob, 2), note: `measured over N=${last.n} after one sample, poller's included; ${last.members} of them per-member /proc/<pid>/stat` });
    } else {
      rows.push({ section: 'sampling', what: 'files, syscalls and fds per job', result: '—', note: 'skipped: Linux only (a Windows job is queried through its handle, not read from files)' });
    }
    rows.push({ section: 'sampling', what: 'RLIMIT_NOFILE (soft / hard)', result: fdLimit() });
    const native = results.sampling.map((s) => stats(s.readers[0]).median);
    const floors = results.sampling.map(floorMedian);
    rows.push({
      section: 'sampling',
      what: `growth: native µs/job at N=${results.sampling.map((s) => s.n).join('/')}`,
      result: native.map((v) => fmt(v, 2)).join(' / '),
      note: `${floors.every(Number.isFinite) ? `floor ${floors.map((v) => fmt(v, 2)).join(' / ')}; ` : ''}constant µs/job = linear`,
    });
    const [nat, flo] = [native[native.length - 1], floors[floors.length - 1]];
    const naiveReader = last.readers.find((r) => r.name.startsWith('naive'))!;
    const naive = stats(naiveReader).median;
    const cgtop = last.readers.find((r) => r.name.startsWith('systemd-cgtop'))!;
    const floorNote = last.readers.find((r) => r.name.startsWith('floor'))!.note;
    targets.push({ name: `sampler within 1.25x the floor (N=${last.n})`, figure: Number.isFinite(flo) ? `${fmt(nat / flo, 2)}x` : floorNote ?? 'n/a', met: Number.isFinite(flo) ? nat / flo <= 1.25 : undefined });
    targets.push({
      name: `sampler >= 4x cheaper than naive Node reader (N=${last.n})`,
      figure: Number.isFinite(naive) ? `${fmt(naive / nat, 2)}x cheaper` : naiveReader.note ?? 'n/a',
      met: Number.isFinite(naive) ? naive / nat >= 4 : undefined,
    });
    const cg = stats(cgtop).median;
    targets.push({
      name: `sampler >= 4x cheaper than systemd-cgtop (N=${last.n})`,
      figure: Number.isFinite(cg) ? `${fmt(cg / nat, 2)}x cheaper` : cgtop.note ?? 'n/a',
      met: Number.isFinite(cg) ? cg / nat >= 4 : undefined,
    });
  }
  for (const p of results.processes) {
    rows.push({ section: 'process list', what: p.name, result: Number.isFinite(p.medianMs) ? `${fmt(p.medianMs, 2)} ms median, p95 ${fmt(p.p95Ms, 2)} (${p.processes} processes)` : '—', note: p.note ?? '' });
  }
  for (const r of results.recording) {
    rows.push({
      section: `recording N=${r.n}`,
      what: 'append one tick (records + write)',
      result: `${fmt(r.appendMedianUs, 1)} µs median, p95 ${fmt(r.appendP95Us, 1)}; ${fmt(r.bytesPerTick / 1024, 1)} KiB per tick`,
      note: `${fmt((r.appendMedianUs / r.sampleUs) * 100, 1)}% of the tick's native sample (${fmt(r.sampleUs, 1)} µs); ${r.ticks} ticks`,
    });
  }
  const h = results.history;
  if (h) {
    rows.push({
      section: 'history',
      what: `bytes per held sample (N=${h.jobs})`,
      result: `${fmt(h.columnBytesPerSample, 0)} B in columns, ${fmt(h.objectBytesPerSample, 0)} B as objects (${fmt(h.objectBytesPerSample / h.columnBytesPerSample)}x)`,
      note:
        `${h.samples} real samples, ${h.members} sleeping members per job; V8 heap + ArrayBuffers after a full GC; the newest ` +
        `${SAMPLES_WITH_PROCESS_ROWS} per job keep their rows either way. Busy jobs widen columns: at most 192 B + 40 B per IO device`,
    });
    const projected = (jobs: number, hz: number, bytes: number) => fmt((bytes * jobs * hz * 15 * 60) / 2 ** 20, 0);
    rows.push({
      section: 'history',
      what: 'projected full 15-minute history',
      result: [
        [1000, 1],
        [100, 10],
      ]
        .map(([jobs, hz]) => `${jobs} jobs at ${hz} Hz: ${projected(jobs, hz, h.columnBytesPerSample)} MiB (as objects ${projected(jobs, hz, h.objectBytesPerSample)})`)
        .join('; '),
      note: 'bytes per held sample (at 900 per job) x jobs x rate x 900 s',
    });
  }
  for (const l of results.latency) {
    const ok = l.latenciesMs.length > 0;
    rows.push({
      section: 'notifications',
      what: l.name,
      result: ok ? `p50 ${fmt(median(l.latenciesMs), 2)} ms, p99 ${fmt(percentile(l.latenciesMs, 99), 2)} ms, max ${fmt(Math.max(...l.latenciesMs), 2)} (${l.latenciesMs.length} exits${l.missing ? `, ${l.missing} never seen` : ''})` : '—',
      note: l.note ?? '',
    });
    if (l.name.includes('DOM')) {
      const p99 = percentile(l.latenciesMs, 99);
      targets.push({ name: 'exit -> DOM p99 < 50 ms', figure: ok ? `${fmt(p99, 2)} ms${l.missing ? ` (${l.missing} missing)` : ''}` : l.note ?? 'n/a', met: ok ? p99 < 50 && l.missing === 0 : undefined });
    }
  }
  for (const s of results.soaks) {
    // Flat is judged on the trend: the least-squares line through every reading, its rise over the run against
    // its start. Single readings land anywhere on the V8 heap's sawtooth (young space grown, then released
    // after a full GC), which says where the collector is, not whether memory is kept; the range is shown too.
    const { early, late } = fittedEnds(s.rssReadingsMiB);
    const trend = (late - early) / early;
    const history = s.historySeconds >= 15 * 60 ? "the app's 15-minute history" : `a ${s.historySeconds} s history (the app keeps 15 min: see the history rows)`;
    rows.push({
      section: 'main process',
      what: `${s.jobs} jobs at ${s.hz} Hz for ${s.seconds} s`,
      result: `CPU ${fmt(s.cpuPercent, 2)}% of a core; RSS ${fmt(s.rssStartMiB)} -> ${fmt(s.rssEndMiB)} MiB (${fmt(s.rssMinMiB)}-${fmt(s.rssMaxMiB)}; fitted start / end ${fmt(early)} / ${fmt(late)})`,
      note: s.leftBehind.length ? `left behind: ${s.leftBehind.join('; ')}` : `after a warm-up that filled ${history}`,
    });
    targets.push({
      name: `RSS flat within 10% after warm-up (${s.jobs} jobs, ${s.hz} Hz)`,
      figure: `${trend >= 0 ? '+' : ''}${fmt(trend * 100)}% (least-squares line through ${s.rssReadingsMiB.length} readings, end vs start)`,
      met: Math.abs(trend) <= 0.1,
    });
  }
  const big = results.soaks.find((s) => s.jobs === 1000 && s.hz === 1);
  if (opts.only.has('soak'))
    targets.push({ name: '1000 jobs at 1 Hz under 1.5% of one core', figure: big ? `${fmt(big.cpuPercent, 2)}%` : 'not run (--quick)', met: big ? big.cpuPercent < 1.5 : undefined });
  if (results.frames) {
    const f = results.frames;
    rows.push({
      section: 'renderer',
      what: `frame interval, ${f.chartsShown} live charts at 10 Hz (${f.jobs} jobs held)`,
      result: `p50 ${fmt(f.p50Ms, 2)} ms, p95 ${fmt(f.p95Ms, 2)}, p99 ${fmt(f.p99Ms, 2)}; ${fmt(f.droppedPercent, 2)}% frames dropped; main thread busy ${fmt(f.mainThreadPercent)}%`,
      note: `${f.frames} rAF frames; Compare view, CPU + memory of ${f.chartsShown / 2} jobs`,
    });
    targets.push({
      name: `frame p95 < 16 ms (${f.chartsShown} live charts)`,
      figure: `${fmt(f.p95Ms, 2)} ms (vsync ${fmt(f.vsyncMs, 2)} ms; judged as p95 <= 1.1 x vsync: the 95th-percentile frame is not a dropped one)`,
      met: f.p95Ms <= f.vsyncMs * 1.1,
    });
  } else if (opts.only.has('frames')) {
    rows.push({ section: 'renderer', what: 'frame interval', result: '—', note: results.frameNote });
  }
  for (const error of results.errors) rows.push({ section: 'error', what: '', result: '—', note: error });
  return { rows, targets };
}

async function main(): Promise<void> {
  let opts: Options;
  try {
    opts = options();
  } catch (error) {
    // A mistyped flag is the user's to fix: its message, not a stack.
    console.error(`[bench] ${(error as Error).message} (flags: README.md, "Benchmarks")`);
    process.exit(2);
  }
  const log = (line: string) => console.error(`[bench] ${line}`);
  const machine = machineInfo();
  if (!isLinux) log('not Linux: the C floor, naive file reader, systemd-cgtop, /proc reader and ps rows are skipped');
  const started = performance.now();
  const results = await measure(opts, log);
  await cleanupAll();
  const left = await sweepLeftovers();
  const { rows, targets } = report(results, opts);
  const mode = opts.quick ? 'quick' : 'full';
  const header = `JobScope bench (${mode}), ${machine.date}: ${machine.cpu}, ${machine.cores} cores, ${machine.kernel}, Node ${machine.node}`;
  const table = renderTable(['Section', 'Measure', 'Result', 'vs floor', 'Note'], rows.map((r) => [r.section, r.what, r.result, r.ratio ?? '', r.note ?? '']));
  const targetTable = renderTable(['Target', 'This run', 'Verdict'], targets.map((t) => [t.name, t.figure, verdict(t.met)]));
  const fileSet = results.fileSet ? `Files read per job by every sampler row: ${results.fileSet}.` : '';
  const leftLine = left.length ? `LEFT BEHIND: ${left.join(', ')}` : 'Cleanup: no jobs, cgroups or processes left behind.';
  const took = `Took ${fmt((performance.now() - started) / 1000)} s.`;
  if (opts.check) {
    // Judged on what it did, not how fast: no targets, nothing written.
    const checks = checkRun(results, rows, opts, left);
    const failed = checks.filter((c) => !c.ok).length;
    const lines = checks.map((c) => `${c.ok ? 'ok    ' : 'FAILED'} ${c.name}${c.detail ? `: ${c.detail}` : ''}`);
    console.log([`\n${header}, check run (correctness only: its timings are not measurements and are not written)`, table, fileSet, `Checks\n\n${lines.join('\n')}`, `${leftLine} ${took}`].filter(Boolean).join('\n\n'));
    console.log(`bench check: ${checks.length - failed} passed, ${failed} failed`);
    process.exitCode = failed ? 1 : 0;
    return;
  }
  console.log([`\n${header}`, table, fileSet, `Targets\n\n${targetTable}`, `${leftLine} ${took}`].filter(Boolean).join('\n\n'));

  const md = [
    '# JobScope benchmark results',
    '',
    `Latest run: \`npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` (${mode}), written by bench/run.ts. Do not edit by hand.`,
    '',
    '| Machine | |',
    '|---|---|',
    `| CPU | ${machine.cpu} |`,
    `| Cores | ${machine.cores} |`,
    `| Memory | ${machine.memory} |`,
    `| Kernel | ${machine.kernel} |`,
    `| OS | ${machine.os} |`,
    `| Node | ${machine.node} |`,
    `| Date | ${machine.date} |`,
    `| Conditions | ${process.env.BENCH_NOTE ?? 'not stated (set BENCH_NOTE, e.g. "quiet machine")'} |`,
    '',
    '## Figures',
    '',
    table,
    '',
    fileSet,
    '',
    '## Targets',
    '',
    targetTable,
    '',
  ].join('\n');
  writeFileSync(path.join(__dirname, `${opts.resultsName}.md`), md);
  writeFileSync(
    path.join(__dirname, `${opts.resultsName}.json`),
    JSON.stringify({ mode, machine, conditions: process.env.BENCH_NOTE ?? null, fileSet: results.fileSet, rows, targets, raw: summarizeRaw(results) }, null, 2) + '\n',
  );
  process.exitCode = left.length ? 1 : 0;
}

/** The raw figures without the per-tick arrays (those stay out of the committed file). */
function summarizeRaw(results: Results) {
  return {
    sampling: results.sampling.map((s) => ({
      n: s.n,
      members: s.members,
      files: s.files,
      fdsPerJob: s.fdsPerJob,
      readers: s.readers.map((r) => ({ name: r.name, ...stats(r), note: r.note })),
    })),
    processes: results.processes,
    latency: results.latency.map((l) => ({ name: l.name, p50: median(l.latenciesMs), p99: percentile(l.latenciesMs, 99), count: l.latenciesMs.length, missing: l.missing })),
    history: results.history ?? null,
    soaks: results.soaks,
    frames: results.frames ?? null,
  };
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return; // a second Ctrl-C does not abort the cleanup already running
    interrupted = true;
    console.error(`\n[bench] ${signal}: cleaning up`);
    void cleanupAll().then(async () => {
      const left = await sweepLeftovers();
      if (left.length) console.error(`[bench] left behind: ${left.join(', ')}`);
      process.exit(130);
    });
  });
}

main().catch(async (error) => {
  console.error(`[bench] failed: ${(error as Error).stack ?? error}`);
  await cleanupAll();
  const left = await sweepLeftovers();
  if (left.length) console.error(`[bench] left behind: ${left.join(', ')}`);
  process.exit(1);
});
