import { useActions, useStore } from '../hooks';
import { WINDOWS_MS, type WindowMs } from '../settings';

/** The charts' time window, and pausing the view while the samples keep arriving in the background. */
export function ViewControls(props: { paused: boolean; onPause: (paused: boolean) => void }) {
  const actions = useActions();
  const windowMs = useStore((s) => s.settings.windowMs);
  return (
    <div className="view-controls">
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
      <button type="button" aria-pressed={props.paused} onClick={() => props.onPause(!props.paused)}>
        {props.paused ? 'Resume' : 'Pause'}
      </button>
    </div>
  );
}
