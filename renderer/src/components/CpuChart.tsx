import { memo, useMemo } from 'react';
import { Area, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, YAxis } from 'recharts';
import type { JobSample, Notification } from '../../../electron/contract';
import { formatPercent } from '../format';
import { cpuSeries } from '../series';
import { ChartFrame, clockLabel, MARGIN, timeAxis, TOOLTIP_STYLE, type Domain } from './chart-parts';

const percentTick = (v: number) => `${v}%`;
const percentTooltip = (v: unknown, name: string | number | undefined) => [formatPercent(Number(v)), name];
const Y_DOMAIN: [number, 'auto'] = [0, 'auto'];

export const CpuChart = memo(function CpuChart(props: {
  samples: JobSample[];
  domain: Domain;
  markers: Notification[];
  /** Makes the chart's element ids unique where several jobs' charts share a page. */
  idPrefix?: string;
}) {
  const data = useMemo(() => cpuSeries(props.samples), [props.samples]);
  const last = data[data.length - 1];
  const hasThrottling = data.some((p) => p.throttled != null);
  // Memoized so that new notification flags alone (every exit) leave recharts alone: see ChartFrame.
  const plot = useMemo(
    () => (
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data} margin={MARGIN}>
          <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
          {timeAxis(props.domain)}
          <YAxis tickFormatter={percentTick} stroke="var(--muted)" width={52} domain={Y_DOMAIN} />
          <Tooltip labelFormatter={clockLabel} formatter={percentTooltip} contentStyle={TOOLTIP_STYLE} />
          <Area type="monotone" dataKey="kernel" name="kernel" stackId="cpu" stroke="var(--kernel)" fill="var(--kernel)" fillOpacity={0.35} isAnimationActive={false} />
          <Area type="monotone" dataKey="user" name="user" stackId="cpu" stroke="var(--user)" fill="var(--user)" fillOpacity={0.35} isAnimationActive={false} />
          {hasThrottling && (
            <Line type="monotone" dataKey="throttled" name="throttled" stroke="var(--danger)" strokeDasharray="4 3" dot={false} isAnimationActive={false} />
          )}
        </ComposedChart>
      </ResponsiveContainer>
    ),
    [data, props.domain, hasThrottling],
  );
  return (
    <ChartFrame
      id={`${props.idPrefix ?? ''}cpu-chart`}
      title="CPU"
      hint={`% of one CPU, user + kernel (stacked)${hasThrottling ? '; throttled: time held back by the CPU cap' : ''}`}
      now={last ? formatPercent(last.user + last.kernel) : '—'}
      markers={props.markers}
      domain={props.domain}
      insets={{ left: 52, right: MARGIN.right }}
      empty={data.length < 2 ? 'Waiting for samples…' : null}
      legend={
        <>
          <li className="legend-user">user</li>
          <li className="legend-kernel">kernel</li>
          {hasThrottling && <li className="legend-throttled">throttled</li>}
        </>
      }
    >
      {plot}
    </ChartFrame>
  );
});
