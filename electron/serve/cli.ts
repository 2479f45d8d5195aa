// `npm run serve`: the monitoring service and the renderer for any browser, on loopback by default.
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { rendererDir } from '../paths';
import { JobService } from '../service/job-service';
import { startServer } from './server';

const USAGE = 'usage: npm run serve -- [--port N] [--host ADDRESS] [--interval MS]';

function parseOptions(argv: string[]): { port: number; host: string; intervalMs: number } {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      interval: { type: 'string', default: '1000' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535, not "${values.port}"`);
  const intervalMs = Number(values.interval);
  if (!Number.isInteger(intervalMs) || intervalMs < 100 || intervalMs > 60_000)
    throw new Error(`--interval must be 100-60000 ms, not "${values.interval}"`);
  if (isIP(values.host) === 0 && values.host !== 'localhost') throw new Error(`--host must be an IP address, not "${values.host}"`);
  return { port, host: values.host, intervalMs };
}

export async function serve(argv: string[]): Promise<void> {
  let options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (!['127.0.0.1', '::1', 'localhost'].includes(options.host))
    console.warn(`warning: serving on ${options.host}, reachable from other machines; anyone with the URL can kill processes.`);
  const service = new JobService({ intervalMs: options.intervalMs });
  service.start();
  let server;
  try {
    server = await startServer({ service, staticDir: rendererDir, host: options.host, port: options.port });
  } catch (error) {
    service.stop();
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? `port ${options.port} is already in use` : (error as Error).message;
    console.error(`JobScope cannot serve on ${options.host}:${options.port}: ${why}.`);
    process.exit(1);
  }
  console.log(`JobScope is serving at ${server.url}`);

  const shutdown = async (): Promise<void> => {
    await server.close();
    const { leftBehind } = service.stop();
    for (const line of leftBehind) console.log(`left running: ${line}`);
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

if (require.main === module) void serve(process.argv.slice(2));
