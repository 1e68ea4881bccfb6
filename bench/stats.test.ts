import assert from "node:assert/strict";
import { test } from "node:test";
import { judgeInterval, medianOf, ratioOfMediansInterval } from "./stats.ts";

test("medianOf: the middle value, or the mean of the two middle ones", () => {
  assert.equal(medianOf([3, 1, 2]), 2);
  assert.equal(medianOf([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(medianOf([])));
});

test("ratioOfMediansInterval: the estimate is the ratio of the medians and lies inside the interval", () => {
  const pipe = [1.8, 1.5, 1.5, 1.3, 1.7, 2.7, 2.0, 2.2, 2.8, 1.9, 2.3, 1.6, 2.4, 1.5, 2.6];
  const labdeck = [1.7, 1.8, 2.0, 1.4, 1.4, 1.8, 2.0, 2.9, 2.2, 1.8, 2.9, 2.1, 1.7, 3.7, 3.0];
  const interval = ratioOfMediansInterval(labdeck, pipe);
  assert.equal(interval.estimate, medianOf(labdeck) / medianOf(pipe));
  assert.equal(interval.pairs, 15);
  assert.ok(interval.low < interval.estimate && interval.estimate < interval.high, JSON.stringify(interval));
});

test("ratioOfMediansInterval: identical lists give exactly 1, and the same data always the same interval", () => {
  const values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
  assert.deepEqual(ratioOfMediansInterval(values, values), { estimate: 1, low: 1, high: 1, pairs: 10 });
  const a = [1.1, 0.9, 1.3, 1.2, 0.8, 1.0];
  const b = [1.0, 1.0, 1.1, 0.9, 1.2, 1.0];
  assert.deepEqual(ratioOfMediansInterval(a, b), ratioOfMediansInterval(a, b));
});

test("ratioOfMediansInterval: more rounds of the same spread give a narrower interval", () => {
  const spread = (n: number, scale: number) => Array.from({ length: n }, (_, i) => scale * (1 + 0.5 * Math.sin(i * 2.399)));
  const few = ratioOfMediansInterval(spread(8, 1.1), spread(8, 1).reverse());
  const many = ratioOfMediansInterval(spread(64, 1.1), spread(64, 1).reverse());
  assert.ok(many.high - many.low < few.high - few.low, `${JSON.stringify(few)} vs ${JSON.stringify(many)}`);
});

test("ratioOfMediansInterval: unpaired values past the shorter list are left out; fewer than two pairs give no interval", () => {
  assert.equal(ratioOfMediansInterval([2, 2, 2, 100], [1, 1, 1]).estimate, 2);
  const one = ratioOfMediansInterval([2], [1]);
  assert.equal(one.estimate, 2);
  assert.ok(Number.isNaN(one.low) && Number.isNaN(one.high));
});

test("judgeInterval: pass or fail only when the whole interval is on one side of the bound", () => {
  const interval = (low: number, high: number) => ({ estimate: (low + high) / 2, low, high, pairs: 15 });
  assert.equal(judgeInterval(interval(0.9, 1.15), 1.2, "at most"), "pass");
  assert.equal(judgeInterval(interval(0.9, 1.2), 1.2, "at most"), "pass");
  assert.equal(judgeInterval(interval(1.1, 1.3), 1.2, "at most"), "inconclusive");
  assert.equal(judgeInterval(interval(1.25, 1.4), 1.2, "at most"), "fail");
  assert.equal(judgeInterval(interval(0.95, 1.3), 0.9, "at least"), "pass");
  assert.equal(judgeInterval(interval(0.85, 0.95), 0.9, "at least"), "inconclusive");
  assert.equal(judgeInterval(interval(0.7, 0.85), 0.9, "at least"), "fail");
  assert.equal(judgeInterval({ estimate: 1, low: Number.NaN, high: Number.NaN, pairs: 1 }, 1.2, "at most"), "inconclusive");
});
