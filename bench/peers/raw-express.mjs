// Express 5 answering the seed routes with no sessions at all: the baseline for the Express session rows.
import express from 'express';

const port = Number(process.env.PORT ?? 4000);
const app = express();
app.disable('x-powered-by');
app.get('/put', (_req, res) => {
  res.end();
});
app.get('/get', (_req, res) => {
  res.type('text/plain').send('Hello from a session!');
});
app.listen(port, '127.0.0.1', () => console.log('ready'));

// Exit on SIGTERM/SIGINT so that `node --cpu-prof` writes its profile (bench/profile.mjs).
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => process.exit(0));
