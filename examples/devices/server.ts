// Runs the devices demo: `npx tsx examples/devices/server.ts` (PORT, HOST, DATA_DIR and COOKIE_SECURE from the environment).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevicesApp } from './app.js';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const dataDir = process.env.DATA_DIR ?? join(tmpdir(), 'sessionkit-devices-demo');

const secureCookie = process.env.COOKIE_SECURE === '1';

const app = await startDevicesApp({ dataDir, host, port, secureCookie });
console.log(`devices: listening on ${app.url} (sessions in ${dataDir})`);

function stop(): void {
  app.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('devices: closing failed:', error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
