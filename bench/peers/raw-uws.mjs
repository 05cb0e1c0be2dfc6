// The ceiling: uWebSockets.js answering the seed routes with no sessions at all.
import uWS from 'uWebSockets.js';

const port = Number(process.env.PORT ?? 4000);
uWS
  .App()
  .get('/put', (res) => {
    res.end();
  })
  .get('/get', (res) => {
    res.cork(() => res.writeHeader('Content-Type', 'text/plain; charset=utf-8').end('Hello from a session!'));
  })
  .listen('127.0.0.1', port, (socket) => {
    if (!socket) process.exit(1);
    console.log('ready');
  });

// Exit on SIGTERM/SIGINT so that `node --cpu-prof` writes its profile (bench/profile.mjs).
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => process.exit(0));
