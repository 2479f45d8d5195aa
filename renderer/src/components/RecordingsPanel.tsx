import { useState } from 'react';
import { formatBytes, formatElapsed } from '../format';
import { useActions, useStore } from '../hooks';
import { RecordDialog } from './RecordDialog';

/** Recording this session, and the saved recordings, each one click from its replay. */
export function RecordingsPanel() {
  const actions = useActions();
  const recording = useStore((s) => s.recording);
  const failure = useStore((s) => s.recordingFailure);
  const listing = useStore((s) => s.recordings);
  const replaying = useStore((s) => s.replay?.info.file);
  const online = useStore((s) => s.connection.state === 'open');
  const [dialog, setDialog] = useState(false);

  return (
    <section className="recordings" aria-labelledby="recordings-heading">
      <div className="sidebar-section-head">
        <h3 id="recordings-heading" className="sidebar-section">
          Recordings
        </h3>
        {recording ? (
          <button type="button" className="danger" disabled={!online} onClick={() => void actions.stopRecording()}>
            Stop recording
          </button>
        ) : (
          <button type="button" disabled={!online} onClick={() => setDialog(true)}>
            Record
          </button>
        )}
      </div>
      {recording && (
        <p className="recording-now" role="status">
          <span className="rec-dot" aria-hidden="true" /> Recording to {recording.file}
        </p>
      )}
      {failure && (
        <p className="inline-error recording-failed">
          {failure.error}
        </p>
      )}
      {listing && listing.recordings.length === 0 && !recording && (
        <p className="sidebar-empty">
          No recordings yet. <strong>Record</strong> saves this session's samples, notifications and your commands to a
          file; replay it here later, in the same charts.
        </p>
      )}
      {listing && listing.recordings.length > 0 && (
        <ul className="recording-list" aria-label="Saved recordings">
          {listing.recordings.map((r) => (
            <li key={r.file}>
              <button
                type="button"
                className={replaying === r.file ? 'job-item selected' : 'job-item'}
                aria-current={replaying === r.file ? 'true' : undefined}
                aria-label={`Replay ${r.file}`}
                disabled={!online || recording?.file === r.file}
                onClick={() => void actions.openRecording(r.file)}
              >
                <span className="job-item-top">
                  <span className="job-name">{r.file}</span>
                  {!r.complete && recording?.file !== r.file && <span className="badge badge-gone">interrupted</span>}
                </span>
                <span className="job-path">
                  {new Date(r.startTime).toLocaleString()} · {formatElapsed(r.durationMs)} · {formatBytes(r.sizeBytes)}
                </span>
                <span className="job-count">{r.jobs.length ? r.jobs.join(', ') : 'no jobs'}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {listing && listing.unreadable.length > 0 && (
        <p className="hint" title={listing.unreadable.map((u) => u.error).join('\n')}>
          {listing.unreadable.length} file{listing.unreadable.length === 1 ? '' : 's'} in the folder could not be read:{' '}
          {listing.unreadable.map((u) => u.file).join(', ')}.
        </p>
      )}
      {dialog && <RecordDialog onClose={() => setDialog(false)} />}
    </section>
  );
}
