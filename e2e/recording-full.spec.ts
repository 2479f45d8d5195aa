// A disk that fills while recording: the data folder is a 64 KiB tmpfs, filled by the test while a job is
// recorded. The user is told, in a sentence naming the OS error and the file, both as an alert and in the
// Recordings panel; the recording shows as interrupted and still replays; monitoring carries on.
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { createJobInUi, expect, test } from './serve-fixture';

test.use({ dataHomeSize: '64k' });

test('a full disk stops the recording, says why, and keeps what was recorded', async ({ page, serveUrl, dataHome }) => {
  const name = `e2e-full-${process.pid}`;
  const file = path.join(dataHome, 'jobscope', 'recordings', `${name}.jsonl`);
  await page.goto(serveUrl);
  const recordings = page.getByRole('region', { name: 'Recordings' });
  await createJobInUi(page, name);
  await recordings.getByRole('button', { name: 'Record' }).click();
  const record = page.getByRole('dialog', { name: 'Record session' });
  await record.getByLabel('Recording name (optional)').fill(name);
  await record.getByRole('button', { name: 'Start recording' }).click();
  await expect(recordings.getByRole('status')).toHaveText(`Recording to ${name}.jsonl`);

  // Fill the disk: the recording's next write past its last page fails with ENOSPC.
  const filler = openSync(path.join(dataHome, 'filler'), 'a');
  try {
    for (;;) writeSync(filler, Buffer.alloc(4096, 'x'));
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
  } finally {
    closeSync(filler);
  }

  const sentence = `Recording stopped: no space left on device (ENOSPC) writing ${file}. The file keeps every record written before.`;
  await expect(page.getByRole('alert').filter({ hasText: 'Recording stopped' }).locator('span')).toHaveText(sentence, { timeout: 20_000 });
  await expect(recordings.getByText(sentence)).toBeVisible();
  await expect(recordings.getByRole('button', { name: 'Record' })).toBeVisible();
  const entry = recordings.getByRole('button', { name: `Replay ${name}.jsonl` });
  await expect(entry).toContainText('interrupted');
  await page.screenshot({ path: path.join(__dirname, 'screenshots', 'recording-failed.png') });

  // Monitoring goes on: a new job can be made and watched, and the cut-short recording replays.
  await createJobInUi(page, `${name}-after`);
  await expect(page.getByRole('figure', { name: 'Memory' }).locator('.chart-now')).not.toHaveText('—');
  await entry.click();
  await expect(page.getByRole('region', { name: new RegExp(`^${name}\\.jsonl replay`) })).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: /Could not open/ })).toHaveCount(0);
});
