import { describeHost, MEMORY_SOURCE_LABEL } from '../format';
import { useStore } from '../hooks';
import { ConnectionBadge } from './ConnectionBadge';

export function Header({ onHelp }: { onHelp: () => void }) {
  const host = useStore((s) => s.host);
  const info = host && describeHost(host);
  return (
    <header className="app-header">
      <h1>JobScope</h1>
      {host && info && (
        <dl className="host-info" aria-label="Host">
          <div>
            <dt>Groups</dt>
            <dd>{info.groups}</dd>
          </div>
          <div>
            <dt>Exit events</dt>
            <dd>{info.exits}</dd>
          </div>
          <div>
            <dt>Memory</dt>
            <dd>{MEMORY_SOURCE_LABEL[host.memorySource]}</dd>
          </div>
        </dl>
      )}
      <ConnectionBadge />
      <button type="button" className="icon" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" onClick={onHelp}>
        ?
      </button>
    </header>
  );
}
