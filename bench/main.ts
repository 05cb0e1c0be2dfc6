// `npm run bench`: runs the cycle and HTTP suites this machine can run, prints tables, writes the results
// to bench/results/local/ (ignored by git), to bench/results/ with --update-results, or to --results-dir DIR.
// Options: --suite cycle|http|scale (default all three), --quick, --peers id,id (HTTP), --stores name,name (cycle).
// Run as `node --import tsx bench/main.ts` (what `npm run bench` does): the suites import the TypeScript sources.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodedRecordSize } from './cycle-cases.js';
import { ALLOC_FLAGS, runCycleChild } from './cycle-run.js';
import { runHttpSuite, type HttpSuiteResult } from './http.js';
import { generatorName, hasTaskset } from './load.js';
import { removeRunData } from './networked.js';
import { cycleTable, httpNotes, httpTable, relativeTable, resultsMarkdown, targets, targetTable, type CycleSubject, type CycleSuiteResult } from './report.js';
import { scaleTable } from './report-scale.js';
import { httpSvg } from './report-svg.js';
import { runScaleSuite, type ScaleResult } from './scale.js';
import { onCleanup, runCleanups, runId, wasInterrupted } from './run-scope.js';
import { STORE_LABELS, STORE_NAMES, type StoreName } from './stores.js';

const argv = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  if (i !== -1) return argv[i + 1];
  return argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
};
if (argv.includes('--help')) {
  console.log(
    'usage: npm run bench -- [--suite cycle|http|scale] [--quick] [--peers raw-uws,uws-memory,...] [--stores memory,lmdb,...] [--update-results | --results-dir DIR]',
  );
  process.exit(0);
}
const suite = option('--suite') ?? 'all';
if (!['all', 'cycle', 'http', 'scale'].includes(suite)) {
  console.error(`bench: --suite must be cycle, http or scale, not ${suite}`);
  process.exit(2);
}
const quick = argv.includes('--quick');
const peers = option('--peers')?.split(',');
const updateResults = argv.includes('--update-results');
const resultsDirOption = option('--results-dir');
/** --quick measures the in-process stores only, unless --stores names others. */
const QUICK_STORES: StoreName[] = ['memory', 'lmdb'];
const stores = (option('--stores')?.split(',') ?? (quick ? QUICK_STORES : [...STORE_NAMES])) as StoreName[];

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const log = (line: string): void => console.log(line);
const started = Date.now();
const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(0)} s`;

const machine = {
  cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  kernel: release(),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
};

const progress = (text: string): void => void process.stdout.write(text);

async function runCycleSuite(): Promise<CycleSuiteResult> {
  log(`\n== cycle suite (tinybench, in-process; bytes/op from heap growth with ${ALLOC_FLAGS.join(' ')}) [${elapsed()}]`);
  const subjects: CycleSubject[] = [];
  const list: { subject: string; label: string; args: string[] }[] = [
    { subject: 'floors', label: 'floors', args: ['--floors'] },
    ...stores.map((s) => ({ subject: s, label: STORE_LABELS[s] ?? s, args: ['--store', s] })),
  ];
  for (const item of list) {
    log(`  ${item.label} [${elapsed()}]`);
    const subject: CycleSubject = { subject: item.subject, label: item.label };
    const extra = quick ? ['--quick'] : [];
    try {
      const timed = await runCycleChild([...item.args, '--mode', 'time', ...extra], [], progress);
      if (timed.kind === 'skip') {
        subject.skip = timed.reason;
        log(`    skipped: ${timed.reason}`);
      } else if (timed.kind === 'time') {
        subject.time = timed.results;
        // --quick measures allocation only where a goal checks it (MemoryStore's read and write cycles).
        // Those two run in full: fewer ops would let one-off JIT allocations weigh on the figure.
        const allocArgs = !quick ? extra : item.subject === 'memory' ? ['--cases', 'read,write'] : undefined;
        const alloc = allocArgs && (await runCycleChild([...item.args, '--mode', 'alloc', ...allocArgs], ALLOC_FLAGS, progress));
        if (alloc && alloc.kind === 'alloc') {
          subject.alloc = alloc.results;
          subject.allocBaseline = alloc.baselineBytesPerOp;
        }
      }
    } catch (error) {
      subject.error = error instanceof Error ? error.message : String(error);
      log(`    failed: ${subject.error}`);
    }
    subjects.push(subject);
  }
  const result = { subjects, encodedRecordBytes: encodedRecordSize() };
  log('');
  log(cycleTable(result));
  return result;
}

async function main(): Promise<void> {
  runId();
  onCleanup(removeRunData);
  log(
    `sessionkit bench${quick ? ' (quick)' : ''}: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}`,
  );
  let cycle: CycleSuiteResult | undefined;
  let http: HttpSuiteResult | undefined;
  if (suite === 'all' || suite === 'cycle') cycle = await runCycleSuite();
  if (suite === 'all' || suite === 'http') {
    log(`\n== HTTP suite [${elapsed()}]`);
    http = await runHttpSuite({ quick, log, ...(peers ? { peers } : {}) });
    log('');
    log(httpTable(http));
    if (http.unmeasured === undefined) {
      for (const note of httpNotes(http)) log(`  note: ${note}`);
      const relative = relativeTable(http);
      if (relative !== '') log(`\n${relative}`);
    }
  }
  let scale: ScaleResult | undefined;
  if (suite === 'all' || suite === 'scale') {
    log(`\n== scale suite [${elapsed()}]`);
    scale = await runScaleSuite({ quick, log });
    log('');
    log(scaleTable(scale));
    for (const note of scale.notes) log(`  note: ${note}`);
  }
  const checks = targets(cycle, http);
  log('\n== performance goals');
  log(targetTable(checks));

  if (wasInterrupted()) return;
  const date = new Date().toISOString();
  const resultsDir = resultsDirOption !== undefined ? `${resolve(resultsDirOption)}/` : here(updateResults ? './results/' : './results/local/');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(`${resultsDir}latest.json`, `${JSON.stringify({ date, quick, machine, cycle, http, scale, targets: checks }, null, 2)}\n`);
  const caption = http
    ? `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Linux ${machine.kernel}, Node ${machine.node}; ${http.generator}, ${http.connections} connections, median of ${http.reps} x ${http.duration} s${http.pinned ? ', server core 0 / load core 1' : ''}; ${date.slice(0, 10)}`
    : '';
  if (http && http.unmeasured === undefined) writeFileSync(`${resultsDir}http.svg`, httpSvg(http, caption));
  const generator = { name: generatorName(), taskset: hasTaskset };
  writeFileSync(`${resultsDir}latest.md`, resultsMarkdown({ date, quick, machine, cycle, http, scale, checks, generator }));
  const where =
    resultsDirOption !== undefined ? resultsDir : updateResults ? 'bench/results/' : 'bench/results/local/ (--update-results writes bench/results/)';
  log(`\nwrote latest.json, latest.md${http && http.unmeasured === undefined ? ', http.svg' : ''} to ${where} in ${elapsed()}`);
}

let failed = false;
try {
  await main();
} catch (error) {
  console.error(error);
  failed = true;
} finally {
  await runCleanups();
}
process.exit(wasInterrupted() ? 130 : failed ? 1 : 0);
