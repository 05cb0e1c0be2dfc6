// Runs one cycle-suite child (bench/cycle-child.ts) and returns its result: used by the bench and by the allocation guard test.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildResult } from './cycle-child.js';
import { trackChild } from './run-scope.js';

/** Node flags of the allocation runs: a young generation big enough that the measured ops never trigger a scavenge (checked by the child). */
export const ALLOC_FLAGS = ['--expose-gc', '--max-semi-space-size=256', '--min-semi-space-size=256'];

const CHILD = fileURLToPath(new URL('./cycle-child.ts', import.meta.url));

/**
 * Runs the child with `args` under `nodeFlags`; its progress lines (stderr without errors) go to
 * `progress`, and a child that fails rejects with the last lines it printed.
 */
export function runCycleChild(args: string[], nodeFlags: string[], progress: (text: string) => void = () => undefined): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      err += text;
      if (!text.includes('Error')) progress(text);
    });
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('@@RESULT '));
      if (code === 0 && line !== undefined) resolve(JSON.parse(line.slice('@@RESULT '.length)) as ChildResult);
      else reject(new Error(`cycle child ${args.join(' ')} exited with ${code}: ${err.trim().split('\n').slice(-4).join(' | ')}`));
    });
  });
}
