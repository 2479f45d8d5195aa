// The desktop shell: one locked-down window on the monitoring service. All logic lives in the service.
// Electron's security checklist, item by item, is in README's Security section; `npm run lint:electron`
// scans this file with electronegativity.
import { app, BrowserWindow, ipcMain, session } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC_COMMAND_CHANNEL, IPC_EVENT_CHANNEL } from './contract';
import { rendererDir } from './paths';
import { JobService } from './service/job-service';

const indexHtml = path.join(rendererDir, 'index.html');
const service = new JobService();

// Every renderer is sandboxed, whatever its webPreferences say.
app.enableSandbox();

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'JobScope',
    webPreferences: {
      // The preload exposes two functions (invoke, onEvent) through contextBridge, never ipcRenderer itself.
      preload: path.join(__dirname, 'preload.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      // Middle-click (auxclick) would otherwise open links in new windows.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  const unsubscribe = service.subscribe((event) => window.webContents.send(IPC_EVENT_CHANNEL, event));
  window.on('closed', unsubscribe);
  void window.loadFile(indexHtml);
  return window;
}

app.on('web-contents-created', (_event, contents) => {
  // Our page never navigates, opens windows or embeds webviews; anything that tries is refused. Links to
  // the web are not opened either: JobScope shows no remote content and hands no URL to the OS.
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-frame-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

/** JobScope loads its own files only: no http(s), ws or any other scheme leaves the app. */
function isLocalResource(url: string): boolean {
  return url.startsWith('file://') || url.startsWith('devtools://') || url.startsWith('data:');
}

void app.whenReady().then(() => {
  const ses = session.defaultSession;
  // No permission is ever granted or even reported as granted (camera, notifications, clipboard, ...).
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isLocalResource(details.url) }));
  // The page's CSP is its <meta> tag (renderer/index.html): a response header cannot be attached to
  // file:// loads, which webRequest.onHeadersReceived never sees.

  const ourPage = pathToFileURL(indexHtml).href;
  ipcMain.handle(IPC_COMMAND_CHANNEL, (event, command: unknown) => {
    // Only our page's top frame may command the service; the command itself is validated by the service
    // against the contract's zod schema.
    const frame = event.senderFrame;
    if (!frame || frame.url !== ourPage || frame.parent !== null) {
      return { ok: false, error: "Commands are accepted from JobScope's own page only" };
    }
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
