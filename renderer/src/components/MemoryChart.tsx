import { memo, useMemo } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, YAxis } from 'recharts';
import type { JobSample, MemorySource, Notification } from '../../../electron/contract';
import { formatBytes, MEMORY_SOURCE_LABEL, MEMORY_SOURCE_SHORT } from '../format';
import { memorySeries } from '../series';
import { ChartFrame, clockLabel, MARGIN, timeAxis, TOOLTIP_STYLE, type Domain } from './chart-parts';

const bytesTick = (v: number) => formatBytes(v);
// An idle job's chart should read "almost nothing", not zoom into a few bytes.
const MIN_SCALE_BYTES = 1 << 20;
const Y_DOMAIN: [number, (dataMax: number) => number] = [0, (dataMax) => Math.max(dataMax, MIN_SCALE_BYTES)];
const bytesTooltip = (v: unknown, name: string | number | undefined) => [formatBytes(Number(v)), name];

export const MemoryChart = memo(function MemoryChart(props: {
  samples: JobSample[];
  source?: MemorySource;
  limitBytes: number | null;
  domain: Domain;
  markers: Notification[];
  /** Makes the chart's element ids unique where several jobs' charts share a page. */
  idPrefix?: string;
}) {
  const data = useMemo(() => memorySeries(props.samples), [props.samples]);
  const last = data[data.length - 1];
  const hasPeak = data.some((p) => p.peak != null);
  // A cgroup is charged only for memory allocated after a process joined it (the kernel never moves
  // charges), so an attached process's earlier memory shows only in the members' resident sum.
  const showResident = props.source !== undefined && props.source !== 'procfs';
  const { limitBytes, domain } = props;
  // Memoized so that new notification flags alone (every exit) leave recharts alone: see ChartFrame.
  const plot = useMemo(
    () => (
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={MARGIN}>
          <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
          {timeAxis(domain)}
          <YAxis tickFormatter={bytesTick} stroke="var(--muted)" width={72} domain={Y_DOMAIN} />
          <Tooltip labelFormatter={clockLabel} formatter={bytesTooltip} contentStyle={TOOLTIP_STYLE} />
          <Line type="monotone" dataKey="current" name="current" stroke="var(--memory)" strokeWidth={2} dot={false} isAnimationActive={false} />
          {showResident && (
            <Line type="monotone" dataKey="resident" name="members' resident" stroke="var(--resident)" strokeWidth={2} dot={false} isAnimationActive={false} />
          )}
          {limitBytes != null && (
            <ReferenceLine
              y={limitBytes}
              stroke="var(--danger)"
              strokeDasharray="6 3"
              ifOverflow="extendDomain"
              label={{ value: `limit ${formatBytes(limitBytes)}`, position: 'insideTopRight', fill: 'var(--danger)', fontSize: 11 }}
            />
          )}
          {hasPeak && (
            <Line type="stepAfter" dataKey="peak" name="peak" stroke="var(--peak)" strokeDasharray="5 4" dot={false} isAnimationActive={false} />
          )}
        </LineChart>
      </ResponsiveContainer>
    ),
    [data, domain, showResident, limitBytes, hasPeak],
  );
  return (
    <ChartFrame
      id={`${props.idPrefix ?? ''}memory-chart`}
      title="Memory"
      hint={<span title={props.source ? MEMORY_SOURCE_LABEL[props.source] : undefined}>source: {props.source ? MEMORY_SOURCE_SHORT[props.source] : 'unknown'}</span>}
      now={last ? formatBytes(last.current) : '—'}
      markers={props.markers}
      domain={props.domain}
      insets={{ left: 72, right: MARGIN.right }}
      empty={data.length < 2 ? 'Waiting for samples…' : null}
      legend={
        <>
          <li className="legend-memory">current</li>
          {showResident && (
            <li className="legend-resident" title="Sum of the members' RSS, including memory they allocated before joining">
              members' resident
            </li>
          )}
          {hasPeak && <li className="legend-peak">peak</li>}
          {props.limitBytes != null && <li className="legend-limit">limit</li>}
        </>
      }
    >
      {plot}
    </ChartFrame>
  );
});
