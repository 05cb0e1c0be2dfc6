// The HTTP suite's method: per-rep ratios against the baseline runs around each row, their median and
// spread, disturbed segments, CPU-time ratios where the generator saturated, and goals that are never met
// on a run that measured nothing.
import { describe, expect, it } from 'vitest';
import type { HttpFigure, HttpSuiteResult } from '../../bench/http.js';
import { BASELINE_FLOOR, disturbance, generatorSaturation, planRep, SEGMENT_SIZE, type Segment, summarize } from '../../bench/http-method.js';
import { GENERATOR_SATURATED, type LoadResult, NO_GENERATOR } from '../../bench/load.js';
import { targets } from '../../bench/report.js';

/** A run whose server spent 1e6 / rps µs of CPU per request (a server saturating its core), unless `serverUs` says otherwise. */
const run = (rps: number, generatorCpu = 0.5, serverUs = 1e6 / rps): LoadResult => ({
  rps,
  p50: 1,
  p99: 2,
  errors: 0,
  non2xx: 0,
  generatorCpu,
  requests: rps * 4,
  serverUs,
  serverCpu: 1,
});

const segment = (rep: number, before: number, subject: number, after: number, generatorCpu = 0.5): Segment => ({
  base: 'raw',
  subjects: ['with-sessions'],
  rep,
  before: run(before, generatorCpu),
  runs: [run(subject, generatorCpu)],
  after: run(after, generatorCpu),
  retries: 0,
});

describe('planRep', () => {
  const groups = [
    { base: 'raw-a', subjects: ['a1', 'a2', 'a3'] },
    { base: 'raw-b', subjects: ['b1'] },
  ];

  it('puts every row of every group in exactly one segment per rep, at most SEGMENT_SIZE rows between two baseline runs', () => {
    for (const rep of [0, 1, 2]) {
      const plans = planRep(groups, rep);
      expect(plans.flatMap((p) => p.subjects).sort()).toEqual(['a1', 'a2', 'a3', 'b1']);
      for (const plan of plans) expect(plan.subjects.length).toBeLessThanOrEqual(SEGMENT_SIZE);
      for (const plan of plans) expect(groups.find((g) => g.base === plan.base)!.subjects).toEqual(expect.arrayContaining(plan.subjects));
    }
  });

  it('rotates the order of groups and of rows from one rep to the next', () => {
    expect(planRep(groups, 0)[0]!.base).toBe('raw-a');
    expect(planRep(groups, 1)[0]!.base).toBe('raw-b');
    expect(planRep(groups, 0)[0]!.subjects[0]).toBe('a1');
    expect(planRep(groups, 1).find((p) => p.base === 'raw-a')!.subjects[0]).toBe('a2');
  });
});

describe('summarize', () => {
  it("takes each rep's ratio against the mean of the baseline runs around it, and reports their median and min–max", () => {
    // Per-rep ratios: 90 / 100 = 0.9, 60 / 50 = 1.2, 80 / 100 = 0.8 (the baseline moved between reps).
    const segments = [segment(0, 100, 90, 100), segment(1, 40, 60, 60), segment(2, 110, 80, 90)];
    const row = summarize(segments, 'with-sessions')!;
    expect(row.ratio).toBeCloseTo(0.9, 10);
    expect(row.ratioMin).toBeCloseTo(0.8, 10);
    expect(row.ratioMax).toBeCloseTo(1.2, 10);
    expect(row.rps).toBe(80);
    expect(row.disturbed).toEqual([]);
    const base = summarize(segments, 'raw')!;
    expect(base.rps).toBe(95);
    expect(Number.isNaN(base.ratio)).toBe(true);
  });

  it('carries the reason of a segment that stayed disturbed', () => {
    const disturbed = { ...segment(1, 100, 90, 100), disturbed: 'load generator saturated its core' };
    expect(summarize([segment(0, 100, 90, 100), disturbed], 'with-sessions')!.disturbed).toEqual(['rep 2: load generator saturated its core']);
  });
});

describe('CPU time per request', () => {
  it("gives each rep's ratio of the baseline's CPU per request over the row's, and the row's extra µs", () => {
    // The bare server spent 5 µs a request around the row in both reps; the row 8 and then 10 µs.
    const reps = [0, 1].map((rep) => ({
      ...segment(rep, 150_000, 90_000, 150_000, GENERATOR_SATURATED),
      before: run(150_000, GENERATOR_SATURATED, 5),
      after: run(150_000, GENERATOR_SATURATED, 5),
      runs: [run(90_000, 0.6, rep === 0 ? 8 : 10)],
    }));
    const row = summarize(reps, 'with-sessions')!;
    expect(row.cpuRatioMin).toBeCloseTo(0.5, 10);
    expect(row.cpuRatioMax).toBeCloseTo(0.625, 10);
    expect(row.extraUs).toBeCloseTo(4, 10);
    expect(row.ratio).toBeCloseTo(0.6, 10);
  });

  it('lists the reps whose generator saturated, so that their rows are compared by CPU time', () => {
    const saturated = { ...segment(1, 100, 90, 100), generatorBound: 'load generator 97% busy' };
    expect(summarize([segment(0, 100, 90, 100), saturated], 'with-sessions')!.generatorBound).toEqual(['rep 2: load generator 97% busy']);
  });
});

describe('disturbance', () => {
  it('passes a segment whose generator had room and whose baseline ran near its median', () => {
    expect(disturbance(segment(0, 100, 90, 95, GENERATOR_SATURATED - 0.01), 100)).toBeUndefined();
  });

  it('does not measure again a segment whose load generator saturated its core (it would saturate again), and names it', () => {
    const saturated = segment(0, 100, 90, 100, GENERATOR_SATURATED);
    expect(disturbance(saturated, 100)).toBeUndefined();
    expect(generatorSaturation(saturated)).toBe(`load generator ${Math.round(GENERATOR_SATURATED * 100)}% busy`);
    expect(generatorSaturation(segment(0, 100, 90, 100, GENERATOR_SATURATED - 0.01))).toBeUndefined();
  });

  it(`flags a segment whose baseline run fell below ${BASELINE_FLOOR}x of its median`, () => {
    expect(disturbance(segment(0, 100, 90, 79, 0.5), 100)).toMatch(/baseline run at 0\.79x/);
    expect(disturbance(segment(0, 100, 90, 80, 0.5), 100)).toBeUndefined();
  });
});

describe('targets', () => {
  const suite = (figures: HttpFigure[], unmeasured?: string, quick = false): HttpSuiteResult => ({
    generator: 'wrk -t1',
    pinned: true,
    connections: 64,
    duration: 4,
    reps: 3,
    maxRetries: 2,
    quick,
    figures,
    skipped: [],
    ...(unmeasured !== undefined ? { unmeasured } : {}),
  });
  const figure = (
    peer: string,
    scenario: 'get' | 'put',
    ratio: number,
    disturbed: string[] = [],
    cpuRatio = Number.NaN,
    generatorBound: string[] = [],
  ): HttpFigure => ({
    peer,
    scenario,
    base: 'raw-uws',
    rps: 100_000 * ratio,
    p99: 1,
    ratio,
    ratioMin: ratio,
    ratioMax: ratio,
    cpuRatio,
    cpuRatioMin: cpuRatio,
    cpuRatioMax: cpuRatio,
    serverUs: 5,
    extraUs: 1,
    runs: [],
    notes: [],
    disturbed,
    generatorBound,
  });
  const lmdbGet = (list: ReturnType<typeof targets>) => list.find((t) => t.name === 'uWS + sessionkit /get, LmdbStore, one process')!;

  it('meets a ratio goal on a clean run that reached it (so that the checks below can fail)', () => {
    expect(lmdbGet(targets(undefined, suite([figure('uws-lmdb', 'get', 1.17)]))).met).toBe(true);
  });

  it('meets no HTTP goal when the HTTP suite measured nothing (no wrk)', () => {
    const list = targets(undefined, suite([], NO_GENERATOR));
    const http = list.filter((t) => !t.name.includes('allocation') && !t.name.includes('merge-on-commit'));
    expect(http.length).toBeGreaterThan(5);
    for (const t of http) {
      expect(t.met, t.name).toBeUndefined();
      expect(t.measured, t.name).toBe('not measured (no wrk)');
    }
  });

  it('meets no HTTP goal on a --quick run, whatever its ratio', () => {
    const target = lmdbGet(targets(undefined, suite([figure('uws-lmdb', 'get', 1.17)], undefined, true)));
    expect(target.met).toBeUndefined();
    expect(target.measured).toMatch(/--quick/);
  });

  it('meets no goal on a row whose reps stayed disturbed, whatever its ratio', () => {
    const target = lmdbGet(targets(undefined, suite([figure('uws-lmdb', 'get', 1.17, ['rep 1: baseline run at 0.70x of its own median'])])));
    expect(target.met).toBeUndefined();
    expect(target.measured).toMatch(/disturbed/);
  });

  it('judges a row whose generator saturated by its CPU-time ratio, not by its throughput ratio', () => {
    const saturated = (cpu: number) => figure('uws-lmdb', 'get', 0.97, [], cpu, ['rep 1: load generator 96% busy']);
    const below = lmdbGet(targets(undefined, suite([saturated(0.7)])));
    expect(below.met).toBe(false);
    expect(below.measured).toBe('0.70 † server CPU');
    expect(lmdbGet(targets(undefined, suite([saturated(0.93)]))).met).toBe(true);
  });
});
