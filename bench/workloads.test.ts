import assert from "node:assert/strict";
import { test } from "node:test";
import { fullSizes, quickSizes, roundTripOrder } from "./workloads.ts";

test("roundTripOrder: the byte pipe and Labdeck every round, back to back, alternating; the others one round in n", () => {
  const schedule = Array.from({ length: fullSizes.roundTripRounds }, (_, round) => roundTripOrder(round, fullSizes));
  const count = (name: string) => schedule.filter((order) => order.includes(name as never)).length;
  assert.equal(count("pipe"), fullSizes.roundTripRounds);
  assert.equal(count("labdeck"), fullSizes.roundTripRounds);
  assert.equal(count("tcp"), Math.ceil(fullSizes.roundTripRounds / fullSizes.roundTripReferenceEvery));
  assert.equal(count("lite"), count("tcp"));
  for (const [round, order] of schedule.entries()) {
    assert.deepEqual(order.slice(-2), round % 2 === 0 ? ["pipe", "labdeck"] : ["labdeck", "pipe"], `round ${round}`);
  }
});

test("roundTripOrder: with referenceEvery 1 every contender runs every round", () => {
  assert.deepEqual(roundTripOrder(0, quickSizes), ["tcp", "lite", "pipe", "labdeck"]);
  assert.deepEqual(roundTripOrder(1, { roundTripReferenceEvery: 1 }), ["tcp", "lite", "labdeck", "pipe"]);
});
