// Everything the UI asks of the service, and how the answers land in the store. Failures of commands the
// user started become an error toast (role="alert"); dialogs that show errors inline get the rejection.
import type { AttachResult, CommandOf, JobSummary, LimitChanges, ProcessInfo } from '../../electron/contract';
import type { JobScopeApi } from './api';
import { errorSentence } from './format';
import {
  Store,
  withAppState,
  withEvent,
  withHistory,
  withJob,
  withJobs,
  withLimits,
  withToast,
  withoutToast,
} from './store';

import { saveSettings, type Settings } from './settings';

const delay = (ms: number) => new Promise((r) => window.setTimeout(r, ms));
// listJobs walks the whole cgroup tree (50-220 ms with 2200-4200 groups) on a worker thread of the addon, so
// the service's event loop, and its notifications, go on meanwhile; every 5 s costs 1-4% of one core.
const TREE_REFRESH_MS = 5000;

export class Actions {
  /** The job whose history was last requested; a different selection triggers getHistory. */
  private historyFor: number | null = null;

  constructor(
    readonly store: Store,
    private readonly api: JobScopeApi,
  ) {}

  /** Wires the store to the API: events, connection status, and a state refresh on every (re)connect. */
  start(): () => void {
    const offEvent = this.api.subscribe((e) => {
      this.store.update((s) => withEvent(s, e));
      // Recording started or stopped (here or in another window): the folder's list changed.
      if (e.recording !== undefined) void this.refreshRecordings();
      if (e.recordingFailure) this.toast('error', e.recordingFailure.error);
    });
    const offStatus = this.api.onStatus((connection) => {
      const before = this.store.getState().connection;
      this.store.update((s) => ({ ...s, connection }));
      if (connection.state === 'open' && before.state !== 'open') void this.refresh(before.reason);
    });
    // Whatever changes the selection (a click, a new job, the selected job closing), load its history.
    const offSelect = this.store.subscribe(() => {
      const id = this.store.getState().selectedId;
      if (id === this.historyFor) return;
      this.historyFor = id;
      if (id != null) {
        void this.loadHistory(id);
        void this.loadLimits(id);
      }
    });
    if (this.api.status().state === 'open') void this.refresh();
    const treeTimer = window.setInterval(() => {
      if (this.store.getState().connection.state === 'open') void this.refreshTree();
    }, TREE_REFRESH_MS);
    return () => {
      window.clearInterval(treeTimer);
      offEvent();
      offStatus();
      offSelect();
    };
  }

  toast(kind: 'error' | 'info', text: string): void {
    this.store.update((s) => withToast(s, kind, text));
  }

  dismiss(id: number): void {
    this.store.update((s) => withoutToast(s, id));
  }

  private fail(prefix: string, err: unknown): void {
    this.toast('error', errorSentence(prefix, err));
  }

  private jobName(jobId: number): string {
    return this.store.getState().jobs.find((j) => j.id === jobId)?.name ?? `#${jobId}`;
  }

  /** Loads the service's state afresh; after a reconnect, `lostReason` says why the connection had ended. */
  async refresh(lostReason?: string): Promise<void> {
    try {
      const app = await this.api.invoke({ type: 'getState' });
      const reconnected = this.store.getState().ready;
      // Buffers may have gaps (or stale ids after a service restart): start over, then reload the history
      // of the selected job (through the selection watcher in start()) and of every compared job (their
      // cards watch `loads`).
      this.historyFor = null;
      this.store.update((s) => ({ ...withAppState({ ...s, data: {} }, app), loads: s.loads + 1 }));
      if (reconnected)
        this.toast('info', `${lostReason ?? 'The connection to the JobScope service was lost.'} Reconnected and reloaded the jobs and their history.`);
      void this.refreshTree();
      void this.refreshRecordings();
      const wanted = this.store.getState().settings.intervalMs;
      if (wanted !== null && wanted !== app.intervalMs) await this.setSamplingInterval(wanted);
    } catch (err) {
      if (this.store.getState().connection.state === 'open') this.fail('Could not load the service state', err);
    }
  }

  /** Reloads the machine's job tree; a failure keeps the last tree and says why. */
  refreshTree(): Promise<void> {
    return this.inBackground('Could not list the jobs on this machine', async () => {
      const tree = await this.api.invoke({ type: 'listJobs' });
      this.store.update((s) => ({ ...s, tree }));
    });
  }

  /** Runs a load the user did not ask for; its failure is told only while connected (a lost connection says so itself). */
  private async inBackground(failure: string, load: () => Promise<void>): Promise<void> {
    try {
      await load();
    } catch (err) {
      if (this.store.getState().connection.state === 'open') this.fail(failure, err);
    }
  }

  /** Shows a group from the tree: selects it when held, else holds it (openJob) first. */
  async openFromTree(path: string, heldJobId: number | null): Promise<void> {
    if (heldJobId !== null && this.store.getState().jobs.some((j) => j.id === heldJobId)) {
      this.select(heldJobId);
      return;
    }
    try {
      await this.openJob(path);
    } catch (err) {
      this.fail(`Could not open ${path}`, err);
    }
  }

  loadHistory(jobId: number): Promise<void> {
    return this.inBackground(`Could not load the history of job ${this.jobName(jobId)}`, async () => {
      const history = await this.api.invoke({ type: 'getHistory', jobId });
      this.store.update((s) => withHistory(s, jobId, history));
    });
  }

  loadLimits(jobId: number): Promise<void> {
    return this.inBackground(`Could not read the limits of job ${this.jobName(jobId)}`, async () => {
      const report = await this.api.invoke({ type: 'getLimits', jobId });
      this.store.update((s) => withLimits(s, jobId, report));
    });
  }

  /** Rejects with the service's error; the dialog shows it. */
  async setLimits(jobId: number, changes: LimitChanges): Promise<void> {
    const report = await this.api.invoke({ type: 'setLimits', jobId, changes });
    this.store.update((s) => withLimits(s, jobId, report));
    this.toast('info', `Changed the limits of job ${this.jobName(jobId)}.`);
  }

  /** Rejects with the service's error; the dialog shows it. */
  async launch(jobId: number, file: string, args: string[], cwd?: string): Promise<number> {
    const { pid } = await this.api.invoke({ type: 'launch', jobId, file, args, ...(cwd ? { cwd } : {}) });
    this.toast('info', `Launched ${file} as pid ${pid} in job ${this.jobName(jobId)}.`);
    return pid;
  }

  /** Rejects with the service's error; the dialog shows it. */
  async launchLoadgen(jobId: number, load: Omit<CommandOf<'launchLoadgen'>, 'type' | 'jobId'>): Promise<number> {
    const { pid } = await this.api.invoke({ type: 'launchLoadgen', jobId, ...load });
    this.toast('info', `Started the load generator as pid ${pid} in job ${this.jobName(jobId)}.`);
    return pid;
  }

  /** Asks the service to sample every `intervalMs` and remembers the choice for the next session. */
  async setSamplingInterval(intervalMs: number): Promise<void> {
    try {
      const result = await this.api.invoke({ type: 'setInterval', intervalMs });
      this.store.update((s) => ({ ...s, intervalMs: result.intervalMs }));
      this.changeSettings({ intervalMs: result.intervalMs });
    } catch (err) {
      this.fail('Could not change the sampling interval', err);
    }
  }

  changeSettings(changes: Partial<Settings>): void {
    this.store.update((s) => ({ ...s, settings: { ...s.settings, ...changes } }));
    saveSettings(this.store.getState().settings);
  }

  /** Freezes or thaws every process of the job; failures become a toast. */
  async setFrozen(jobId: number, frozen: boolean): Promise<void> {
    try {
      await this.api.invoke({ type: frozen ? 'freezeJob' : 'thawJob', jobId });
    } catch (err) {
      this.fail(`Could not ${frozen ? 'freeze' : 'thaw'} job ${this.jobName(jobId)}`, err);
    }
  }

  /** Shows a live job (leaving any replay). */
  select(jobId: number): void {
    const { selectedId, replay, comparing } = this.store.getState();
    if (selectedId === jobId && replay === null && !comparing) return;
    this.store.update((s) => ({ ...s, selectedId: jobId, replay: null, comparing: false }));
  }

  /** Rejects with the service's error; the dialog shows it. */
  async startRecording(name?: string): Promise<void> {
    const status = await this.api.invoke({ type: 'startRecording', ...(name ? { name } : {}) });
    this.store.update((s) => ({ ...s, recording: status, recordingFailure: null }));
    this.toast('info', `Recording to ${status.file}.`);
  }

  async stopRecording(): Promise<void> {
    try {
      const info = await this.api.invoke({ type: 'stopRecording' });
      this.store.update((s) => ({ ...s, recording: null }));
      this.toast('info', `Saved the recording ${info.file}.`);
    } catch (err) {
      this.fail('Could not stop recording', err);
    }
  }

  refreshRecordings(): Promise<void> {
    return this.inBackground('Could not list the recordings', async () => {
      const recordings = await this.api.invoke({ type: 'listRecordings' });
      this.store.update((s) => ({ ...s, recordings }));
    });
  }

  /** Loads a recording and shows it in place of the live job. */
  async openRecording(file: string): Promise<void> {
    try {
      const replay = await this.api.invoke({ type: 'openRecording', file });
      this.store.update((s) => ({ ...s, replay, comparing: false }));
      if (replay.warning) this.toast('info', `${replay.warning}.`);
    } catch (err) {
      this.fail(`Could not open the recording ${file}`, err);
    }
  }

  closeReplay(): void {
    this.store.update((s) => ({ ...s, replay: null }));
  }

  /** Shows the Compare view (leaving any replay), or leaves it. */
  compare(on: boolean): void {
    this.store.update((s) => (s.comparing === on && (!on || s.replay === null) ? s : { ...s, comparing: on, replay: on ? null : s.replay }));
  }

  /** Rejects with the service's error; the dialog shows it. */
  async createJob(name?: string, limits?: LimitChanges): Promise<JobSummary> {
    const job = await this.api.invoke({
      type: 'createJob',
      ...(name ? { name } : {}),
      ...(limits && Object.keys(limits).length > 0 ? { limits } : {}),
    });
    this.adopt(job);
    return job;
  }

  async openJob(path: string): Promise<JobSummary> {
    const job = await this.api.invoke({ type: 'openJob', path });
    this.adopt(job);
    return job;
  }

  private adopt(job: JobSummary): void {
    this.store.update((s) => withJob(s, job));
    void this.refreshTree();
  }

  listProcesses(): Promise<ProcessInfo[]> {
    return this.api.invoke({ type: 'listProcesses' });
  }

  attach(jobId: number, pids: number[]): Promise<AttachResult> {
    return this.api.invoke({ type: 'attach', jobId, pids });
  }

  async terminate(jobId: number, exitCode?: number): Promise<boolean> {
    try {
      await this.api.invoke({ type: 'terminateJob', jobId, ...(exitCode === undefined ? {} : { exitCode }) });
      this.toast('info', `Terminated every process of job ${this.jobName(jobId)}.`);
      return true;
    } catch (err) {
      this.fail(`Could not terminate job ${this.jobName(jobId)}`, err);
      return false;
    }
  }

  /**
   * Closes the job; with `terminateFirst`, kills its processes first and retries the close for a moment,
   * since killed processes leave the cgroup asynchronously.
   */
  async close(job: JobSummary, terminateFirst = false): Promise<boolean> {
    if (terminateFirst) {
      try {
        await this.api.invoke({ type: 'terminateJob', jobId: job.id });
      } catch (err) {
        this.fail(`Could not terminate job ${job.name}`, err);
        return false;
      }
    }
    const waits = terminateFirst ? [100, 200, 300, 400, 500, 1000, 1500] : [];
    for (let attempt = 0; ; attempt++) {
      try {
        await this.api.invoke({ type: 'closeJob', jobId: job.id });
        break;
      } catch (err) {
        if (attempt >= waits.length) {
          this.fail(`Could not close job ${job.name}`, err);
          return false;
        }
        await delay(waits[attempt]);
      }
    }
    this.store.update((s) => withJobs(s, s.jobs.filter((j) => j.id !== job.id)));
    void this.refreshTree();
    this.toast(
      'info',
      job.state === 'gone'
        ? `Closed job ${job.name}; its group had already been removed outside JobScope.`
        : job.created
          ? `Closed job ${job.name} and removed its cgroup.`
          : `Closed job ${job.name}; JobScope no longer watches it.`,
    );
    return true;
  }
}
