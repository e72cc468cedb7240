/**
 * The trend line, drawn with Chart.js. Loaded only through a dynamic import (see index.ts) so that
 * Chart.js stays out of the console's initial bundle. Only the parts a line chart needs are registered.
 */
import { CategoryScale, Chart, Filler, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Filler);

export interface TrendSeries {
  labels: string[];
  values: (number | null)[];
  label: string;
  /** Tick / tooltip text for a value. */
  format: (value: number | null) => string;
}

export interface TrendRenderer {
  update(series: TrendSeries): void;
  destroy(): void;
}

export function createTrendChart(canvas: HTMLCanvasElement): TrendRenderer {
  let format: TrendSeries['format'] = (value) => String(value);
  const chart = new Chart<'line', (number | null)[], string>(canvas, {
    type: 'line',
    data: { labels: [], datasets: [] },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      spanGaps: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        y: { ticks: { callback: (value) => format(typeof value === 'number' ? value : Number(value)) } },
      },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (item) => format(item.parsed.y ?? null) } },
      },
    },
  });
  return {
    update(series) {
      format = series.format;
      chart.data.labels = series.labels;
      chart.data.datasets = [
        {
          label: series.label,
          data: series.values,
          borderColor: '#2563eb',
          backgroundColor: 'rgba(37, 99, 235, 0.12)',
          fill: true,
          tension: 0.2,
          pointRadius: 3,
        },
      ];
      chart.update();
    },
    destroy() {
      chart.destroy();
    },
  };
}
