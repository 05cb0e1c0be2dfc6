// How the HTTP suite turns load runs into ratios: each rep measures a framework's bare server right before
// and right after each short segment of its session rows, a row's per-rep ratio is against those two
// baseline runs, the figure is the median of the per-rep ratios with their min–max, and a segment whose
// baseline fell far below the baseline's own median is disturbed. A segment whose load generator
// saturated its core measured the generator, not the servers: measuring it again would saturate it
// again, so its rows are compared by the servers' CPU time per request instead.
import { generatorBound, type LoadResult } from './load.js';
import { median } from './peer-process.js';

/** Session rows measured between two baseline runs. */
export const SEGMENT_SIZE = 2;
/** A baseline run below this share of its median (same server, scenario and run) was disturbed. */
export const BASELINE_FLOOR = 0.8;
/** Times a disturbed segment is measured again before its figures are kept with a flag. */
export const MAX_RETRIES = 2;

/** A framework's bare server and the session rows measured against it. */
export interface Group {
  base: string;
  subjects: string[];
}

/** One segment's plan: the baseline, then the subjects, then the baseline again. */
export interface SegmentPlan {
  base: string;
  subjects: string[];
  rep: number;
}

export interface Segment extends SegmentPlan {
  /** the baseline runs before and after the subjects */
  before: LoadResult;
  after: LoadResult;
  /** one run per subject, in `subjects` order */
  runs: LoadResult[];
  /** why the segment is disturbed (kept after MAX_RETRIES), or undefined */
  disturbed?: string;
  /** how busy the load generator was when it saturated its core in one of the segment's runs, or undefined */
  generatorBound?: string;
  retries: number;
}

/** The segments of one rep of one scenario: groups and the rows inside them in an order rotated by rep. */
export function planRep(groups: Group[], rep: number): SegmentPlan[] {
  const plans: SegmentPlan[] = [];
  for (let g = 0; g < groups.length; g++) {
    const group = groups[(g + rep) % groups.length]!;
    const n = group.subjects.length;
    const subjects = group.subjects.map((_, i) => group.subjects[(i + rep) % n]!);
    for (let i = 0; i < subjects.length; i += SEGMENT_SIZE) plans.push({ base: group.base, subjects: subjects.slice(i, i + SEGMENT_SIZE), rep });
  }
  return plans;
}

/** The median rps of each baseline over every segment given. */
export function baselineMedians(segments: Segment[]): Map<string, number> {
  const runs = new Map<string, number[]>();
  for (const s of segments) {
    const list = runs.get(s.base) ?? [];
    list.push(s.before.rps, s.after.rps);
    runs.set(s.base, list);
  }
  return new Map([...runs].map(([base, list]) => [base, median(list)]));
}

/** Why a segment's ratios cannot be trusted (a baseline run far below its median), or undefined when they can. */
export function disturbance(segment: Segment, baseMedian: number): string | undefined {
  const low = Math.min(segment.before.rps, segment.after.rps);
  if (Number.isFinite(baseMedian) && low < BASELINE_FLOOR * baseMedian)
    return `baseline run at ${(low / baseMedian).toFixed(2)}x of its own median (below ${BASELINE_FLOOR}): the machine was disturbed`;
  return undefined;
}

/** How busy the load generator was when it saturated its core in one of the segment's runs, or undefined. */
export function generatorSaturation(segment: Segment): string | undefined {
  const bound = [segment.before, ...segment.runs, segment.after].filter(generatorBound);
  if (bound.length === 0) return undefined;
  return `load generator ${Math.round(Math.max(...bound.map((r) => r.generatorCpu)) * 100)}% busy`;
}

const mean = (a: number | undefined, b: number | undefined): number => ((a ?? Number.NaN) + (b ?? Number.NaN)) / 2;

/** A row's per-rep ratio in a segment: its rps over the mean of the baseline runs around it. */
export function segmentRatio(segment: Segment, index: number): number {
  return segment.runs[index]!.rps / mean(segment.before.rps, segment.after.rps);
}

/** The same ratio from the servers' CPU time per request: the baseline's (mean of the runs around it) over the row's. */
export function segmentCpuRatio(segment: Segment, index: number): number {
  return mean(segment.before.serverUs, segment.after.serverUs) / (segment.runs[index]!.serverUs ?? Number.NaN);
}

/** What a row's server spent per request beyond its baseline in a segment, µs of CPU. */
export function segmentExtraUs(segment: Segment, index: number): number {
  return (segment.runs[index]!.serverUs ?? Number.NaN) - mean(segment.before.serverUs, segment.after.serverUs);
}

export interface RowSummary {
  /** median rps over reps */
  rps: number;
  /** median over reps of each run's p99, ms */
  p99: number;
  /** median of the per-rep ratios to the row's baseline (NaN for a baseline) */
  ratio: number;
  ratioMin: number;
  ratioMax: number;
  /** the median of the per-rep ratios of server CPU time per request (baseline over row), with min–max */
  cpuRatio: number;
  cpuRatioMin: number;
  cpuRatioMax: number;
  /** median over runs of the server's CPU time per request, µs */
  serverUs: number;
  /** median over reps of the row's CPU time per request beyond its baseline's, µs (NaN for a baseline) */
  extraUs: number;
  runs: LoadResult[];
  /** why some of the row's reps are disturbed; empty when every rep is clean */
  disturbed: string[];
  /** the reps whose load generator saturated its core: there `cpuRatio` tells, not `ratio` */
  generatorBound: string[];
}

const finite = (values: number[]): number[] => values.filter((v) => Number.isFinite(v));
const medianOf = (values: number[]): number => (finite(values).length > 0 ? median(finite(values)) : Number.NaN);
const minOf = (values: number[]): number => (finite(values).length > 0 ? Math.min(...finite(values)) : Number.NaN);
const maxOf = (values: number[]): number => (finite(values).length > 0 ? Math.max(...finite(values)) : Number.NaN);

/** The summary of a session row (`peer` among the segments' subjects) or of a baseline (`peer` a base). */
export function summarize(segments: Segment[], peer: string): RowSummary | undefined {
  const runs: LoadResult[] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  const extras: number[] = [];
  const disturbed = new Set<string>();
  const generator = new Set<string>();
  for (const s of segments) {
    const index = s.subjects.indexOf(peer);
    if (index !== -1) {
      runs.push(s.runs[index]!);
      ratios.push(segmentRatio(s, index));
      cpuRatios.push(segmentCpuRatio(s, index));
      extras.push(segmentExtraUs(s, index));
    } else if (s.base === peer) {
      runs.push(s.before, s.after);
    } else {
      continue;
    }
    if (s.disturbed !== undefined) disturbed.add(`rep ${s.rep + 1}: ${s.disturbed}`);
    if (s.generatorBound !== undefined) generator.add(`rep ${s.rep + 1}: ${s.generatorBound}`);
  }
  if (runs.length === 0) return undefined;
  return {
    rps: median(runs.map((r) => r.rps)),
    p99: median(runs.map((r) => r.p99)),
    ratio: medianOf(ratios),
    ratioMin: minOf(ratios),
    ratioMax: maxOf(ratios),
    cpuRatio: medianOf(cpuRatios),
    cpuRatioMin: minOf(cpuRatios),
    cpuRatioMax: maxOf(cpuRatios),
    serverUs: medianOf(runs.map((r) => r.serverUs ?? Number.NaN)),
    extraUs: medianOf(extras),
    runs,
    disturbed: [...disturbed],
    generatorBound: [...generator],
  };
}
