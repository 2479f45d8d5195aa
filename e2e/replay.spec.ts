// Recording a session and replaying it in the job views: a load generator run is recorded from its start
// to its exit, then replayed at 16x with the same charts, flags, member table and notification log, marked
// as a replay with no live actions.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createJobInUi, expect, startLoadgen, test } from './serve-fixture';

const screenshots = path.join(__dirname, 'screenshots');

test('record a load generator run, stop, and replay it with its exit on the charts', async ({ page, serveUrl }) => {
  test.setTimeout(60_000);
  const jobName = `e2e-replay-${process.pid}`;
  const recordingFile = `${jobName}.jsonl`;
  await page.goto(serveUrl);
  const recordings = page.getByRole('region', { name: 'Recordings' });
  await expect(recordings).toContainText('No recordings yet. Record saves');

  await recordings.getByRole('button', { name: 'Record' }).click();
  const record = page.getByRole('dialog', { name: 'Record session' });
  await record.getByLabel('Recording name (optional)').fill(jobName);
  await record.getByRole('button', { name: 'Start recording' }).click();
  await expect(recordings.getByRole('status')).toHaveText(`Recording to ${recordingFile}`);

  await createJobInUi(page, jobName);
  const pid = await startLoadgen(page, { 'CPU load (% of one CPU)': '50', 'Memory (MiB)': '32', 'Duration (s)': '4' });
  const liveLog = page.getByRole('table', { name: 'Notifications' });
  await expect(liveLog.getByRole('row').filter({ hasText: 'EXIT_PROCESS' }).filter({ hasText: String(pid) })).toHaveCount(1, {
    timeout: 15_000,
  });
  // A second of samples after the exit, so the replay has something after the flag.
  await page.waitForTimeout(1000);
  await recordings.getByRole('button', { name: 'Stop recording' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Saved the recording ${recordingFile}` })).toBeVisible();

  const entry = recordings.getByRole('button', { name: `Replay ${recordingFile}` });
  await expect(entry).toContainText(jobName);
  await entry.click();

  const replay = page.getByRole('region', { name: new RegExp(`^${recordingFile} replay`) });
  await expect(replay).toBeVisible();
  await expect(replay.getByRole('note')).toHaveText(/Replay, not live/);
  for (const liveOnly of ['Terminate', 'Freeze', 'Load generator', 'Attach processes', 'Edit limits', 'Close job']) {
    await expect(page.getByRole('button', { name: liveOnly })).toHaveCount(0);
  }

  // At the start nothing has happened yet; played to the end at 16x, everything has.
  const controls = replay.getByRole('group', { name: 'Replay controls' });
  const cpu = replay.getByRole('figure', { name: 'CPU' });
  const log = replay.getByRole('table', { name: 'Notifications' });
  await expect(cpu).toContainText('Waiting for samples');
  await controls.getByLabel('Speed').selectOption({ label: '16×' });
  await controls.getByRole('button', { name: 'Play' }).click();
  await expect(controls.getByRole('button', { name: 'Pause' })).toBeVisible();
  await expect(controls.getByRole('button', { name: 'Play' })).toBeVisible({ timeout: 10_000 });

  await expect(cpu.getByRole('img', { name: new RegExp(`EXIT_PROCESS: pid ${pid} exited with code 0`) })).toHaveCount(1);
  await expect(cpu.getByRole('img', { name: new RegExp(`NEW_PROCESS: pid ${pid} joined the job`) })).toHaveCount(1);
  await expect(log.getByRole('row').filter({ hasText: 'EXIT_PROCESS' })).toHaveCount(1);
  await expect(replay.getByRole('figure', { name: 'Memory' }).locator('.chart-now')).not.toHaveText('—');
  await expect(replay.getByRole('table', { name: /Your actions/ })).toContainText('launchLoadgen');
  await page.screenshot({ path: path.join(screenshots, 'replay.png') });

  // Save as PNG draws the flags into the image, where the screen shows them: each flag's pixel in the PNG is
  // its colour at 75 % over the chart's background, or darker where flags overlap (the exit and the job's
  // "no active processes" come at one moment), which the SVG alone never paints there.
  const [png] = await Promise.all([page.waitForEvent('download'), cpu.getByRole('button', { name: 'Save the CPU chart as PNG' }).click()]);
  await png.saveAs(path.join(screenshots, 'cpu-chart-flags.png'));
  const flags = await cpu.evaluate(async (figure, base64) => {
    const image = new Image();
    await new Promise((resolve, reject) => {
      image.onload = resolve;
      image.onerror = reject;
      image.src = `data:image/png;base64,${base64}`;
    });
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0);
    const pixel = (x: number, y: number) => [...context.getImageData(Math.round(x), Math.round(y), 1, 1).data.slice(0, 3)];
    const background = pixel(1, 1);
    const origin = figure.querySelector('svg.recharts-surface')!.getBoundingClientRect();
    return [...figure.querySelectorAll<HTMLElement>('.marker')].map((marker) => {
      const box = marker.getBoundingClientRect();
      const color = getComputedStyle(marker).color.match(/\d+/g)!.map(Number);
      return {
        full: color.slice(0, 3),
        once: color.slice(0, 3).map((c, i) => Math.round(0.75 * c + 0.25 * background[i])),
        // The middle of the triangle above the flag's line.
        found: pixel(box.left - origin.left, box.top - origin.top - 9),
      };
    });
  }, readFileSync((await png.path())!).toString('base64'));
  expect(flags).toHaveLength(3);
  for (const { full, once, found } of flags) {
    found.forEach((channel, i) => {
      expect(channel, `${found} between ${full} and ${once}`).toBeGreaterThanOrEqual(Math.min(full[i], once[i]) - 8);
      expect(channel, `${found} between ${full} and ${once}`).toBeLessThanOrEqual(Math.max(full[i], once[i]) + 8);
    });
  }

  // Dragging the position back to the start takes the flags and the log back with it.
  const position = controls.getByRole('slider', { name: 'Position' });
  await position.fill(await position.getAttribute('min').then(String));
  await expect(cpu).toContainText('Waiting for samples');
  await expect(replay.getByText('No notifications yet')).toBeVisible();

  await replay.getByRole('button', { name: 'Close replay' }).click();
  await expect(page.getByRole('heading', { level: 2, name: new RegExp(`^${jobName}\\b`) })).toBeVisible();
  await page.getByRole('button', { name: 'Close job' }).click();
  await expect(page.getByRole('navigation', { name: 'Jobs' }).getByRole('list', { name: 'Held jobs' })).toHaveCount(0);
});
