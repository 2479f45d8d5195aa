import { memo, useMemo } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, YAxis } from 'recharts';
import type { JobSample, Notification } from '../../../electron/contract';
import { formatBytes } from '../format';
import { ioSeries } from '../series';
import { ChartFrame, clockLabel, MARGIN, timeAxis, TOOLTIP_STYLE, type Domain } from './chart-parts';

const rateTick = (v: number) => `${formatBytes(v)}/s`;
const opsTick = (v: number) => `${Math.round(v)}/s`;
const ioTooltip = (v: unknown, name: string | number | undefined) => [String(name).includes('ops') ? opsTick(Number(v)) : rateTick(Number(v)), name];
const BYTES_DOMAIN: [number, (max: number) => number] = [0, (max) => Math.max(max, 1024)];
const OPS_DOMAIN: [number, (max: number) => number] = [0, (max) => Math.max(max, 10)];
const TRACKING: Record<string, string> = {
  off: 'IO tracking off for this job.',
  unsupported: 'IO tracking unsupported: this host gives the job no io (v2) or blkio (v1) controller.',
};

export const IoChart = memo(function IoChart(props: { samples: JobSample[]; domain: Domain; markers: Notification[] }) {
  const data = useMemo(() => ioSeries(props.samples), [props.samples]);
  const last = data[data.length - 1];
  const tracking = props.samples[props.samples.length - 1]?.io?.tracking;
  const empty = tracking && tracking !== 'on' ? TRACKING[tracking] : data.length < 2 ? 'Waiting for samples…' : null;
  // Memoized so that new notification flags alone (every exit) leave recharts alone: see ChartFrame.
  const plot = useMemo(
    () => (
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={MARGIN}>
          <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
          {timeAxis(props.domain)}
          <YAxis yAxisId="bytes" tickFormatter={rateTick} stroke="var(--muted)" width={80} domain={BYTES_DOMAIN} />
          <YAxis yAxisId="ops" orientation="right" tickFormatter={opsTick} stroke="var(--muted)" width={48} domain={OPS_DOMAIN} />
          <Tooltip labelFormatter={clockLabel} formatter={ioTooltip} contentStyle={TOOLTIP_STYLE} />
          <Line yAxisId="bytes" dataKey="readBytes" name="read bytes" stroke="var(--read)" dot={false} isAnimationActive={false} />
          <Line yAxisId="bytes" dataKey="writeBytes" name="write bytes" stroke="var(--write)" dot={false} isAnimationActive={false} />
          <Line yAxisId="ops" dataKey="readOps" name="read ops" stroke="var(--read)" strokeDasharray="4 3" dot={false} isAnimationActive={false} />
          <Line yAxisId="ops" dataKey="writeOps" name="write ops" stroke="var(--write)" strokeDasharray="4 3" dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    ),
    [data, props.domain],
  );
  return (
    <ChartFrame
      id="io-chart"
      title="IO"
      hint="bytes/s (solid, left) and operations/s (dashed, right) on block devices"
      now={last ? `${rateTick(last.readBytes + last.writeBytes)}` : '—'}
      markers={props.markers}
      domain={props.domain}
      insets={{ left: 80, right: 48 + MARGIN.right }}
      empty={empty}
      legend={
        <>
          <li className="legend-read">read</li>
          <li className="legend-write">write</li>
        </>
      }
    >
      {plot}
    </ChartFrame>
  );
});
