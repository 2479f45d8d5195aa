// The end of every form dialog: the service's error as a sentence, Cancel, and the submit button that
// shows progress while the command runs.
import { BusyButton } from './BusyButton';

export function FormFooter(props: { error: string | null; onCancel: () => void; submitLabel: string; busy: boolean; disabled?: boolean }) {
  return (
    <>
      {props.error && (
        <p className="inline-error" role="alert">
          {props.error}
        </p>
      )}
      <div className="dialog-buttons">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <BusyButton type="submit" className="primary" busy={props.busy} disabled={props.disabled}>
          {props.submitLabel}
        </BusyButton>
      </div>
    </>
  );
}
