import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Actions } from './actions';
import { createApi } from './api';
import { App } from './components/App';
import { ActionsContext } from './hooks';
import { Store } from './store';
import './styles.css';

const api = createApi();
const actions = new Actions(new Store(api.status()), api);
actions.start();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ActionsContext.Provider value={actions}>
      <App />
    </ActionsContext.Provider>
  </StrictMode>,
);
