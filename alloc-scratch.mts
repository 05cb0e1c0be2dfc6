import { ALLOC_FLAGS, runCycleChild } from './bench/cycle-run.js';
for (let i = 0; i < 3; i++) {
  const r = await runCycleChild(['--store', 'memory', '--mode', 'alloc', '--cases', 'read,write'], ALLOC_FLAGS);
  console.log(r.results.map((x) => `${x.id}=${x.bytesPerOp.toFixed(1)}`).join(' '));
}
