/** A uPlot line chart of a compliance trend: machines patched, missing fixes and overdue, per UTC day. */
import 'uplot/dist/uPlot.min.css';

import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

import type { TrendPoint } from '../../../../shared/compliance';

const HEIGHT = 260;
const dayLabel = uPlot.fmtDate('{MMM} {D}');
const utc = (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');

/** The computed colour of a CSS variable (tokens use light-dark(), which only an element resolves). */
function cssColor(host: HTMLElement, variable: string): string {
  const probe = document.createElement('span');
  probe.style.color = `var(${variable})`;
  host.appendChild(probe);
  const color = getComputedStyle(probe).color;
  probe.remove();
  return color;
}

const SERIES = [
  { label: 'Patched', key: 'patched', color: '--success' },
  { label: 'Missing fixes', key: 'unpatched', color: '--warn' },
  { label: 'Overdue', key: 'overdue', color: '--danger' },
] as const;

function dataOf(points: readonly TrendPoint[]): uPlot.AlignedData {
  return [
    points.map((p) => Date.parse(`${p.day}T00:00:00Z`) / 1000),
    ...SERIES.map((s) => points.map((p) => p[s.key])),
  ];
}

/** The chart; redrawn when the points change, resized with its box. */
export function TrendChart({ points }: { points: readonly TrendPoint[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const axis = { stroke: cssColor(el, '--text-muted'), grid: { stroke: cssColor(el, '--border-muted') } };
    const plot = new uPlot(
      {
        width: Math.max(el.clientWidth, 300),
        height: HEIGHT,
        // Days are UTC days (the SLA deadlines' days): label them so, whatever the laptop's zone.
        tzDate: utc,
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] } },
        axes: [
          { ...axis, values: (_u, splits) => splits.map((s) => dayLabel(utc(s))) },
          // Whole machines: no 2.5 ticks.
          {
            ...axis,
            label: 'Machines',
            size: 56,
            incrs: [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000],
          },
        ],
        series: [
          { label: 'Day', value: '{YYYY}-{MM}-{DD}' },
          ...SERIES.map((s) => ({
            label: s.label,
            stroke: cssColor(el, s.color),
            width: 2,
            points: { show: points.length <= 31 },
          })),
        ],
        legend: { live: true },
      },
      dataOf(points),
      el,
    );
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(el.clientWidth, 300), height: HEIGHT }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [points]);
  return (
    <div
      ref={box}
      className="trend-chart"
      data-testid="compliance-chart"
      data-points={points.length}
      role="img"
      aria-label={`Machines patched, missing fixes and overdue per day, ${points.length} days`}
    />
  );
}
