import { useEffect, useMemo, useState } from 'react';
import type { Recording } from '../../../electron/contract';
import { formatClock, formatElapsed } from '../format';
import { useActions, useStore } from '../hooks';
import { countUpTo, indexRecording, jobAt, type ActionRecord } from '../replay';
import { ExportButtons } from './ExportButtons';
import { JobPanels } from './JobPanels';
import { LogPanel } from './LogPanel';
import { WindowSelect } from './ViewControls';

const SPEEDS = [1, 4, 16] as const;
// How often a playing replay moves on: smooth enough for a 1 s sampling interval at 16x.
const TICK_MS = 100;

/** A recording shown in the same panels as a live job, at a position the user plays, pauses and drags. */
export function ReplayView({ recording }: { recording: Recording }) {
  const actions = useActions();
  const historyMs = useStore((s) => s.historyMs);
  const index = useMemo(() => indexRecording(recording), [recording]);
  const [jobId, setJobId] = useState(index.jobs[0]?.id ?? null);
  const [position, setPosition] = useState(index.start);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState<(typeof SPEEDS)[number]>(4);

  useEffect(() => {
    if (!playing) return;
    let last = performance.now();
    const timer = window.setInterval(() => {
      const now = performance.now();
      setPosition((p) => Math.min(index.end, p + (now - last) * speed));
      last = now;
    }, TICK_MS);
    return () => window.clearInterval(timer);
  }, [playing, speed, index]);
  useEffect(() => {
    if (position >= index.end) setPlaying(false);
  }, [position, index]);

  function togglePlay() {
    if (!playing && position >= index.end) setPosition(index.start);
    setPlaying(!playing);
  }

  const job = index.jobs.find((j) => j.id === jobId);
  const shown = useMemo(() => (jobId === null ? null : jobAt(index, jobId, position, historyMs)), [index, jobId, position, historyMs]);
  const done = index.actions.slice(0, countUpTo(index.actions, position));

  return (
    <section className="job-view replay" aria-labelledby="replay-title">
      <header className="job-head">
        <div className="job-title">
          <h2 id="replay-title">
            {recording.info.file} <span className="badge badge-replay">replay</span>
          </h2>
          <span className="hint">
            Recorded {new Date(recording.info.startTime).toLocaleString()} for {formatElapsed(recording.info.durationMs)}
            {recording.info.complete ? '' : ' (interrupted: the service stopped while recording)'}
          </span>
        </div>
        <div className="toolbar" role="toolbar" aria-label="Replay actions">
          <button type="button" onClick={() => actions.closeReplay()}>
            Close replay
          </button>
        </div>
      </header>
      <p className="banner replay-banner" role="note">
        Replay, not live: these figures were recorded earlier, and nothing here acts on any job.
      </p>

      <div className="view-bar player" role="group" aria-label="Replay controls">
        <button type="button" className="primary" onClick={togglePlay}>
          {playing ? 'Pause' : 'Play'}
        </button>
        <label className="field inline">
          <span>Speed</span>
          <select value={speed} onChange={(e) => setSpeed(Number(e.target.value) as (typeof SPEEDS)[number])}>
            {SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s}×
              </option>
            ))}
          </select>
        </label>
        <label className="field inline position">
          <span>Position</span>
          <input
            type="range"
            min={index.start}
            max={index.end}
            step="any"
            value={position}
            aria-valuetext={`${formatClock(position)}, ${formatElapsed(position - index.start)} of ${formatElapsed(index.end - index.start)}`}
            onChange={(e) => setPosition(Number(e.target.value))}
          />
        </label>
        <output className="position-text" aria-label="Replay time">
          {formatClock(position)} · {formatElapsed(position - index.start)} / {formatElapsed(index.end - index.start)}
        </output>
        <label className="field inline">
          <span>Job</span>
          <select value={jobId ?? ''} disabled={index.jobs.length < 2} onChange={(e) => setJobId(Number(e.target.value))}>
            {index.jobs.map((j) => (
              <option key={j.id} value={j.id}>
                {j.name}
              </option>
            ))}
          </select>
        </label>
        <WindowSelect />
        {job && shown && <ExportButtons job={job} samples={shown.data.samples} notifications={shown.data.notifications} />}
      </div>

      {shown ? (
        <JobPanels data={shown.data} limits={shown.limits} />
      ) : (
        <div className="empty">
          <h2>No job data in this recording</h2>
          <p>It was recorded while no job was held. Record again after creating or opening a job.</p>
        </div>
      )}
      <ActionLog actions={done} />
    </section>
  );
}

/** The commands the user issued up to the replay's position, newest first. */
function ActionLog({ actions }: { actions: ActionRecord[] }) {
  return (
    <LogPanel
      id="actions-title"
      title={`Your actions (${actions.length})`}
      empty={actions.length === 0 ? 'No commands issued yet at this point of the recording.' : null}
      columns={
        <>
          <th scope="col">Time</th>
          <th scope="col">Command</th>
          <th scope="col">Result</th>
        </>
      }
    >
      {actions
        .slice()
        .reverse()
        .map((a, i) => (
          <tr key={`${a.time}-${i}`}>
            <td>{formatClock(a.time)}</td>
            <td>
              <code>{describeCommand(a.command)}</code>
            </td>
            <td>{a.reply.ok ? 'done' : a.reply.error}</td>
          </tr>
        ))}
    </LogPanel>
  );
}

/** The command's type and its arguments, e.g. `launch file=sleep args=30`. */
function describeCommand(command: ActionRecord['command']): string {
  const { type, ...rest } = command;
  const args = Object.entries(rest).map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [type, ...args].join(' ');
}
