import { useEffect, useState } from 'react';
import { useStore } from '../hooks';

export function ConnectionBadge() {
  const c = useStore((s) => s.connection);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (c.state !== 'waiting') return;
    const timer = window.setInterval(() => setNow(Date.now()), 500);
    return () => window.clearInterval(timer);
  }, [c.state]);

  let text: string;
  switch (c.state) {
    case 'open':
      text = 'Connected';
      break;
    case 'connecting':
      text = 'Connecting…';
      break;
    case 'waiting': {
      const seconds = Math.max(0, Math.ceil(((c.retryAt ?? now) - now) / 1000));
      text = `Disconnected, retrying in ${seconds} s`;
      break;
    }
    case 'unavailable':
      text = 'Not connected';
      break;
  }
  return (
    <div className={`connection connection-${c.state}`} role="status" aria-label="Connection" title={c.reason}>
      <span className="dot" aria-hidden="true" />
      {text}
    </div>
  );
}
