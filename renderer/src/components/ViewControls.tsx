import { useActions, useStore } from '../hooks';
import { INTERVALS_MS, WINDOWS_MS, type WindowMs } from '../settings';

const intervalText = (ms: number) => (ms < 1000 ? `${ms} ms` : `${ms / 1000} s`);

/** How much time the charts show; a setting shared by the live view and replays. */
export function WindowSelect() {
  const actions = useActions();
  const windowMs = useStore((s) => s.settings.windowMs);
  return (
    <label className="field inline">
      <span>Time window</span>
      <select value={windowMs} onChange={(e) => actions.changeSettings({ windowMs: Number(e.target.value) as WindowMs })}>
        {WINDOWS_MS.map((ms) => (
          <option key={ms} value={ms}>
            {ms / 60_000} {ms === 60_000 ? 'minute' : 'minutes'}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The charts' time window, and pausing the view while the samples keep arriving in the background. */
export function ViewControls(props: { paused: boolean; onPause: (paused: boolean) => void }) {
  const actions = useActions();
  const intervalMs = useStore((s) => s.intervalMs);
  const online = useStore((s) => s.connection.state === 'open');
  // The service may run at an interval not in the list (--interval): offer it too.
  const intervals = INTERVALS_MS.some((ms) => ms === intervalMs) ? INTERVALS_MS : [...INTERVALS_MS, intervalMs].sort((a, b) => a - b);
  return (
    <div className="view-controls">
      <WindowSelect />
      <label className="field inline">
        <span>Sample every</span>
        <select value={intervalMs} disabled={!online} onChange={(e) => void actions.setSamplingInterval(Number(e.target.value))}>
          {intervals.map((ms) => (
            <option key={ms} value={ms}>
              {intervalText(ms)}
            </option>
          ))}
        </select>
      </label>
      <button type="button" aria-pressed={props.paused} onClick={() => props.onPause(!props.paused)}>
        {props.paused ? 'Resume' : 'Pause'}
      </button>
    </div>
  );
}
