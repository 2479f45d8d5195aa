// React access to the store: one context, and a selector hook on top of useSyncExternalStore. Selectors
// must return parts of the state as they are (no new objects), so unchanged parts skip re-rendering.
import { createContext, useContext, useState, useSyncExternalStore, type FormEvent } from 'react';
import type { Actions } from './actions';
import type { State } from './store';

export const ActionsContext = createContext<Actions | null>(null);

export function useActions(): Actions {
  const actions = useContext(ActionsContext);
  if (!actions) throw new Error('ActionsContext is missing');
  return actions;
}

export function useStore<T>(selector: (s: State) => T): T {
  const { store } = useActions();
  return useSyncExternalStore(store.subscribe, () => selector(store.getState()));
}

/**
 * A form dialog's submit: unless `blocked` (the form is invalid), runs `run` while showing progress, then
 * closes with `onDone`; a rejection stays open with the service's error as a sentence.
 */
export function useFormSubmit(run: () => Promise<unknown>, onDone: () => void, blocked = false) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (blocked) return;
    setBusy(true);
    setError(null);
    try {
      await run();
      onDone();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  }
  return { submit, error, busy };
}
