import { memo, useMemo, useState } from 'react';
import type { Notification } from '../../../electron/contract';
import { describeNotification, exitColumn, formatClock } from '../format';
import { LogPanel } from './LogPanel';

const SHOWN = 200;
const ALL = 'all';

/**
 * Row keys that stay with their notification as newer ones are added on top: an index in the key would
 * change every row's key, and React would rebuild all of them on every event.
 */
function withKeys(notifications: Notification[]): [string, Notification][] {
  const seen = new Map<string, number>();
  return notifications.map((n) => {
    const base = `${n.time}-${n.kind}-${n.pid}`;
    const repeat = seen.get(base) ?? 0;
    seen.set(base, repeat + 1);
    return [`${base}-${repeat}`, n];
  });
}

/** One row; memoized, so that a new notification renders one row rather than all SHOWN of them. */
const NotificationRow = memo(function NotificationRow({ n }: { n: Notification }) {
  return (
    <tr className={`kind-${n.kind}`}>
      <td>{formatClock(n.time)}</td>
      <td>
        <code>{n.kind}</code>
      </td>
      <td className="num">{n.pid || '—'}</td>
      <td>{exitColumn(n)}</td>
      <td>{describeNotification(n)}</td>
    </tr>
  );
});

/** `dropped`: the job's older notifications no longer held (the log keeps the newest). */
export const NotificationLog = memo(function NotificationLog({ notifications, dropped }: { notifications: Notification[]; dropped: number }) {
  const [kind, setKind] = useState<string>(ALL);
  const kinds = useMemo(() => [...new Set(notifications.map((n) => n.kind))].sort(), [notifications]);
  const matching = useMemo(
    () => (kind === ALL ? notifications : notifications.filter((n) => n.kind === kind)),
    [notifications, kind],
  );
  const newest = useMemo(() => withKeys(matching.slice(-SHOWN)).reverse(), [matching]);
  return (
    <LogPanel
      id="log-title"
      title="Notifications"
      controls={
        <label className="field inline">
          <span>Kind</span>
          <select value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value={ALL}>All kinds ({notifications.length})</option>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {k} ({notifications.filter((n) => n.kind === k).length})
              </option>
            ))}
          </select>
        </label>
      }
      empty={
        newest.length > 0
          ? null
          : notifications.length === 0
            ? 'No notifications yet. Processes joining and exiting the job, and limits being hit, are logged here.'
            : `No ${kind} notifications.`
      }
      columns={
        <>
          <th scope="col">Time</th>
          <th scope="col">Kind</th>
          <th scope="col" className="num">
            PID
          </th>
          <th scope="col">Exit code / signal</th>
          <th scope="col">What happened</th>
        </>
      }
      footer={
        <>
          {matching.length > SHOWN && (
            <p className="hint">
              Showing the newest {SHOWN} of {matching.length}.
            </p>
          )}
          {dropped > 0 && (
            <p className="hint" data-testid="log-dropped">
              {dropped} older {dropped === 1 ? 'notification' : 'notifications'} of this job{' '}
              {dropped === 1 ? 'was' : 'were'} dropped to bound memory: this log keeps the newest {notifications.length}.
            </p>
          )}
        </>
      }
    >
      {newest.map(([key, n]) => (
        <NotificationRow key={key} n={n} />
      ))}
    </LogPanel>
  );
});
