import { memo, useMemo } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, YAxis } from 'recharts';
import type { JobSample, Notification } from '../../../electron/contract';
import { processSeries } from '../series';
import { ChartFrame, clockLabel, MARGIN, timeAxis, TOOLTIP_STYLE, type Domain } from './chart-parts';

const Y_DOMAIN: [number, (max: number) => number] = [0, (max) => Math.max(max, 4)];

export const ProcessChart = memo(function ProcessChart(props: {
  samples: JobSample[];
  limit: number | null;
  domain: Domain;
  markers: Notification[];
}) {
  const data = useMemo(() => processSeries(props.samples), [props.samples]);
  const last = data[data.length - 1];
  // Memoized so that new notification flags alone (every exit) leave recharts alone: see ChartFrame.
  const plot = useMemo(
    () => (
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={MARGIN}>
          <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
          {timeAxis(props.domain)}
          <YAxis allowDecimals={false} stroke="var(--muted)" width={40} domain={Y_DOMAIN} />
          <Tooltip labelFormatter={clockLabel} contentStyle={TOOLTIP_STYLE} />
          <Line type="stepAfter" dataKey="active" name="processes" stroke="var(--processes)" strokeWidth={2} dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    ),
    [data, props.domain],
  );
  return (
    <ChartFrame
      id="process-chart"
      title="Active processes"
      hint={props.limit != null ? `limit: ${props.limit} (on Linux it counts threads too)` : 'members of the job'}
      now={last ? String(last.active) : '—'}
      markers={props.markers}
      domain={props.domain}
      insets={{ left: 40, right: MARGIN.right }}
      empty={data.length < 2 ? 'Waiting for samples…' : null}
      legend={<li className="legend-processes">processes</li>}
    >
      {plot}
    </ChartFrame>
  );
});
