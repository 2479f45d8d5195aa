// What every time chart shares: the time axis over the chosen window, and the frame (caption, body, legend)
// with the notification markers over the plot. Recharts reads its children's element types, so the axis is
// returned as an element by a function rather than wrapped in a component of ours.
import { useDeferredValue, useMemo, useRef, type ReactNode } from 'react';
import { XAxis } from 'recharts';
import type { JobSample, Notification } from '../../../electron/contract';
import { downloadChartPng, flagsOver } from '../export';
import { clockTicks, describeNotification, formatClock } from '../format';
import { useActions, useStore } from '../hooks';
import { thinByTime } from '../series';

export type Domain = [number, number];
export const MARGIN = { top: 14, right: 12, bottom: 0, left: 0 };
export const TOOLTIP_STYLE = { background: 'var(--panel)', border: '1px solid var(--border)' };
export const clockLabel = (t: unknown) => formatClock(Number(t));

// More flags than this make a chart unreadable; the log has them all.
const MAX_MARKERS = 40;
// Points per chart over the whole window: about its width in pixels. More only cost render time.
const MAX_POINTS = 400;

/** The previous array while it holds the same items, so the memoized charts skip rendering. */
function useSameItems<T>(items: T[]): T[] {
  const held = useRef(items);
  const was = held.current;
  if (was !== items && (was.length !== items.length || items.some((item, i) => item !== was[i]))) held.current = items;
  return held.current;
}

/**
 * What a job's time charts show: the chosen window, its samples thinned to the first of each time bucket
 * (about a pixel: MAX_POINTS per window), and the notifications in it. The picture changes only when a new
 * bucket starts, so charts redraw at most once per bucket whatever the sampling rate (the newest point lags
 * by less than a bucket; the stats above the charts show every sample). Each job's buckets are shifted by a
 * phase of its own: jobs sampled on the same tick would otherwise all start a bucket on the same sample,
 * and every chart on screen would redraw in one long frame (16 charts: an 83 ms frame each bucket).
 * And charts follow the data a step behind (a deferred, interruptible render): a burst of events updates
 * the log and tables first.
 */
export function useChartWindow(samples: JobSample[], notifications: Notification[]) {
  const windowMs = useStore((s) => s.settings.windowMs);
  const deferredSamples = useDeferredValue(samples);
  const deferredNotifications = useDeferredValue(notifications);
  const bucketMs = windowMs / MAX_POINTS;
  // Golden-ratio steps spread consecutive job ids evenly over the bucket.
  const phaseMs = (((samples[0]?.jobId ?? 0) * 0.6180339887) % 1) * bucketMs;
  const kept = useSameItems(useMemo(() => thinByTime(deferredSamples, bucketMs, phaseMs), [deferredSamples, bucketMs, phaseMs]));
  const end = kept[kept.length - 1]?.time ?? 0;
  const start = kept[0]?.time ?? 0;
  // A young job fills the width rather than hugging the right edge of an empty window.
  const domain = useMemo<Domain>(() => [Math.max(end - windowMs, start), end], [start, end, windowMs]);
  // One sample before the window, so the first rate in it has a predecessor.
  const shown = useMemo(() => {
    const first = kept.findIndex((s) => s.time >= domain[0]);
    return first < 0 ? [] : kept.slice(Math.max(0, first - 1));
  }, [kept, domain]);
  const markers = useSameItems(
    useMemo(() => {
      const inWindow = deferredNotifications.filter((n) => n.time >= domain[0] && n.time <= domain[1]);
      return inWindow.slice(Math.max(0, inWindow.length - MAX_MARKERS));
    }, [deferredNotifications, domain]),
  );
  return { domain, shown, markers };
}

export function timeAxis(domain: Domain) {
  return (
    <XAxis
      dataKey="time"
      type="number"
      scale="time"
      domain={domain}
      allowDataOverflow
      ticks={clockTicks(domain[0], domain[1])}
      tickFormatter={clockLabel}
      stroke="var(--muted)"
    />
  );
}

const LIMIT_KINDS = new Set(['JOB_MEMORY_LIMIT', 'ACTIVE_PROCESS_LIMIT', 'PROCESS_MEMORY_LIMIT', 'END_OF_JOB_TIME', 'END_OF_PROCESS_TIME']);
function markerTone(kind: Notification['kind']): string {
  if (LIMIT_KINDS.has(kind)) return 'limit';
  if (kind === 'NEW_PROCESS') return 'new';
  return 'exit';
}

/** Where the plot area sits inside the chart body: the y axes' widths plus the chart's margins, in px. */
export interface PlotInsets {
  left: number;
  right: number;
}

/**
 * A flag and a dashed line per notification over the plot, positioned by time. Plain HTML over the chart
 * rather than recharts reference lines: dozens of those made every sample re-render take seconds. The
 * title is the tooltip, and the accessible name.
 */
function Markers(props: { markers: Notification[]; domain: Domain; insets: PlotInsets }) {
  const [from, to] = props.domain;
  if (to <= from || props.markers.length === 0) return null;
  return (
    <ol className="markers" aria-label="Notifications on this chart" style={{ left: props.insets.left, right: props.insets.right }}>
      {props.markers.map((n, i) => {
        const text = `${formatClock(n.time)} ${n.kind}: ${describeNotification(n)}`;
        return (
          <li
            key={`${n.time}-${n.kind}-${n.pid}-${i}`}
            className={`marker marker-${markerTone(n.kind)}`}
            role="img"
            aria-label={text}
            title={text}
            style={{ left: `${((n.time - from) / (to - from)) * 100}%` }}
          />
        );
      })}
    </ol>
  );
}

/**
 * A chart's caption, body and legend. `children` is the recharts plot, which each chart memoizes on what it
 * draws (data, domain, limits): recharts 3 redoes all of a chart synchronously whenever it renders (its own
 * store notifies its parts in an animation frame), so rendering the plot again for new flags alone, on
 * every exit, kept the main thread busy in blocks that incoming events had to wait behind.
 */
export function ChartFrame(props: {
  id: string;
  title: string;
  hint: ReactNode;
  now: string;
  empty: string | null;
  legend: ReactNode;
  markers: Notification[];
  domain: Domain;
  insets: PlotInsets;
  children: ReactNode;
}) {
  const actions = useActions();
  const figure = useRef<HTMLElement>(null);
  async function savePng() {
    const svg = figure.current?.querySelector<SVGSVGElement>('svg.recharts-surface');
    if (!svg) return;
    try {
      await downloadChartPng(svg, flagsOver(svg, figure.current!.querySelectorAll<HTMLElement>('.marker')), `${props.id}-${new Date().toISOString().replace(/[:.]/g, '-')}.png`);
    } catch (err) {
      actions.toast('error', `Could not save the ${props.title} chart: ${err instanceof Error ? err.message : String(err)}.`);
    }
  }
  return (
    <figure ref={figure} className="chart" aria-labelledby={`${props.id}-title`}>
      <figcaption>
        <h3 id={`${props.id}-title`}>{props.title}</h3>
        <span className="hint">{props.hint}</span>
        <span className="chart-now">{props.now}</span>
        <button
          type="button"
          className="icon save-png"
          aria-label={`Save the ${props.title} chart as PNG`}
          title="Save as PNG"
          disabled={props.empty !== null}
          onClick={() => void savePng()}
        >
          ⤓
        </button>
      </figcaption>
      <div className="chart-body">
        {props.empty !== null ? <p className="chart-empty">{props.empty}</p> : props.children}
        {props.empty === null && <Markers markers={props.markers} domain={props.domain} insets={props.insets} />}
      </div>
      <ul className="legend" aria-hidden="true">
        {props.legend}
      </ul>
    </figure>
  );
}
