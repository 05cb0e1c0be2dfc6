// CPU time of a live process read from /proc (Linux): how the HTTP suite sees how busy the load
// generator and the servers kept their cores.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const clockTicks = ((): number => {
  const run = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(run.stdout?.trim());
  return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
})();

/** User + system CPU seconds of a live process; undefined elsewhere than Linux or once it exited. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return undefined;
  }
}

/** The CPU seconds of several processes together; undefined when any of them cannot be read. */
export function totalCpuSeconds(pids: (number | undefined)[]): number | undefined {
  let total = 0;
  for (const pid of pids) {
    const seconds = pid === undefined ? undefined : cpuSeconds(pid);
    if (seconds === undefined) return undefined;
    total += seconds;
  }
  return total;
}
