// `npm run bench`: runs the cycle and HTTP suites this machine can run, prints tables, writes bench/results/.
// Options: --suite cycle|http|scale (default all three), --quick, --peers id,id (HTTP), --stores name,name (cycle).
// Run as `node --import tsx bench/main.ts` (what `npm run bench` does): the suites import the TypeScript sources.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ChildResult } from './cycle-child.js';
import { encodedRecordSize } from './cycle-cases.js';
import { runHttpSuite, type HttpSuiteResult } from './http.js';
import { generatorName, hasTaskset } from './load.js';
import {
  ALLOC_FLAGS,
  cycleTable,
  httpNotes,
  httpTable,
  relativeTable,
  resultsMarkdown,
  targets,
  targetTable,
  type CycleSubject,
  type CycleSuiteResult,
} from './report.js';
import { scaleTable } from './report-scale.js';
import { httpSvg } from './report-svg.js';
import { runScaleSuite, type ScaleResult } from './scale.js';
import { STORE_LABELS, STORE_NAMES, type StoreName } from './stores.js';

const argv = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  if (i !== -1) return argv[i + 1];
  return argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
};
if (argv.includes('--help')) {
  console.log('usage: npm run bench -- [--suite cycle|http|scale] [--quick] [--peers raw-uws,uws-memory,...] [--stores memory,lmdb,...]');
  process.exit(0);
}
const suite = option('--suite') ?? 'all';
if (!['all', 'cycle', 'http', 'scale'].includes(suite)) {
  console.error(`bench: --suite must be cycle, http or scale, not ${suite}`);
  process.exit(2);
}
const quick = argv.includes('--quick');
const peers = option('--peers')?.split(',');
const stores = (option('--stores')?.split(',') ?? [...STORE_NAMES]) as StoreName[];

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

function runChild(args: string[], nodeFlags: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', here('./cycle-child.ts'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      err += text;
      if (!text.includes('Error')) process.stdout.write(text);
    });
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('@@RESULT '));
      if (code === 0 && line !== undefined) resolve(JSON.parse(line.slice('@@RESULT '.length)) as ChildResult);
      else reject(new Error(`cycle child ${args.join(' ')} exited with ${code}: ${err.trim().split('\n').slice(-4).join(' | ')}`));
    });
  });
}

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
      const timed = await runChild([...item.args, '--mode', 'time', ...extra], []);
      if (timed.kind === 'skip') {
        subject.skip = timed.reason;
        log(`    skipped: ${timed.reason}`);
      } else if (timed.kind === 'time') {
        subject.time = timed.results;
        const alloc = await runChild([...item.args, '--mode', 'alloc', ...extra], ALLOC_FLAGS);
        if (alloc.kind === 'alloc') {
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
    for (const note of httpNotes(http)) log(`  note: ${note}`);
    log('');
    log(relativeTable(http));
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

  const date = new Date().toISOString();
  const resultsDir = here('./results/');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(`${resultsDir}latest.json`, `${JSON.stringify({ date, quick, machine, cycle, http, scale, targets: checks }, null, 2)}\n`);
  const caption = http
    ? `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Linux ${machine.kernel}, Node ${machine.node}; ${http.generator}, ${http.connections} connections, median of ${http.reps} x ${http.duration} s${http.pinned ? ', server core 0 / load core 1' : ''}; ${date.slice(0, 10)}`
    : '';
  if (http) writeFileSync(`${resultsDir}http.svg`, httpSvg(http, caption));
  const generator = { name: generatorName(), taskset: hasTaskset };
  writeFileSync(`${resultsDir}latest.md`, resultsMarkdown({ date, quick, machine, cycle, http, scale, checks, generator }));
  log(`\nwrote bench/results/latest.json, latest.md${http ? ', http.svg' : ''} in ${elapsed()}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
