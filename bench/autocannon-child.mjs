// Runs one autocannon load in its own process (so it never shares the event loop of the suite) and prints JSON.
// Usage: node bench/autocannon-child.mjs '{"url":"http://127.0.0.1:4701/get","connections":64,"duration":5,"headers":{}}'
// With "cookies": a file of Cookie header values, one a line, each request sends one picked at random.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2] ?? '{}');
const headers = options.headers ?? {};
let requests;
if (options.cookies !== undefined) {
  const cookies = readFileSync(options.cookies, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0);
  requests = [
    {
      setupRequest: (request) => ({ ...request, headers: { ...request.headers, cookie: cookies[Math.floor(Math.random() * cookies.length)] } }),
    },
  ];
}
const cpuBefore = process.cpuUsage();
const wallBefore = performance.now();
const result = await autocannon({
  url: options.url,
  connections: options.connections ?? 64,
  duration: options.duration ?? 5,
  headers,
  pipelining: 1,
  ...(requests ? { requests } : {}),
});
const cpu = process.cpuUsage(cpuBefore);
const generatorCpu = (cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore);
process.stdout.write(
  `${JSON.stringify({
    generatorCpu,
    rps: result.requests.total / (result.duration || options.duration),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
  })}\n`,
);
