// `--check`: whether a run did what it should, not how fast: every selected section has its rows, the counts
// match what was asked for, no figure is NaN, every empty row says why it was skipped, nothing failed and
// nothing was left behind. The Wine pass of `npm run test:win` fails on any of these.
import type { Row } from './lib';
import type { Options, Results } from './run';
import type { Reader } from './sampling';

export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

const allFinite = (values: number[]) => values.every((v) => Number.isFinite(v));
const positive = (values: number[]) => values.length > 0 && values.every((v) => Number.isFinite(v) && v > 0);
// systemd-cgtop's per-tick cost is a difference of two wall times: with few ticks on a busy machine it can
// come out negative, which is noise, not a broken run.
const reasonable = (r: Reader) => (r.meanOnly ? r.perJobUs.length > 0 && allFinite(r.perJobUs) : positive(r.perJobUs));

export function checkRun(results: Results, rows: Row[], opts: Options, left: string[]): Check[] {
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail?: string) => checks.push({ name, ok, detail: ok ? undefined : detail });

  if (opts.only.has('sampling')) {
    for (const n of opts.ns) {
      const s = results.sampling.find((r) => r.n === n);
      if (!s) {
        check(`sampling N=${n}: measured`, false, 'no result');
        continue;
      }
      const nativeUs = s.readers[0].perJobUs;
      check(`sampling N=${n}: ${opts.ticks} native ticks, each > 0 µs/job`, nativeUs.length === opts.ticks && positive(nativeUs), `${nativeUs.length} ticks: ${nativeUs.join(', ')}`);
      check(`sampling N=${n}: every job sampled live with all ${s.members} members`, s.members >= 1 && s.complete === n, `${s.complete} of ${n}, ${s.members} members per job`);
      for (const r of s.readers.slice(1)) {
        const ran = r.perJobUs.length > 0;
        check(`sampling N=${n}: ${r.name} ${ran ? 'measured' : 'skipped with its reason'}`, ran ? reasonable(r) : /^(skipped|not available): ./.test(r.note ?? ''), ran ? r.perJobUs.join(', ') : `note: ${r.note}`);
      }
    }
  }
  if (opts.only.has('processes')) {
    const own = results.processes[0];
    // Measured while the largest job set was alive: its sleepers, this process and the system's.
    const sleepers = opts.ns[opts.ns.length - 1] * (results.sampling[0]?.members ?? 2);
    check(
      `process list: native.listProcesses measured, listing the ${sleepers} sleepers and more`,
      own !== undefined && Number.isFinite(own.medianMs) && Number.isFinite(own.p95Ms) && own.processes > sleepers,
      own ? `median ${own.medianMs} ms, ${own.processes} processes` : 'no result',
    );
  }
  if (opts.only.has('recording')) {
    for (const n of opts.ns) {
      const r = results.recording.find((x) => x.n === n);
      check(
        `recording N=${n}: ${opts.ticks} ticks appended, bytes written`,
        r !== undefined && r.ticks === opts.ticks && allFinite([r.appendMedianUs, r.appendP95Us, r.sampleUs]) && r.bytesPerTick > 0,
        r ? JSON.stringify(r) : 'no result',
      );
    }
  }
  if (opts.only.has('notify')) {
    const l = results.latency.find((x) => x.name === 'exit -> JobService event');
    check(
      `notifications: all ${opts.exits} exits reached the JobService, each after its kill`,
      l !== undefined && l.missing === 0 && l.latenciesMs.length === opts.exits && allFinite(l.latenciesMs) && Math.min(...l.latenciesMs) >= 0,
      l ? `${l.latenciesMs.length} seen, ${l.missing} missing, min ${Math.min(...l.latenciesMs)} ms` : 'no result',
    );
    const dom = results.latency.find((x) => x.name.includes('DOM'));
    const domSkipped = dom !== undefined && dom.latenciesMs.length === 0 && /^skipped: ./.test(dom.note ?? '');
    check(
      `notifications: ${domSkipped ? 'the DOM row skipped with its reason' : `all ${opts.exits} exits reached the DOM`}`,
      dom !== undefined && (domSkipped || (dom.missing === 0 && dom.latenciesMs.length === opts.exits && allFinite(dom.latenciesMs))),
      dom ? `${dom.latenciesMs.length} seen, ${dom.missing} missing, ${dom.note}` : 'no result',
    );
  }
  if (opts.only.has('soak')) {
    check('main process: both soaks measured', results.soaks.length === 2, `${results.soaks.length} soaks`);
    for (const s of results.soaks)
      check(`main process: ${s.jobs} jobs at ${s.hz} Hz: CPU and RSS figures`, allFinite([s.cpuPercent, s.rssStartMiB, s.rssEndMiB]) && s.rssEndMiB > 0, JSON.stringify(s));
  }
  if (opts.only.has('frames')) {
    const f = results.frames;
    check(
      `renderer: ${f || !/^skipped: ./.test(results.frameNote ?? '') ? 'frames measured' : 'skipped with its reason'}`,
      f ? f.frames > 0 && allFinite([f.p50Ms, f.p95Ms, f.p99Ms, f.droppedPercent]) : /^skipped: ./.test(results.frameNote ?? ''),
      f ? JSON.stringify(f) : results.frameNote,
    );
  }

  const bad = rows.filter((r) => [r.result, r.ratio ?? '', r.note ?? ''].some((cell) => /NaN|Infinity|undefined/.test(cell)));
  check('table: no NaN, Infinity or undefined in any row', bad.length === 0, bad.map((r) => `${r.section} / ${r.what}`).join('; '));
  const unexplained = rows.filter((r) => r.result === '—' && !/^(skipped|not available): ./.test(r.note ?? ''));
  check('table: every empty row is a skip with its reason', unexplained.length === 0, unexplained.map((r) => `${r.section} / ${r.what}: ${r.note ?? 'no note'}`).join('; '));
  check('no section failed', results.errors.length === 0, results.errors.join('; '));
  check('cleanup: no jobs or processes left behind', left.length === 0, left.join(', '));
  return checks;
}
