// Why the near cache tracks in default mode, not BCAST: the invalidations a node receives when other nodes write sessions it holds few of.
// Usage: node --import tsx bench/near-cache-modes.ts   (needs Redis on BENCH_REDIS_URL, default redis://127.0.0.1:6379)
import { Redis } from 'ioredis';

const url = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SESSIONS = 20_000;
const HELD = 200; // sessions this node has read (and holds); the rest are other nodes' users
const prefix = `sessionkit-modes:${process.pid}:`;

async function measure(mode: 'default' | 'bcast'): Promise<void> {
  const data = new Redis(url);
  const invalidation = new Redis(url);
  const writer = new Redis(url);
  let messages = 0;
  let keys = 0;
  invalidation.on('messageBuffer', (_channel: Buffer, message: unknown) => {
    messages++;
    if (Array.isArray(message)) keys += message.length;
  });
  const id = await invalidation.client('ID');
  await invalidation.subscribe('__redis__:invalidate');
  if (mode === 'bcast') await data.client('TRACKING', 'ON', 'REDIRECT', String(id), 'BCAST', 'PREFIX', prefix);
  else await data.client('TRACKING', 'ON', 'REDIRECT', String(id));
  const pipeline = writer.pipeline();
  for (let i = 0; i < SESSIONS; i++) pipeline.set(`${prefix}${i}`, 'x', 'PX', 60_000);
  await pipeline.exec();
  for (let i = 0; i < HELD; i++) await data.get(`${prefix}${i}`);
  await new Promise((resolve) => setTimeout(resolve, 200));
  messages = 0;
  keys = 0;
  const writes = writer.pipeline();
  for (let i = 0; i < SESSIONS; i++) writes.set(`${prefix}${i}`, 'y', 'PX', 60_000);
  await writes.exec();
  await writer.ping();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const info = String(await writer.info('stats'));
  const tracked = /tracking_total_keys:(\d+)/.exec(info)?.[1];
  console.log(
    `${mode}: ${SESSIONS} writes by another client, this node holding ${HELD}: ${messages} invalidation messages carrying ${keys} keys ` +
      `(Redis tracking table after the writes, whole server: ${tracked} keys)`,
  );
  const all = Array.from({ length: SESSIONS }, (_, i) => `${prefix}${i}`);
  for (let i = 0; i < all.length; i += 1000) await writer.unlink(...all.slice(i, i + 1000));
  for (const connection of [data, invalidation, writer]) connection.disconnect();
}

await measure('default');
await measure('bcast');
