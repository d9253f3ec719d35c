import { html } from 'hono/html';
import type { Histogram } from '../filters.ts';
import type { Html } from './layout.ts';
import { when } from './layout.ts';

const width = 800;
const height = 120;

/** Failures over time as SVG bars, each with its bin's time and count as a tooltip; no script. */
export function histogramSvg(histogram: Histogram | undefined): Html | string {
  if (!histogram) return '';
  const { from, binMs, counts } = histogram;
  const most = Math.max(...counts, 1);
  const barWidth = width / counts.length;
  const bars = counts.map((count, i) => {
    const barHeight = count === 0 ? 0 : Math.max(1, Math.round((count / most) * (height - 4)));
    return html`<rect class="bar" x="${(i * barWidth).toFixed(1)}" y="${height - barHeight}" width="${Math.max(1, barWidth - 1).toFixed(1)}" height="${barHeight}"><title>${when(from + i * binMs)}: ${count}</title></rect>`;
  });
  return html`<figure><svg role="img" aria-label="dead letters over time" viewBox="0 0 ${width} ${height + 16}" width="100%" height="${height + 16}" preserveAspectRatio="none">${bars}
<line x1="0" y1="${height}" x2="${width}" y2="${height}" stroke="#8a949e"/></svg>
<figcaption class="muted">${when(from)} … ${when(from + counts.length * binMs)}, ${Math.round(binMs / 60_000)} min per bar, highest ${most}</figcaption></figure>`;
}
