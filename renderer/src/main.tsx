import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Actions } from './actions';
import { createApi } from './api';
import { App } from './components/App';
import { ActionsContext } from './hooks';
import { loadSettings } from './settings';
import { Store } from './store';
import './styles.css';

const api = createApi();
const actions = new Actions(new Store(api.status(), loadSettings()), api);
actions.start();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ActionsContext.Provider value={actions}>
      <App />
    </ActionsContext.Provider>
  </StrictMode>,
);
