// A JobService alone in its own Node process, driven over IPC, so a test can kill it (SIGKILL) and look at
// what the crash left behind, or stop it (SIGTERM) as serve mode's shutdown does. argv[2]: the recordings
// folder. Each message is a command; each answer is { id, reply }.
import { JobService } from './job-service';

const service = new JobService({ intervalMs: 100, recordingsDir: process.argv[2] });
service.start();
process.on('message', (message: { id: number; command: unknown }) => {
  void service.handle(message.command).then((reply) => process.send!({ id: message.id, reply }));
});
process.once('SIGTERM', () => {
  service.stop();
  process.exit(0);
});
process.send!({ ready: true });
