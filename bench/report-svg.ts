// The HTTP bar chart as SVG: req/s per server and scenario, with the ratio to the bare framework and the p99 latency.
import type { HttpSuiteResult } from './http.js';
import { SCENARIOS } from './http.js';
import { DISK_BOUND_ID, peerLabel, tableOrder, UWS_BASE } from './peers.js';
import { tellingRatio } from './report.js';

const COLORS: Record<string, string> = {
  'raw-uws': '#9e9e9e',
  'uws-memory': '#1565c0',
  'uws-lmdb': '#42a5f5',
  [DISK_BOUND_ID]: '#bdbdbd',
  'uws-lmdb-x2': '#64b5f6',
  'uws-redis': '#0d47a1',
  'uws-postgres': '#283593',
  'raw-node': '#b0bec5',
  'node-memory': '#00897b',
  'hyper-express': '#8e24aa',
  'raw-fastify': '#ffcc80',
  'fastify-sessionkit': '#fb8c00',
  fastify: '#ef6c00',
  'fastify-redis': '#e65100',
  'raw-hono': '#ffe082',
  'hono-sessionkit': '#f9a825',
  express: '#c62828',
  'express-redis': '#8e0000',
};

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Horizontal grouped bars: one group per scenario, one bar per server, labelled with req/s, the ratio to the bare framework and p99. */
export function httpSvg(result: HttpSuiteResult, caption: string): string {
  const width = 1040;
  const labelWidth = 360;
  const barArea = width - labelWidth - 230;
  const barHeight = 18;
  const gap = 5;
  const groupGap = 22;
  const max = Math.max(1, ...result.figures.map((f) => f.rps));
  const parts: string[] = [];
  let y = 58;
  for (const scenario of SCENARIOS) {
    const figures = tableOrder()
      .map((id) => result.figures.find((f) => f.peer === id && f.scenario === scenario.id))
      .filter((f) => f !== undefined);
    if (figures.length === 0) continue;
    parts.push(`<text x="12" y="${y}" font-weight="bold" font-size="14">${escapeXml(scenario.label)}</text>`);
    y += 10;
    for (const f of figures) {
      const w = Math.max(1, (f.rps / max) * barArea);
      const ratio = tellingRatio(f);
      const figure = `${Math.round(f.rps).toLocaleString('en-US')} ${f.peer === DISK_BOUND_ID ? 'puts/s' : 'req/s'}${Number.isFinite(ratio.value) ? ` (${ratio.value.toFixed(2)}x ${f.base === UWS_BASE ? 'uWS' : 'bare'}${ratio.byCpu ? ' by CPU' : ''})` : ''}, p99 ${f.p99.toFixed(1)} ms`;
      parts.push(
        `<text x="${labelWidth - 8}" y="${y + barHeight - 5}" text-anchor="end" font-size="12">${escapeXml(peerLabel(f.peer))}</text>`,
        `<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" rx="2" fill="${COLORS[f.peer] ?? '#607d8b'}"/>`,
        `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + barHeight - 5}" font-size="12">${escapeXml(figure)}</text>`,
      );
      y += barHeight + gap;
    }
    y += groupGap;
  }
  const height = y + 20;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="12" y="24" font-size="16" font-weight="bold">sessionkit HTTP benchmark: requests per second (higher is better) and p99 latency</text>`,
    `<text x="12" y="42" font-size="11" fill="#555">${escapeXml(caption)}</text>`,
    ...parts,
    `</svg>`,
    '',
  ].join('\n');
}
