// Tests of the exported conformance suite: it passes MemoryStore and fails every store that breaks one rule.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/index.js';
import type { Store } from '../../src/store.js';
import type { ConformanceOptions } from '../../src/testing/check.js';
import { type Toolchain, vitests } from '../toolchains/toolchains.js';
import * as broken from './broken-stores.js';
import { runChecks, titles, type CheckOutcome } from './run-checks.js';

interface Case {
  factory: () => Store;
  options?: ConformanceOptions;
  /** Checks that must fail (others may fail too: one bug can break several rules). */
  fails: string[];
}

/** A store with only the required methods and all(), like a minimal third-party store. */
function minimal(): Store {
  const inner = new MemoryStore({ sweepInterval: 0 });
  return {
    find: (token) => inner.find(token),
    commit: (token, data, expiresAt) => inner.commit(token, data, expiresAt),
    delete: (token) => inner.delete(token),
    all: () => inner.all(),
  };
}

const cases: Record<string, Case> = {
  'never expires': {
    factory: () => new broken.NeverExpires(),
    fails: ['honours expiry to the millisecond bound', 'accepts an expiry already past and does not keep the entry'],
  },
  'touch revives an expired entry': { factory: () => new broken.TouchRevives(), fails: ['touch() never brings an expired entry back'] },
  'touch says it moved a missing or expired entry': {
    factory: () => new broken.TouchAlwaysMoved(),
    fails: ['touch() says whether it moved a live entry'],
  },
  'touch creates a missing entry': {
    factory: () => new broken.TouchCreates(),
    fails: ['touch() moves the expiry without rewriting data, and ignores missing tokens'],
  },
  'drops zero bytes': { factory: () => new broken.DropsZeroBytes(), fails: ['round-trips every byte value exactly', 'stores a big session'] },
  'stores bytes as UTF-8 text': { factory: () => new broken.StoresAsText(), fails: ['round-trips every byte value exactly', 'stores a big session'] },
  'all() lists expired entries': { factory: () => new broken.AllListsExpired(), fails: ['all() lists live sessions only, with their data'] },
  'overwrites returned bytes in place while claiming stableBytes': {
    factory: () => new broken.OverwritesInPlace(),
    fails: [
      'stableBytes find returns a new object after every commit, and the old one keeps its bytes',
      'stableBytes find returns a new object after a commitIf, and the old one keeps its bytes',
    ],
  },
  'copies on find while claiming stableBytes': {
    factory: () => new broken.CopiesWhileClaimingStable(),
    fails: ['stableBytes find returns the same object while the entry is unchanged'],
  },
  'commitIf ignores expected': {
    factory: () => new broken.CommitIfIgnoresExpected(),
    fails: ['commitIf() refuses, writing nothing, when the bytes differ', 'commitIf() refuses after a delete, so a revoked token never comes back'],
  },
  'commitIf is not atomic': {
    factory: () => new broken.CommitIfNotAtomic(),
    fails: ['commitIf() loses nothing when 50 read-modify-write loops race on one entry'],
  },
  'commitIf over an expired entry keeps its owner': {
    factory: () => new broken.CommitIfKeepsExpiredOwner(),
    fails: ["findByOwner() a commitIf() with an owner over another owner's expired entry indexes it under the new owner"],
  },
  'findByOwner returns deleted entries': { factory: () => new broken.FindByOwnerKeepsDeleted(), fails: ['findByOwner() never returns a deleted entry'] },
  'touch() missing, not switched off': {
    factory: minimal,
    fails: ['touch() moves the expiry without rewriting data, and ignores missing tokens', 'touch() never brings an expired entry back'],
  },
  'commitIf() required but missing': {
    factory: minimal,
    options: { touch: false, commitIf: true },
    fails: ['commitIf() writes when the live bytes equal the expected ones, compared by value'],
  },
};

const outcomes = new Map<string, CheckOutcome[]>();

interface ReportedTest {
  fullName: string;
  status: string;
}

/**
 * The public storeConformance over broken stores in a child run of `vitest` (its stableBytes tests
 * only): each test's status by full name.
 */
async function childVitest(vitest: Toolchain): Promise<Map<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'sessionkit-suite-'));
  try {
    const report = join(dir, 'report.json');
    const config = join(import.meta.dirname, 'fixtures', 'vitest.config.ts');
    const args = [join(vitest.dir, 'vitest.mjs'), 'run', '--config', config, '-t', 'stableBytes', '--reporter=json', `--outputFile=${report}`];
    const env = { ...process.env, SESSIONKIT_VITEST_DIR: vitest.dir };
    const output = await new Promise<string>((resolve) => execFile(process.execPath, args, { env }, (_, stdout, stderr) => resolve(`${stdout}${stderr}`)));
    const parsed = JSON.parse(await readFile(report, 'utf8').catch(() => '{}')) as {
      testResults?: { assertionResults: ReportedTest[] }[];
    };
    if (parsed.testResults === undefined) throw new Error(`${vitest.name} wrote no report:\n${output}`);
    return new Map(parsed.testResults.flatMap((file) => file.assertionResults.map((test): [string, string] => [test.fullName, test.status])));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const runners = vitests();
const registered = new Map<string, Map<string, string>>();

// Every store at once: the checks sleep for expiries, so running the stores in turn would take a minute.
beforeAll(async () => {
  const runs = Object.entries({ MemoryStore: { factory: () => new MemoryStore(), fails: [] } as Case, ...cases });
  const children = runners.map(async (runner) => registered.set(runner.name, await childVitest(runner)));
  await Promise.all(runs.map(async ([name, { factory, options }]) => outcomes.set(name, await runChecks(name, factory, options))));
  await Promise.all(children);
}, 120_000);

describe('the conformance suite', () => {
  it('passes MemoryStore, every check run and none skipped', () => {
    const memory = outcomes.get('MemoryStore')!;
    expect(titles(memory, 'failed')).toEqual([]);
    expect(titles(memory, 'skipped')).toEqual([]);
    expect(titles(memory, 'passed')).toHaveLength(memory.length);
    expect(memory.length).toBeGreaterThan(30);
  });

  it.each(Object.keys(cases))('fails a store that %s', (name) => {
    const failed = titles(outcomes.get(name)!, 'failed');
    expect(failed).toEqual(expect.arrayContaining(cases[name]!.fails));
  });

  it('skips the capability groups and the stableBytes group for a store without them, and fails nothing else', () => {
    const minimalRun = outcomes.get('touch() missing, not switched off')!;
    const skipped = titles(minimalRun, 'skipped');
    // The events checks of destroySession(s) and merging need findByOwner() and commitIf().
    const needsCapability = /^events (destroySession, destroySessions|a commit that merged) /;
    expect(skipped.filter((title) => !/^(commitIf\(\)|findByOwner\(\)|stableBytes) /.test(title) && !needsCapability.test(title))).toEqual([]);
    expect(skipped.length).toBeGreaterThan(10);
    expect(titles(minimalRun, 'failed').filter((title) => !title.startsWith('touch() '))).toEqual([]);
  });

  it('runs no group that an option switches off', () => {
    const run = outcomes.get('commitIf() required but missing')!;
    expect(run.some((each) => each.title.startsWith('touch() '))).toBe(false);
    expect(String(run.find((each) => each.outcome === 'failed')?.error)).toContain('pass { commitIf: false } to skip this group');
  });

  it.each(runners.map((runner) => runner.name))(
    'registers %s tests through its public entry that fail a store overwriting its bytes in place, and skip a store without stableBytes',
    (runner) => {
      const status = (store: string, check: string) => registered.get(runner)!.get(`${store} conformance stableBytes find returns ${check}`);
      const checks = [
        'the same object while the entry is unchanged',
        'a new object after every commit, and the old one keeps its bytes',
        'a new object after a commitIf, and the old one keeps its bytes',
      ];
      expect(checks.map((check) => status('MemoryStore', check))).toEqual(['passed', 'passed', 'passed']);
      expect(checks.map((check) => status('OverwritesInPlace', check))).toEqual(['passed', 'failed', 'failed']);
      expect(checks.map((check) => status('Unstable', check))).toEqual(['skipped', 'skipped', 'skipped']);
    },
  );
});
