// A round-robin TCP balancer in a page: each new connection goes to the next app process. It stands for nginx, HAProxy or a cloud load balancer.
import { connect, createServer, type AddressInfo } from 'node:net';

const port = Number(process.env.PORT ?? 4000);
const upstreams = (process.env.UPSTREAMS ?? '127.0.0.1:4001,127.0.0.1:4002').split(',').map((entry) => {
  const [host = '', portText = ''] = entry.trim().split(':');
  const upstreamPort = Number(portText);
  if (host === '' || !Number.isInteger(upstreamPort) || upstreamPort <= 0) throw new TypeError(`redis-nodes: UPSTREAMS: "${entry}" is not host:port`);
  return { host, port: upstreamPort };
});

let next = 0;
const server = createServer((client) => {
  const upstream = upstreams[next]!;
  next = (next + 1) % upstreams.length;
  const app = connect(upstream);
  // No session affinity: whichever process gets the connection loads the session from Redis.
  client.pipe(app).pipe(client);
  client.on('error', () => app.destroy());
  app.on('error', () => client.destroy());
});

server.listen(port, '127.0.0.1', () => {
  console.log(`redis-nodes: balancer listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
const stop = (): void => {
  server.close(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
