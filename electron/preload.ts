// The renderer's only door to the main process. A sandboxed preload cannot load our modules, so the
// channel names are repeated here as literals; their types tie them to contract.ts at compile time.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { CommandReply, IPC_COMMAND_CHANNEL, IPC_EVENT_CHANNEL, ServiceEvent } from './contract';

const commandChannel: typeof IPC_COMMAND_CHANNEL = 'jobscope:command';
const eventChannel: typeof IPC_EVENT_CHANNEL = 'jobscope:event';

contextBridge.exposeInMainWorld('jobscope', {
  invoke: (command: unknown): Promise<CommandReply> => ipcRenderer.invoke(commandChannel, command),
  onEvent: (listener: (event: ServiceEvent) => void): (() => void) => {
    const forward = (_event: IpcRendererEvent, serviceEvent: ServiceEvent): void => listener(serviceEvent);
    ipcRenderer.on(eventChannel, forward);
    return () => ipcRenderer.removeListener(eventChannel, forward);
  },
});
