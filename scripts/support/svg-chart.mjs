// Small line charts as plain SVG, for BENCHMARKS.md: no plotting dependency, and the file stays
// readable in a diff. The x axis is logarithmic (the benchmarks step by factors of 10), the y
// axis linear from 0.

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A round step for about `count` ticks up to `max`: 1, 2 or 5 times a power of ten. */
function tickStep(max, count = 4) {
  const rough = max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= rough);
}

const label = (value) => (value >= 1000 ? `${value / 1000}k` : String(+value.toFixed(3)));

/**
 * One chart panel at (`x`, `y`), `width` × `height` pixels: `series` is a list of
 * `{ name, points: [[x, y], ...] }`, drawn as lines with dots and a legend.
 */
export function panel({ x, y, width, height, title, xLabel, yLabel, series }) {
  const margin = { left: 56, right: 12, top: 28, bottom: 40 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const xs = [...new Set(series.flatMap((s) => s.points.map(([px]) => px)))].sort((a, b) => a - b);
  const [lo, hi] = [Math.log10(xs[0]), Math.log10(xs.at(-1))];
  const step = tickStep(Math.max(...series.flatMap((s) => s.points.map(([, py]) => py)), 1e-9));
  const yMax = step * Math.ceil(Math.max(...series.flatMap((s) => s.points.map(([, py]) => py))) / step || 1);
  const sx = (value) => margin.left + (hi === lo ? plotW / 2 : ((Math.log10(value) - lo) / (hi - lo)) * plotW);
  const sy = (value) => margin.top + plotH - (value / yMax) * plotH;

  const parts = [`<g transform="translate(${x},${y})">`,
    `<text x="${width / 2}" y="16" text-anchor="middle" font-weight="bold">${escape(title)}</text>`,
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`];
  for (let tick = 0; tick <= yMax + step / 2; tick += step) {
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${sy(tick)}" y2="${sy(tick)}" stroke="#eee"/>`,
      `<text x="${margin.left - 4}" y="${sy(tick) + 4}" text-anchor="end">${label(tick)}</text>`);
  }
  for (const tick of xs) {
    parts.push(`<text x="${sx(tick)}" y="${margin.top + plotH + 14}" text-anchor="middle">${label(tick)}</text>`);
  }
  parts.push(`<text x="${margin.left + plotW / 2}" y="${height - 6}" text-anchor="middle">${escape(xLabel)}</text>`,
    `<text transform="translate(12,${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(yLabel)}</text>`);
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const line = s.points.map(([px, py]) => `${sx(px).toFixed(1)},${sy(py).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${line}" fill="none" stroke="${colour}" stroke-width="2"/>`,
      ...s.points.map(([px, py]) => `<circle cx="${sx(px).toFixed(1)}" cy="${sy(py).toFixed(1)}" r="3" fill="${colour}"/>`),
      // A white halo keeps the legend readable where a line runs under it.
      `<text x="${margin.left + 8}" y="${margin.top + 14 + i * 14}" fill="${colour}" stroke="white" `
        + `stroke-width="3" paint-order="stroke">${escape(s.name)}</text>`);
  });
  parts.push('</g>');
  return parts.join('\n');
}

/** A whole SVG document of `panels` (from `panel`) laid out in rows of `columns`. */
export function svgDocument({ title, panels, panelWidth = 360, panelHeight = 240, columns = 2 }) {
  const rows = Math.ceil(panels.length / columns);
  const width = panelWidth * columns;
  const height = panelHeight * rows + 24;
  const body = panels.map((make, i) => make({
    x: (i % columns) * panelWidth, y: 24 + Math.floor(i / columns) * panelHeight, width: panelWidth, height: panelHeight,
  }));
  return [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" `
    + 'font-family="sans-serif" font-size="11">',
  `<rect width="${width}" height="${height}" fill="white"/>`,
  `<text x="${width / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${escape(title)}</text>`,
  ...body, '</svg>', ''].join('\n');
}
