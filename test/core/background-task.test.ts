import { describe, expect, it } from 'vitest';
import { BackgroundTask } from '../../src/background-task.js';
import { sleep } from '../support/time.js';

/** Active timers that keep the process alive. */
const refedTimers = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;

describe('BackgroundTask', () => {
  it('runs on its interval, one run at a time, and never overlaps a slow run', async () => {
    let running = 0;
    let overlaps = 0;
    let runs = 0;
    const task = new BackgroundTask(
      5,
      async () => {
        if (++running > 1) overlaps++;
        runs++;
        await sleep(30);
        running--;
        return runs;
      },
      (error) => {
        throw error;
      },
    );
    await sleep(120);
    await task.stop();
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(runs).toBeLessThanOrEqual(5); // 30 ms runs in 120 ms: ticks that found a run in flight were skipped
    expect(overlaps).toBe(0);
  });

  it('shares the run in flight with an explicit run()', async () => {
    let runs = 0;
    const task = new BackgroundTask(
      0,
      async () => {
        await sleep(10);
        return ++runs;
      },
      () => {},
    );
    const [a, b] = await Promise.all([task.run(), task.run()]);
    expect([a, b, runs]).toEqual([1, 1, 1]);
    expect(await task.run()).toBe(2);
  });

  it('does not keep the process alive', async () => {
    const before = refedTimers();
    const task = new BackgroundTask(
      60_000,
      async () => 0,
      () => {},
    );
    expect(refedTimers()).toBe(before);
    await task.stop();
  });

  it('stop() ends the timer and waits for the run in flight', async () => {
    let runs = 0;
    let finished = false;
    const task = new BackgroundTask(
      5,
      async () => {
        runs++;
        await sleep(40);
        finished = true;
      },
      () => {},
    );
    await sleep(15);
    expect(runs).toBe(1);
    await task.stop();
    expect(finished).toBe(true);
    expect(task.stopped).toBe(true);
    await sleep(30);
    expect(runs).toBe(1);
  });

  it('sends a failed timer run to onError, and a failed explicit run to its caller', async () => {
    const errors: unknown[] = [];
    const task = new BackgroundTask(
      5,
      async () => {
        throw new Error('boom');
      },
      (error) => errors.push(error),
    );
    await sleep(30);
    await expect(task.run()).rejects.toThrow('boom');
    await task.stop();
    expect(errors.length).toBeGreaterThan(0);
    expect((errors[0] as Error).message).toBe('boom');
  });

  it('never runs with interval 0', async () => {
    let runs = 0;
    const task = new BackgroundTask(
      0,
      async () => runs++,
      () => {},
    );
    await sleep(20);
    expect(runs).toBe(0);
    await task.stop();
  });
});
