import { memo, useMemo } from 'react';
import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { JobSample } from '../../../electron/contract';
import { formatClock, formatMmSs, formatPercent } from '../format';
import { cpuSeries } from '../series';

const percentTick = (v: number) => `${v}%`;

export const CpuChart = memo(function CpuChart({ samples }: { samples: JobSample[] }) {
  const data = useMemo(() => cpuSeries(samples), [samples]);
  const last = data[data.length - 1];
  return (
    <figure className="chart" aria-labelledby="cpu-chart-title">
      <figcaption>
        <h3 id="cpu-chart-title">CPU</h3>
        <span className="hint">% of one CPU, user + kernel (stacked)</span>
        <span className="chart-now">{last ? formatPercent(last.user + last.kernel) : '—'}</span>
      </figcaption>
      <div className="chart-body">
        {data.length < 2 ? (
          <p className="chart-empty">Waiting for samples…</p>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <AreaChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
              <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
              <XAxis
                dataKey="time"
                type="number"
                scale="time"
                domain={['dataMin', 'dataMax']}
                tickFormatter={formatMmSs}
                stroke="var(--muted)"
                minTickGap={40}
              />
              <YAxis tickFormatter={percentTick} stroke="var(--muted)" width={52} domain={[0, 'auto']} />
              <Tooltip
                labelFormatter={(t) => formatClock(Number(t))}
                formatter={(v, name) => [formatPercent(Number(v)), name]}
                contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)' }}
              />
              <Area
                type="monotone"
                dataKey="kernel"
                name="kernel"
                stackId="cpu"
                stroke="var(--kernel)"
                fill="var(--kernel)"
                fillOpacity={0.35}
                isAnimationActive={false}
              />
              <Area
                type="monotone"
                dataKey="user"
                name="user"
                stackId="cpu"
                stroke="var(--user)"
                fill="var(--user)"
                fillOpacity={0.35}
                isAnimationActive={false}
              />
            </AreaChart>
          </ResponsiveContainer>
        )}
      </div>
      <ul className="legend" aria-hidden="true">
        <li className="legend-user">user</li>
        <li className="legend-kernel">kernel</li>
      </ul>
    </figure>
  );
});
