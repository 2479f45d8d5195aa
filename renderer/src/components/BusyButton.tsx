// A button that shows a command is running: a spinner, aria-busy, and no second click meanwhile.
import type { ButtonHTMLAttributes } from 'react';

export function BusyButton({ busy, children, disabled, ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { busy: boolean }) {
  return (
    <button {...rest} disabled={disabled || busy} aria-busy={busy || undefined}>
      {busy && <span className="spinner" aria-hidden="true" />}
      {children}
    </button>
  );
}
