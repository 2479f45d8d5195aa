import { useEffect } from 'react';
import { useActions, useStore } from '../hooks';
import type { Toast } from '../store';

function ToastItem({ toast }: { toast: Toast }) {
  const actions = useActions();
  useEffect(() => {
    const timer = window.setTimeout(() => actions.dismiss(toast.id), toast.kind === 'error' ? 20000 : 6000);
    return () => window.clearTimeout(timer);
  }, [actions, toast]);
  return (
    <div className={`toast toast-${toast.kind}`} role={toast.kind === 'error' ? 'alert' : 'status'}>
      <span>{toast.text}</span>
      <button type="button" className="icon" aria-label="Dismiss message" onClick={() => actions.dismiss(toast.id)}>
        ×
      </button>
    </div>
  );
}

export function Toasts() {
  const toasts = useStore((s) => s.toasts);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <ToastItem key={t.id} toast={t} />
      ))}
    </div>
  );
}
