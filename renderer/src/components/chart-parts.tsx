// What every time chart shares: the time axis over the chosen window, and the frame (caption, body, legend)
// with the notification markers over the plot. Recharts reads its children's element types, so the axis is
// returned as an element by a function rather than wrapped in a component of ours.
import { useDeferredValue, useMemo, useRef, type ReactNode } from 'react';
import { XAxis } from 'recharts';
import type { JobSample, Notification } from '../../../electron/contract';
import { downloadChartPng } from '../export';
import { describeNotification, formatClock, formatMmSs } from '../format';
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

/**
 * What a job's time charts show: the chosen window ending at the newest sample, its samples thinned to
 * about one per pixel, and the notifications in it. Charts follow the data a step behind (a deferred,
 * interruptible render): a burst of events updates the log and tables first, and the charts catch up
 * with the newest data once, instead of re-rendering for every message.
 */
export function useChartWindow(samples: JobSample[], notifications: Notification[]) {
  const windowMs = useStore((s) => s.settings.windowMs);
  const deferredSamples = useDeferredValue(samples);
  const deferredNotifications = useDeferredValue(notifications);
  const end = deferredSamples[deferredSamples.length - 1]?.time ?? 0;
  const start = deferredSamples[0]?.time ?? 0;
  // A young job fills the width rather than hugging the right edge of an empty window.
  const domain = useMemo<Domain>(() => [Math.max(end - windowMs, start), end], [start, end, windowMs]);
  // One sample before the window, so the first rate in it has a predecessor.
  const shown = useMemo(() => {
    const first = deferredSamples.findIndex((s) => s.time >= domain[0]);
    return first < 0 ? [] : thinByTime(deferredSamples.slice(Math.max(0, first - 1)), windowMs / MAX_POINTS);
  }, [deferredSamples, domain, windowMs]);
  const markers = useMemo(() => {
    const inWindow = deferredNotifications.filter((n) => n.time >= domain[0] && n.time <= domain[1]);
    return inWindow.slice(Math.max(0, inWindow.length - MAX_MARKERS));
  }, [deferredNotifications, domain]);
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
      tickFormatter={formatMmSs}
      stroke="var(--muted)"
      minTickGap={40}
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
      await downloadChartPng(svg, `${props.id}-${new Date().toISOString().replace(/[:.]/g, '-')}.png`);
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
