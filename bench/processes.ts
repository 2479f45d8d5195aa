// Process list: native.listProcesses() against a plain-Node /proc reader producing the same fields, and
// against `ps`. Each is timed end to end (for ps that includes starting it; for the native list, its worker
// thread and the promise settling), median over runs.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import * as native from '#native';
import { isLinux, median, percentile } from './lib';

export interface ListResult {
  name: string;
  medianMs: number;
  p95Ms: number;
  processes: number;
  note?: string;
}

/** The fields of native ProcessInfo, read from /proc the obvious way. */
function nodeListProcesses(): native.ProcessInfo[] {
  const users = new Map<number, string>();
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f.length > 2) users.set(Number(f[2]), f[0]);
  }
  const pageSize = 4096;
  const list: native.ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' '); // f[0] is field 3 (state)
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0+$/, '').replaceAll('\0', ' ');
      const uid = Number(/\nUid:\s+(\d+)/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1] ?? 0);
      const group = /^0::(.*)$/m.exec(readFileSync(`/proc/${entry}/cgroup`, 'utf8'))?.[1] ?? '';
      let imagePath = '';
      try {
        imagePath = readlinkSync(`/proc/${entry}/exe`);
      } catch {
        // kernel thread, or not ours to read
      }
      const hz = 100; // _SC_CLK_TCK on Linux
      list.push({
        pid: Number(entry),
        ppid: Number(f[1]),
        name,
        commandLine: cmdline || `[${name}]`,
        user: users.get(uid) ?? String(uid),
        residentBytes: Number(f[21]) * pageSize,
        group,
        imagePath,
        cpuTimeUs: ((Number(f[11]) + Number(f[12])) * 1e6) / hz,
        inJob: group !== '' && group !== '/',
      });
    } catch {
      // exited while being read
    }
  }
  return list;
}

async function time(name: string, runs: number, list: () => number | Promise<number>, note?: string): Promise<ListResult> {
  await list(); // warm-up
  const ms: number[] = [];
  let processes = 0;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    processes = await list();
    ms.push(performance.now() - start);
  }
  return { name, medianMs: median(ms), p95Ms: percentile(ms, 95), processes, note };
}

export async function measureProcessList(runs: number): Promise<ListResult[]> {
  const results = [await time('JobScope native.listProcesses', runs, async () => (await native.listProcesses()).length)];
  if (!isLinux) {
    const why = 'skipped: Linux only (/proc)';
    results.push({ name: 'plain Node /proc reader', medianMs: NaN, p95Ms: NaN, processes: 0, note: why });
    results.push({ name: 'ps -eo pid,ppid,user,rss,comm,args', medianMs: NaN, p95Ms: NaN, processes: 0, note: why });
    return results;
  }
  results.push(await time('plain Node /proc reader', runs, () => nodeListProcesses().length, 'same fields'));
  results.push(
    await time(
      'ps -eo pid,ppid,user,rss,comm,args',
      runs,
      () =>
        execFileSync('ps', ['-eo', 'pid,ppid,user,rss,comm,args'], { encoding: 'utf8', maxBuffer: 1 << 26 })
          .trim()
          .split('\n').length - 1,
      'includes starting ps; no cgroup column',
    ),
  );
  return results;
}
