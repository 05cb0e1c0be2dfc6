// Prints the top self-time and inclusive frames of a .cpuprofile: node bench/profile-top.mjs FILE... [--top N]
// Given several files (node --cpu-prof also profiles loader threads), it reads the busiest one.
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const topAt = argv.indexOf('--top');
const count = topAt === -1 ? 25 : Number(argv.splice(topAt, 2)[1]);
if (argv.length === 0) {
  console.error('usage: node bench/profile-top.mjs FILE.cpuprofile... [--top N]');
  process.exit(2);
}
const profile = argv.map((file) => JSON.parse(readFileSync(file, 'utf8'))).sort((a, b) => busy(b) - busy(a))[0];

function busy(p) {
  const idle = new Set(p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  return p.samples.filter((s) => !idle.has(s)).length;
}
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const hits = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) hits.set(profile.samples[i], (hits.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0));
const total = [...hits.values()].reduce((a, b) => a + b, 0);
const name = (n) => {
  const f = n.callFrame;
  const where = f.url ? `${f.url.replace(/^.*\/(node_modules\/|src\/|bench\/|native-store\/)/, '$1')}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
};
const self = new Map();
const incl = new Map();
for (const [id, t] of hits) {
  const key = name(byId.get(id));
  self.set(key, (self.get(key) ?? 0) + t);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = name(byId.get(cur));
    if (seen.has(k)) continue;
    seen.add(k);
    incl.set(k, (incl.get(k) ?? 0) + t);
  }
}
const show = (title, map) => {
  console.log(`\n${title} (of ${(total / 1000).toFixed(0)} ms sampled)`);
  for (const [k, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(`${((t / total) * 100).toFixed(1).padStart(6)}%  ${k}`);
  }
};
show('self time', self);
show('inclusive time', incl);
