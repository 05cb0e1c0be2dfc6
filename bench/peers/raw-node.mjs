// node:http answering the seed routes with no sessions at all: the baseline for node:http + sessionkit.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 4000);
createServer((req, res) => {
  if (req.url === '/put') {
    res.end();
  } else if (req.url === '/get') {
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end('Hello from a session!');
  } else {
    res.statusCode = 404;
    res.end('Not Found');
  }
}).listen(port, '127.0.0.1', () => console.log('ready'));

// Exit on SIGTERM/SIGINT so that `node --cpu-prof` writes its profile (bench/profile.mjs).
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => process.exit(0));
