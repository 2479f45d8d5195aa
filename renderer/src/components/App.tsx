import { useEffect, useState } from 'react';
import { useStore } from '../hooks';
import { Header } from './Header';
import { HelpDialog } from './HelpDialog';
import { CompareView } from './CompareView';
import { JobView } from './JobView';
import { ReplayView } from './ReplayView';
import { Sidebar } from './Sidebar';
import { Toasts } from './Toasts';

export function App() {
  const ready = useStore((s) => s.ready);
  const connection = useStore((s) => s.connection);
  const selected = useStore((s) => s.jobs.find((j) => j.id === s.selectedId));
  const hasJobs = useStore((s) => s.jobs.length > 0);
  const replay = useStore((s) => s.replay);
  const comparing = useStore((s) => s.comparing);
  const offline = connection.state !== 'open';
  const [help, setHelp] = useState(false);
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      // "?" typed into a field is text, not a shortcut.
      if (e.key !== '?' || (e.target instanceof HTMLElement && e.target.closest('input, select, textarea'))) return;
      e.preventDefault();
      setHelp((shown) => !shown);
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="app">
      <Header onHelp={() => setHelp(true)} />
      {ready && offline && (
        <p className="banner" role="note">
          Not connected to the JobScope service; the figures below stop updating until it reconnects.
        </p>
      )}
      <div className="layout">
        <Sidebar />
        <main className="main">
          {!ready ? (
            <div className="empty">
              <h2>{offline ? 'Waiting for the JobScope service…' : 'Loading…'}</h2>
              <p>{connection.reason ?? 'Connecting to the monitoring service.'}</p>
            </div>
          ) : replay ? (
            <ReplayView key={replay.info.file} recording={replay} />
          ) : comparing ? (
            <CompareView />
          ) : selected ? (
            <JobView key={selected.id} job={selected} />
          ) : (
            <div className="empty">
              <h2>{hasJobs ? 'Select a job' : 'No jobs yet'}</h2>
              <p>
                Use <strong>New job</strong> to create an empty group you can attach processes to, or{' '}
                <strong>Open job</strong> (or a click on a group under <strong>All groups</strong>) to watch an
                existing one. Its CPU, memory, IO, member processes and events then appear here, live. Press{' '}
                <kbd>?</kbd> for keyboard shortcuts.
              </p>
            </div>
          )}
        </main>
      </div>
      <Toasts />
      {help && <HelpDialog onClose={() => setHelp(false)} />}
    </div>
  );
}
