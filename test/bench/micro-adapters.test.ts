// bench/micro/adapters.ts keeps no request alive once it ended: Express's rows run in a small heap.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('bench/micro/adapters.ts', () => {
  // Resolving each request straight from the response's end chained all of them into one
  // microtask run: nextTick callbacks never ran and held every request (~10 KB each on Express).
  it('runs 6,000 Express requests per arm in a 48 MB old space', () => {
    const run = spawnSync(process.execPath, ['--max-old-space-size=48', '--import', 'tsx', 'bench/micro/adapters.ts', '1', '6000'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, ADAPTERS: 'express', SCENARIOS: 'get' },
      timeout: 120_000,
    });
    expect(run.stderr).not.toMatch(/heap out of memory/);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^express\s+get\s+\d+/m);
  }, 130_000);
});
