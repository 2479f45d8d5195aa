// Starts JobScope's serve mode as a user would (the built CLI) and hands its printed URL to the test.
import { test as base } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { once } from 'node:events';

const cli = path.join(__dirname, '..', 'dist', 'electron', 'serve', 'cli.js');

export const test = base.extend<{ serveUrl: string }>({
  serveUrl: async ({}, use) => {
    const server: ChildProcess = spawn(process.execPath, [cli, '--interval', '500'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      server.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(output);
        if (match) resolve(match[0]);
      });
      server.once('exit', (code) => reject(new Error(`serve mode exited with ${code} before printing its URL:\n${output}`)));
    });
    await use(url);
    server.kill('SIGTERM');
    await once(server, 'exit');
  },
});

export { expect } from '@playwright/test';
