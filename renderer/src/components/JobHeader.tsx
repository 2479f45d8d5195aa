import { useState } from 'react';
import type { JobSummary } from '../../../electron/contract';
import { useActions, useStore } from '../hooks';
import { AttachDialog } from './AttachDialog';
import { BusyButton } from './BusyButton';
import { CloseDialog } from './CloseDialog';
import { LaunchDialog } from './LaunchDialog';
import { LoadgenDialog } from './LoadgenDialog';
import { TerminateDialog } from './TerminateDialog';

type DialogKind = 'attach' | 'launch' | 'loadgen' | 'terminate' | 'close';

/** The job's name, state and path, and every action on it. */
export function JobHeader(props: { job: JobSummary; count: number; frozen: boolean | undefined }) {
  const { job, count, frozen } = props;
  const actions = useActions();
  const online = useStore((s) => s.connection.state === 'open');
  const [dialog, setDialog] = useState<DialogKind | null>(null);
  const [freezing, setFreezing] = useState(false);
  const live = job.state === 'live';
  const usable = live && online;

  function close() {
    if (count > 0 && live) setDialog('close');
    else void actions.close(job);
  }
  async function toggleFrozen() {
    setFreezing(true);
    await actions.setFrozen(job.id, !frozen);
    setFreezing(false);
  }

  return (
    <header className="job-head">
      <div className="job-title">
        <h2 id="job-title">
          {job.name} <span className={`badge badge-${job.state}`}>{job.state}</span>
          {frozen && <span className="badge badge-frozen">frozen</span>}
        </h2>
        <code className="job-path-full">{job.path || '(unnamed job object)'}</code>
        <span className="hint">{job.created ? 'Created by JobScope' : 'Opened (watched only)'}</span>
      </div>
      <div className="toolbar" role="toolbar" aria-label="Job actions">
        <button type="button" disabled={!usable} onClick={() => setDialog('attach')}>
          Attach processes
        </button>
        <button type="button" disabled={!usable} onClick={() => setDialog('launch')}>
          Launch program
        </button>
        <button type="button" disabled={!usable} onClick={() => setDialog('loadgen')}>
          Load generator
        </button>
        <BusyButton type="button" busy={freezing} disabled={!usable || frozen === undefined} onClick={() => void toggleFrozen()}>
          {frozen ? 'Thaw' : 'Freeze'}
        </BusyButton>
        <button type="button" className="danger" disabled={!usable} onClick={() => setDialog('terminate')}>
          Terminate
        </button>
        <button type="button" disabled={!online} onClick={close}>
          Close job
        </button>
      </div>
      {dialog === 'attach' && <AttachDialog job={job} onClose={() => setDialog(null)} />}
      {dialog === 'launch' && <LaunchDialog job={job} onClose={() => setDialog(null)} />}
      {dialog === 'loadgen' && <LoadgenDialog job={job} onClose={() => setDialog(null)} />}
      {dialog === 'terminate' && <TerminateDialog job={job} count={count} onClose={() => setDialog(null)} />}
      {dialog === 'close' && <CloseDialog job={job} count={count} onClose={() => setDialog(null)} />}
    </header>
  );
}
