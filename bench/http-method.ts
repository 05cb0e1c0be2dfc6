// How the HTTP suite turns load runs into ratios: each rep measures a framework's bare server right before
// and right after each short segment of its session rows, a row's per-rep ratio is against those two
// baseline runs, the figure is the median of the per-rep ratios with their min–max, and a segment whose
// generator saturated its core or whose baseline fell far below the baseline's own median is disturbed.
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

/** Why a segment's ratios cannot be trusted, or undefined when they can. */
export function disturbance(segment: Segment, baseMedian: number): string | undefined {
  const all = [segment.before, ...segment.runs, segment.after];
  const bound = all.filter(generatorBound);
  if (bound.length > 0) {
    const worst = Math.max(...bound.map((r) => r.generatorCpu));
    return `load generator saturated its core (${Math.round(worst * 100)}% busy): the run measured the generator`;
  }
  const low = Math.min(segment.before.rps, segment.after.rps);
  if (Number.isFinite(baseMedian) && low < BASELINE_FLOOR * baseMedian)
    return `baseline run at ${(low / baseMedian).toFixed(2)}x of its own median (below ${BASELINE_FLOOR}): the machine was disturbed`;
  return undefined;
}

/** A row's per-rep ratio in a segment: its rps over the mean of the baseline runs around it. */
export function segmentRatio(segment: Segment, index: number): number {
  return segment.runs[index]!.rps / ((segment.before.rps + segment.after.rps) / 2);
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
  runs: LoadResult[];
  /** why some of the row's reps are disturbed; empty when every rep is clean */
  disturbed: string[];
}

/** The summary of a session row (`peer` among the segments' subjects) or of a baseline (`peer` a base). */
export function summarize(segments: Segment[], peer: string): RowSummary | undefined {
  const runs: LoadResult[] = [];
  const ratios: number[] = [];
  const disturbed = new Set<string>();
  for (const s of segments) {
    const index = s.subjects.indexOf(peer);
    if (index !== -1) {
      runs.push(s.runs[index]!);
      ratios.push(segmentRatio(s, index));
    } else if (s.base === peer) {
      runs.push(s.before, s.after);
    } else {
      continue;
    }
    if (s.disturbed !== undefined) disturbed.add(`rep ${s.rep + 1}: ${s.disturbed}`);
  }
  if (runs.length === 0) return undefined;
  return {
    rps: median(runs.map((r) => r.rps)),
    p99: median(runs.map((r) => r.p99)),
    ratio: ratios.length > 0 ? median(ratios) : Number.NaN,
    ratioMin: ratios.length > 0 ? Math.min(...ratios) : Number.NaN,
    ratioMax: ratios.length > 0 ? Math.max(...ratios) : Number.NaN,
    runs,
    disturbed: [...disturbed],
  };
}
