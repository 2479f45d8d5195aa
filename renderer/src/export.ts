// A job's history as files the browser downloads: CSV (one row per sample, cumulative counters as the
// kernel reports them) and JSON (samples and notifications as the view holds them: every live sample has
// its members' totals; per-process rows are on the newest two of a live job, as history keeps them, and on
// every sample of a replay, as a recording keeps them). Downloads go through a Blob URL on a temporary
// link; CSP does not govern downloads, so it stays as strict as it is. A chart
// saves as PNG by drawing its SVG, loaded as a data: image (which img-src already allows), onto a canvas,
// then its notification flags (HTML over the chart, see chart-parts.tsx) on top, where the screen shows them.
import type { JobSample, JobSummary, Notification } from '../../electron/contract';

const COLUMNS = [
  'time',
  'state',
  'user_us',
  'kernel_us',
  'active_processes',
  'total_processes',
  'memory_bytes',
  'memory_peak_bytes',
  'members_resident_bytes',
  'io_read_bytes',
  'io_write_bytes',
  'io_read_ops',
  'io_write_ops',
  'throttled_us',
  'frozen',
] as const;

const cell = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

export function historyCsv(samples: JobSample[]): string {
  const rows = samples.map((s) =>
    [
      new Date(s.time).toISOString(),
      s.state,
      s.processor?.userTimeUs,
      s.processor?.kernelTimeUs,
      s.processor?.activeProcesses,
      s.processor?.totalProcesses,
      s.memory?.currentBytes,
      s.memory?.peakBytes,
      s.members?.residentBytes,
      s.io?.readBytes,
      s.io?.writeBytes,
      s.io?.readOps,
      s.io?.writeOps,
      s.cpuThrottling?.throttledTimeUs,
      s.frozen,
    ]
      .map(cell)
      .join(','),
  );
  return [COLUMNS.join(','), ...rows].join('\n') + '\n';
}

export function historyJson(job: JobSummary, samples: JobSample[], notifications: Notification[]): string {
  return JSON.stringify({ job, exportedAt: new Date().toISOString(), samples, notifications }, null, 1);
}

export function download(fileName: string, type: string, text: string): void {
  downloadBlob(fileName, new Blob([text], { type }));
}

function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // The click has handed the data to the browser's download; the URL is not needed after this task.
  window.setTimeout(() => URL.revokeObjectURL(url), 0);
}

// The paint a chart's SVG gets from our stylesheet and CSS variables, which an SVG loaded as an image
// cannot see: copied onto each cloned element as inline style.
const PAINT = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-dasharray', 'stroke-opacity', 'opacity', 'font-size', 'font-family'];

/** A notification flag as drawn over the chart: its dashed line's x and span, in px from the SVG's corner. */
export interface ChartFlag {
  x: number;
  top: number;
  bottom: number;
  color: string;
}

/** The flags' places on screen, relative to the chart's SVG. */
export function flagsOver(svg: SVGSVGElement, markers: Iterable<HTMLElement>): ChartFlag[] {
  const origin = svg.getBoundingClientRect();
  return [...markers].map((marker) => {
    const box = marker.getBoundingClientRect();
    return { x: box.left - origin.left, top: box.top - origin.top, bottom: box.bottom - origin.top, color: getComputedStyle(marker).color };
  });
}

/** The same flag as the stylesheet's .marker: a dashed line, and a downward triangle above it (12 px wide, 9 px tall). */
function drawFlag(context: CanvasRenderingContext2D, flag: ChartFlag): void {
  context.save();
  context.globalAlpha = 0.75;
  context.strokeStyle = flag.color;
  context.fillStyle = flag.color;
  context.setLineDash([3, 3]);
  context.beginPath();
  context.moveTo(flag.x + 0.5, flag.top);
  context.lineTo(flag.x + 0.5, flag.bottom);
  context.stroke();
  context.beginPath();
  context.moveTo(flag.x - 6, flag.top - 12);
  context.lineTo(flag.x + 6, flag.top - 12);
  context.lineTo(flag.x, flag.top - 3);
  context.closePath();
  context.fill();
  context.restore();
}

/** Downloads the chart as a PNG of its SVG and flags at the screen's pixel density, on the page's background. */
export async function downloadChartPng(svg: SVGSVGElement, flags: ChartFlag[], fileName: string): Promise<void> {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const originals = [svg, ...svg.querySelectorAll<SVGElement>('*')];
  const copies = [clone, ...clone.querySelectorAll<SVGElement>('*')];
  originals.forEach((element, i) => {
    const computed = getComputedStyle(element);
    for (const property of PAINT) copies[i].style.setProperty(property, computed.getPropertyValue(property));
  });
  const { width, height } = svg.getBoundingClientRect();
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  const image = new Image();
  await new Promise((resolve, reject) => {
    image.onload = resolve;
    image.onerror = () => reject(new Error('the chart could not be drawn as an image'));
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(clone))}`;
  });
  const scale = window.devicePixelRatio || 1;
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(width * scale);
  canvas.height = Math.ceil(height * scale);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('this browser cannot draw on a canvas');
  context.scale(scale, scale);
  context.fillStyle = getComputedStyle(svg.closest('figure') ?? document.body).backgroundColor;
  context.fillRect(0, 0, width, height);
  context.drawImage(image, 0, 0, width, height);
  for (const flag of flags) drawFlag(context, flag);
  const png = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!png) throw new Error('the canvas could not be encoded as PNG');
  downloadBlob(fileName, png);
}
