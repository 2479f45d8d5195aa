// The monitoring service: the jobs JobScope holds, their sampler, history and notification log, and the
// command handler both transports call. It imports nothing from Electron so serve mode and tests run it
// under plain Node.
import * as native from '#native';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import {
  commandSchema,
  type AppState,
  type AttachResult,
  type Command,
  type CommandReply,
  type CommandResults,
  type JobHistory,
  type JobSummary,
  type LaunchResult,
  type LimitsReport,
  type RecordingFailure,
  type RecordingInfo,
  type RecordingRecord,
  type RecordingStatus,
  type ServiceEvent,
} from '../contract';
import { loadgenScript, recordingsDir } from '../paths';
import { addMemberTotals } from '../sample-history';
import { listRecordings, readRecording, RecordingWriter } from './recording';
import { SampleStore } from './sample-store';

export interface ServiceOptions {
  /** Sampling period. */
  intervalMs: number;
  /** How much sample history each job keeps. */
  historyMs: number;
  /** Notifications kept per job; older ones are dropped first. */
  notificationLimit: number;
  /** The compiled load generator script that launchLoadgen runs. */
  loadgenPath: string;
  /** Where recordings are written and opened from. */
  recordingsDir: string;
}

export const defaultServiceOptions: ServiceOptions = {
  intervalMs: 1000,
  // The UI's widest time window is 15 minutes.
  historyMs: 15 * 60 * 1000,
  notificationLimit: 10_000,
  loadgenPath: loadgenScript,
  recordingsDir: recordingsDir(),
};

/** Commands that only read, and recording's own: a recording keeps what the user did to jobs, not what the UI looked up. */
const NOT_RECORDED = new Set<Command['type']>([
  'getState',
  'listProcesses',
  'listJobs',
  'getHistory',
  'getLimits',
  'startRecording',
  'stopRecording',
  'listRecordings',
  'openRecording',
]);

interface HeldJob {
  job: native.Job;
  state: 'live' | 'gone';
  /** Per-process rows only on the newest samples: a history of rows would grow with every member. */
  samples: SampleStore;
  notifications: native.Notification[];
  /** How many were dropped from the front of `notifications` at the limit. */
  droppedNotifications: number;
  /** When the newest sample was taken; 0 before the first. */
  sampledAt: number;
}

type Listener = (event: ServiceEvent) => void;

export class JobService {
  private readonly options: ServiceOptions;
  private readonly held = new Map<number, HeldJob>();
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | undefined;
  private recording: RecordingWriter | undefined;
  /** The last recording a failed write ended, until the next one starts. */
  private recordingFailure: RecordingFailure | null = null;

  constructor(options: Partial<ServiceOptions> = {}) {
    this.options = { ...defaultServiceOptions, ...options };
  }

  start(): void {
    if (this.timer) return;
    native.startNotifications((batch) => this.onNotifications(batch));
    this.timer = setInterval(() => this.tick(), this.options.intervalMs);
  }

  /** Stops sampling and releases every job: created jobs that are empty are removed, the rest are left. */
  stop(): { leftBehind: string[] } {
    clearInterval(this.timer);
    this.timer = undefined;
    native.stopNotifications();
    const leftBehind: string[] = [];
    const recording = this.recording?.status.file;
    if (recording !== undefined) {
      try {
        this.stopRecording();
      } catch (error) {
        leftBehind.push(`the recording ${recording} (not closed cleanly): ${describeError(error)}`);
      }
    }
    for (const [id, held] of this.held) {
      try {
        held.job.close();
      } catch (error) {
        leftBehind.push(`${held.job.path}: ${describeError(error)}`);
      }
      this.held.delete(id);
    }
    return { leftBehind };
  }

  /** Changes the sampling period from the next tick on; history keeps its span (historyMs) either way. */
  private setSamplingInterval(intervalMs: number): void {
    this.options.intervalMs = intervalMs;
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = setInterval(() => this.tick(), intervalMs);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Validates and runs one command from any transport; never throws. */
  async handle(raw: unknown): Promise<CommandReply> {
    let parsed;
    try {
      parsed = commandSchema.safeParse(raw);
    } catch (error) {
      // Only a JS caller can hand over a getter or Proxy that throws; no transport can carry one.
      return { ok: false, error: `Invalid command: it could not be read (${describeError(error)})` };
    }
    if (!parsed.success) return { ok: false, error: `Invalid command: ${describeIssues(parsed.error)}` };
    let reply: CommandReply;
    try {
      reply = { ok: true, result: await this.run(parsed.data) };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      reply = { ok: false, error: describeError(error), ...(typeof code === 'string' ? { code } : {}) };
    }
    if (!NOT_RECORDED.has(parsed.data.type)) this.record([{ type: 'action', time: Date.now(), command: parsed.data, reply }]);
    return reply;
  }

  /** The listings run on the addon's worker thread; every other command is done before it returns. */
  private run(command: Command): CommandResults[Command['type']] | Promise<CommandResults[Command['type']]> {
    switch (command.type) {
      case 'getState':
        return this.state();
      case 'createJob':
        return this.hold(
          native.createJob({
            ...(command.name === undefined ? {} : { name: command.name }),
            ...(command.limits === undefined ? {} : { limits: command.limits }),
          }),
        );
      case 'openJob':
        return this.open(command.path);
      case 'listProcesses':
        return native.listProcesses();
      case 'listJobs':
        return native.listJobs();
      case 'setInterval':
        this.setSamplingInterval(command.intervalMs);
        return { intervalMs: this.options.intervalMs };
      case 'attach':
        return this.attach(command.jobId, command.pids);
      case 'terminateJob':
        // The addon itself refuses a job that holds init or JobScope.
        this.find(command.jobId).job.terminate(command.exitCode);
        return null;
      case 'closeJob':
        this.close(command.jobId);
        return null;
      case 'getHistory':
        return this.history(command.jobId);
      case 'getLimits':
        return this.find(command.jobId).job.limits();
      case 'setLimits': {
        const report = this.find(command.jobId).job.setLimits(command.changes);
        this.record([{ type: 'limits', time: Date.now(), jobId: command.jobId, report }]);
        return report;
      }
      case 'freezeJob':
        this.setFrozen(command.jobId, true);
        return null;
      case 'thawJob':
        this.setFrozen(command.jobId, false);
        return null;
      case 'launch':
        return this.launch(command.jobId, {
          file: command.file,
          args: command.args ?? [],
          ...(command.cwd === undefined ? {} : { cwd: command.cwd }),
        });
      case 'launchLoadgen':
        return this.launchLoadgen(command);
      case 'startRecording':
        return this.startRecording(command.name);
      case 'stopRecording':
        return this.stopRecording();
      case 'listRecordings':
        return listRecordings(this.options.recordingsDir);
      case 'openRecording':
        return readRecording(this.options.recordingsDir, command.file);
    }
  }

  private startRecording(name: string | undefined): RecordingStatus {
    if (this.recording) throw new Error(`Already recording to ${this.recording.status.file}; stop that recording first`);
    const time = Date.now();
    this.recordingFailure = null;
    this.recording = RecordingWriter.create(this.options.recordingsDir, name ?? defaultRecordingName(time), {
      time,
      host: native.hostInfo(),
      intervalMs: this.options.intervalMs,
      jobs: this.summaries(),
    });
    this.record([...this.held.values()].flatMap(({ job }) => limitsRecord(job, time)));
    this.emit({ time, samples: [], notifications: [], recording: this.recording.status });
    return this.recording.status;
  }

  private stopRecording(): RecordingInfo {
    const writer = this.recording;
    if (!writer) throw new Error('Nothing is being recorded');
    this.recording = undefined;
    const time = Date.now();
    try {
      writer.finish(time);
    } catch (error) {
      const failure = this.recordingFailed(writer, error);
      throw Object.assign(new Error(failure.error), failure.code === undefined ? {} : { code: failure.code });
    }
    this.emit({ time, samples: [], notifications: [], recording: null });
    return readRecording(this.options.recordingsDir, writer.status.file).info;
  }

  /** Appends to the recording, if one is running; a failed write ends it and tells every client why. */
  private record(records: RecordingRecord[]): void {
    const writer = this.recording;
    if (!writer) return;
    try {
      writer.append(records);
    } catch (error) {
      this.recordingFailed(writer, error);
    }
  }

  /**
   * Ends a recording whose write failed: the file keeps its whole lines (RecordingWriter cut it back), and
   * the reason is logged, kept for getState and sent to every client. Sampling and the jobs carry on.
   */
  private recordingFailed(writer: RecordingWriter, error: unknown): RecordingFailure {
    this.recording = undefined;
    const code = (error as { code?: unknown }).code;
    const failure: RecordingFailure = {
      file: writer.status.file,
      time: Date.now(),
      error: `Recording stopped: ${describeError(error)}. The file keeps every record written before.`,
      ...(typeof code === 'string' ? { code } : {}),
    };
    this.recordingFailure = failure;
    console.error(`JobScope: ${failure.error}`);
    try {
      writer.close();
    } catch (closeError) {
      console.error(`JobScope: and ${writer.path} could not be closed: ${describeError(closeError)}`);
    }
    this.emit({ time: failure.time, samples: [], notifications: [], recording: null, recordingFailure: failure });
    return failure;
  }

  private state(): AppState {
    return {
      host: native.hostInfo(),
      jobs: this.summaries(),
      intervalMs: this.options.intervalMs,
      historyMs: this.options.historyMs,
      servicePid: process.pid,
      recording: this.recording?.status ?? null,
      recordingFailure: this.recordingFailure,
      recordingsDir: this.options.recordingsDir,
    };
  }

  private summaries(): JobSummary[] {
    return [...this.held.values()].map(({ job, state }) => ({
      id: job.id,
      name: job.name,
      path: job.path,
      created: job.created,
      state,
    }));
  }

  private hold(job: native.Job): JobSummary {
    this.held.set(job.id, {
      job,
      state: 'live',
      samples: new SampleStore(job.id, this.options.historyMs),
      notifications: [],
      droppedNotifications: 0,
      sampledAt: 0,
    });
    // Its limits go into the recording first, so a replay can draw its limit lines from its first sample.
    if (this.recording) this.record(limitsRecord(job, Date.now()));
    this.sampleAndEmit([job.id], [], true);
    return this.summaries().find((summary) => summary.id === job.id)!;
  }

  private open(path: string): JobSummary {
    const job = native.openJob({ path });
    const already = [...this.held.values()].find((held) => held.job.path === job.path && held.job !== job);
    if (already) {
      job.close();
      throw new Error(`${job.path} is already open as job "${already.job.name}"`);
    }
    return this.hold(job);
  }

  private attach(jobId: number, pids: number[]): AttachResult {
    const { job } = this.find(jobId);
    const result: AttachResult = { attached: [], failed: [] };
    for (const pid of new Set(pids)) {
      const refusal = protectedProcess(pid);
      if (refusal) {
        result.failed.push({ pid, error: `pid ${pid} cannot be attached: ${refusal}` });
        continue;
      }
      try {
        job.assign(pid);
        result.attached.push(pid);
      } catch (error) {
        result.failed.push({ pid, error: describeError(error) });
      }
    }
    return result;
  }

  private setFrozen(jobId: number, frozen: boolean): void {
    const { job } = this.find(jobId);
    if (frozen) job.freeze();
    else job.thaw();
    // Clients see the new state now rather than at the next tick.
    this.sampleAndEmit([jobId], []);
  }

  private launch(jobId: number, options: native.LaunchOptions): LaunchResult {
    return { pid: this.find(jobId).job.launch(options) };
  }

  private launchLoadgen(load: Extract<Command, { type: 'launchLoadgen' }>): LaunchResult {
    const script = this.options.loadgenPath;
    if (!existsSync(script)) throw new Error(`The load generator is missing at ${script}; run npm run build`);
    const flags = ['--cpu', load.cpuPercent, '--memory', load.memoryMiB, '--io', load.ioKiBps];
    flags.push('--children', load.children, '--duration', load.durationS);
    return this.launch(load.jobId, {
      file: process.execPath,
      args: [script, ...flags.map(String), ...(load.grow ? ['--grow'] : [])],
      // Under Electron, process.execPath is the Electron binary: this makes it behave as plain Node.
      ...(process.versions.electron ? { env: { ...definedEnv(), ELECTRON_RUN_AS_NODE: '1' } } : {}),
    });
  }

  private close(jobId: number): void {
    this.find(jobId).job.close();
    this.held.delete(jobId);
    this.emit({ time: Date.now(), samples: [], notifications: [], jobs: this.summaries() });
  }

  private history(jobId: number): JobHistory {
    const held = this.find(jobId);
    return {
      samples: held.samples.toArray(),
      notifications: [...held.notifications],
      droppedNotifications: held.droppedNotifications,
    };
  }

  private find(jobId: number): HeldJob {
    const held = this.held.get(jobId);
    if (!held) throw new Error(`No job with id ${jobId} is open (it may have been closed)`);
    return held;
  }

  private tick(): void {
    this.sampleAndEmit([...this.held.keys()], []);
  }

  private onNotifications(batch: native.Notification[]): void {
    const concerned = new Set<number>();
    // A proc connector overrun is told to every job: one line for it, not one per job.
    const lostLines = new Set<string>();
    const kept: native.Notification[] = [];
    const emptied = new Set<number>();
    for (const notification of batch) {
      const held = this.held.get(notification.jobId);
      if (!held) continue; // the job was closed while its messages were in flight
      if (notification.kind === 'NOTIFICATIONS_LOST') lostLines.add(lostLine(held.job, notification));
      if (notification.kind === 'ACTIVE_PROCESS_ZERO') emptied.add(notification.jobId);
      held.notifications.push(notification);
      if (held.notifications.length > this.options.notificationLimit) {
        held.notifications.shift();
        held.droppedNotifications += 1;
      }
      concerned.add(notification.jobId);
      kept.push(notification);
    }
    for (const line of lostLines) console.warn(line);
    if (kept.length === 0) return;
    // A fresh sample shows what the notifications changed, but at most one per job and interval beyond the
    // ticks': batches can come by the hundred a second (a job forking thousands of processes), and each
    // sample, with one entry per member, is kept for historyMs. A job that just emptied is sampled at once
    // (the sample holds no members): clients must know it is empty when they read that it is.
    const due = Date.now() - this.options.intervalMs;
    const sampled = [...concerned].filter((id) => this.held.get(id)!.sampledAt <= due || emptied.has(id));
    this.sampleAndEmit(sampled, kept);
  }

  private sampleAndEmit(jobIds: number[], notifications: native.Notification[], jobsChanged = false): void {
    const jobs = jobIds.map((id) => this.held.get(id)?.job).filter((job) => job !== undefined);
    const samples = jobs.length > 0 ? native.sampleJobs(jobs).map(addMemberTotals) : [];
    for (const sample of samples) {
      const held = this.held.get(sample.jobId)!;
      held.samples.push(sample);
      held.sampledAt = sample.time;
      if (held.state !== sample.state) {
        held.state = sample.state;
        jobsChanged = true;
      }
    }
    if (samples.length === 0 && notifications.length === 0 && !jobsChanged) return;
    this.emit({
      time: Date.now(),
      samples,
      notifications,
      ...(jobsChanged ? { jobs: this.summaries() } : {}),
    });
  }

  private emit(event: ServiceEvent): void {
    if (this.recording) this.record(eventRecords(event));
    for (const listener of this.listeners) listener(event);
  }
}

/** Why this process must not be put in a job that can be terminated, or undefined when it may. */
function protectedProcess(pid: number): string | undefined {
  if (pid === 1) return 'it is init (pid 1), and killing it brings the whole system down';
  if (pid === process.pid) return 'it is JobScope itself';
  return undefined;
}

/** What an event adds to a recording: one record per sample and notification, and the job list when it changed. */
export function eventRecords(event: ServiceEvent): RecordingRecord[] {
  return [
    ...(event.jobs ? [{ type: 'jobs' as const, time: event.time, jobs: event.jobs }] : []),
    ...event.samples.map((sample) => ({ type: 'sample' as const, time: sample.time, sample })),
    ...event.notifications.map((notification) => ({ type: 'notification' as const, time: notification.time, notification })),
  ];
}

/** The job's limits as a record; none when the OS cannot report them (e.g. the group is gone). */
function limitsRecord(job: native.Job, time: number): RecordingRecord[] {
  let report: LimitsReport;
  try {
    report = job.limits();
  } catch {
    return [];
  }
  return [{ type: 'limits', time, jobId: job.id, report }];
}

/** e.g. recording-2026-12-03T16-10-05: sortable, and a safe file name. */
function defaultRecordingName(time: number): string {
  return `recording-${new Date(time).toISOString().slice(0, 19).replace(/:/g, '-')}`;
}

/** The log line for a NOTIFICATIONS_LOST: what was lost, exactly, and for which job (or all of them). */
function lostLine(job: native.Job, n: native.Notification): string {
  if (n.lost !== undefined) return `JobScope: job ${job.name} (${job.path}): ${n.lost} notifications were lost while nothing listened`;
  return (
    `JobScope: the kernel dropped ${n.kernelEventsDropped} process events host-wide (proc connector overrun); every ` +
    "job's known members were re-checked and their exits reported, processes that started and ended meanwhile may be missing"
  );
}

function definedEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** Each schema issue as a sentence naming the field it is about, e.g. "changes.cpuWeight: the CPU weight must be 1 to 9." */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      return `${where}${issue.message.replace(/\.?$/, '.')}`;
    })
    .join(' ');
}

/** A readable sentence for any thrown value; native errors already name the object and the errno. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
