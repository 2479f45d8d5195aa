import { memo, useMemo } from 'react';
import type { Notification } from '../../../electron/contract';
import { describeNotification, exitColumn, formatClock } from '../format';

const SHOWN = 200;

export const NotificationLog = memo(function NotificationLog({ notifications }: { notifications: Notification[] }) {
  const newest = useMemo(() => notifications.slice(-SHOWN).reverse(), [notifications]);
  return (
    <section className="panel" aria-labelledby="log-title">
      <h3 id="log-title">Notifications</h3>
      {newest.length === 0 ? (
        <p className="hint">No notifications yet. Processes joining and exiting the job are logged here.</p>
      ) : (
        <div className="table-wrap log">
          <table className="table" aria-labelledby="log-title">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Kind</th>
                <th scope="col" className="num">
                  PID
                </th>
                <th scope="col">Exit code / signal</th>
                <th scope="col">What happened</th>
              </tr>
            </thead>
            <tbody>
              {newest.map((n, i) => (
                <tr key={`${n.time}-${n.kind}-${n.pid}-${i}`} className={`kind-${n.kind}`}>
                  <td>{formatClock(n.time)}</td>
                  <td>
                    <code>{n.kind}</code>
                  </td>
                  <td className="num">{n.pid || '—'}</td>
                  <td>{exitColumn(n)}</td>
                  <td>{describeNotification(n)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {notifications.length > SHOWN && (
        <p className="hint">
          Showing the newest {SHOWN} of {notifications.length}.
        </p>
      )}
    </section>
  );
});
