// The two-process Redis example behind its balancer, run as real processes on the shared Redis under a random key prefix.
import { afterEach, describe, expect, it } from 'vitest';
import { redisKeys } from '../stores/support/databases.js';
import { type Example, expectSessionsAcrossProcesses, startExample } from './support.js';

const { client, prefix } = redisKeys(); // removes the file's keys afterwards
let example: Example | undefined;
afterEach(async () => {
  await example?.stop();
  example = undefined;
});

describe('examples/redis-nodes', () => {
  it('serves one session from either app process behind one port, refuses it in both after logout, and stops them all on SIGTERM', async () => {
    example = await startExample(
      'examples/redis-nodes/main.ts',
      { PORT: '0', REDIS_URL: 'redis://127.0.0.1:6379', KEY_PREFIX: prefix },
      /2 apps behind (http:\/\/\S+)/,
    );

    await expectSessionsAcrossProcesses(example.url);
    // The apps wrote under the prefix they were given, and the logout deleted the session itself.
    const keys = await client.keys(`${prefix}*`);
    expect(keys).toEqual([`${prefix}user:ada`]);

    expect(await example.stop()).toBe(0);
  }, 60_000);
});
