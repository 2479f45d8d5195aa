// The desktop shell: one locked-down window on the monitoring service. All logic lives in the service.
import { app, BrowserWindow, ipcMain, session, shell } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC_COMMAND_CHANNEL, IPC_EVENT_CHANNEL } from './contract';
import { rendererDir } from './paths';
import { JobService } from './service/job-service';

const indexHtml = path.join(rendererDir, 'index.html');
const service = new JobService();

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'JobScope',
    webPreferences: {
      preload: path.join(__dirname, 'preload.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  const unsubscribe = service.subscribe((event) => window.webContents.send(IPC_EVENT_CHANNEL, event));
  window.on('closed', unsubscribe);
  void window.loadFile(indexHtml);
  return window;
}

app.on('web-contents-created', (_event, contents) => {
  // Our page never navigates or opens windows; anything that tries is refused (links go to the OS browser).
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
});

void app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  const ourPage = pathToFileURL(indexHtml).href;
  ipcMain.handle(IPC_COMMAND_CHANNEL, (event, command: unknown) => {
    if (event.senderFrame?.url !== ourPage) return { ok: false, error: 'Commands are accepted from JobScope\'s own page only' };
    return service.handle(command);
  });
  service.start();
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => app.quit());
app.on('will-quit', () => {
  const { leftBehind } = service.stop();
  for (const line of leftBehind) console.log(`left running: ${line}`);
});
