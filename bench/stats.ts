// How sure a benchmark ratio is. The round trip's p99 moves a lot from round to round on a shared
// machine (straight TCP's own p99 ranged from 0.8 to 9.9 ms over the rounds of one run), so one
// number per contender cannot say whether Labdeck is within 1.2x of the byte pipe: the report gives
// each ratio with a bootstrap interval and judges the target by the whole interval.
//
// Contenders are measured in turn (round robin), so round i of Labdeck and round i of the byte pipe
// ran a few seconds apart, in much the same conditions: the bootstrap resamples those pairs together.

export type Interval = {
  /** The ratio of the medians, as the table shows it. */
  estimate: number;
  low: number;
  high: number;
  /** Pairs the interval rests on. */
  pairs: number;
};

export type IntervalOptions = {
  /** Share of the resampled ratios inside the interval (two-sided). */
  level?: number;
  resamples?: number;
  /** The resampling is seeded, so the same measurements always give the same interval. */
  seed?: number;
};

export function medianOf(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A small seeded generator (mulberry32): uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * median(numerator) / median(denominator) with a percentile bootstrap interval over the pairs
 * (numerator[i], denominator[i]); values past the shorter list are not paired and not used.
 */
export function ratioOfMediansInterval(numerator: readonly number[], denominator: readonly number[], options: IntervalOptions = {}): Interval {
  const level = options.level ?? 0.9;
  const resamples = options.resamples ?? 4_000;
  const pairs = Math.min(numerator.length, denominator.length);
  const top = numerator.slice(0, pairs);
  const bottom = denominator.slice(0, pairs);
  const estimate = medianOf(top) / medianOf(bottom);
  if (pairs < 2) return { estimate, low: Number.NaN, high: Number.NaN, pairs };

  const random = seededRandom(options.seed ?? 1);
  const ratios = new Float64Array(resamples);
  const pickedTop = new Array<number>(pairs);
  const pickedBottom = new Array<number>(pairs);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < pairs; i++) {
      const j = Math.floor(random() * pairs);
      pickedTop[i] = top[j]!;
      pickedBottom[i] = bottom[j]!;
    }
    ratios[r] = medianOf(pickedTop) / medianOf(pickedBottom);
  }
  ratios.sort();
  const tail = (1 - level) / 2;
  const at = (q: number) => ratios[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))]!;
  return { estimate, low: at(tail), high: at(1 - tail), pairs };
}

/** "at most" targets pass when the whole interval is at or below the bound, "at least" ones when it is at or above. */
export type Judgement = "pass" | "fail" | "inconclusive";

export function judgeInterval(interval: Interval, bound: number, direction: "at most" | "at least"): Judgement {
  const { low, high } = interval;
  if (!Number.isFinite(low) || !Number.isFinite(high)) return "inconclusive";
  const inside = direction === "at most" ? (v: number) => v <= bound : (v: number) => v >= bound;
  if (inside(low) && inside(high)) return "pass";
  if (!inside(low) && !inside(high)) return "fail";
  return "inconclusive";
}
