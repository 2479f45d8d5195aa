// React access to the store: one context, and a selector hook on top of useSyncExternalStore. Selectors
// must return parts of the state as they are (no new objects), so unchanged parts skip re-rendering.
import { createContext, useContext, useSyncExternalStore } from 'react';
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
