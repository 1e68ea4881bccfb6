import assert from "node:assert/strict";
import { test } from "node:test";
import { takingTurns } from "./taking-turns.ts";

/** Counts turns of the event loop (check phases) until stopped. */
function turnCounter(): { readonly turns: number; stop(): void } {
  let turns = 0;
  let running = true;
  const tick = () => {
    turns++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    get turns() {
      return turns;
    },
    stop: () => (running = false),
  };
}

test("takingTurns: calls made at once run one at a time, in call order, each in a turn of the event loop of its own", async () => {
  const counter = turnCounter();
  const started: { call: number; turn: number }[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const turns = takingTurns();
  const work = (call: number) =>
    turns(async () => {
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      started.push({ call, turn: counter.turns });
      await Promise.resolve(); // like Prisma over better-sqlite3: asynchronous in form, microtasks only
      running--;
      return call * 10;
    });
  const results = await Promise.all([1, 2, 3, 4, 5].map((call) => work(call)));
  counter.stop();

  assert.deepEqual(results, [10, 20, 30, 40, 50]);
  assert.equal(mostAtOnce, 1);
  assert.deepEqual(started.map((entry) => entry.call), [1, 2, 3, 4, 5]);
  const startTurns = started.map((entry) => entry.turn);
  assert.equal(new Set(startTurns).size, startTurns.length, `each call starts in a turn of its own (turns ${startTurns.join(", ")})`);
});

test("takingTurns: a call that fails reaches its caller and does not hold up the calls after it", async () => {
  const turns = takingTurns();
  const work = (call: number) =>
    turns(async () => {
      if (call === 2) throw new Error("no such ticket");
      return call;
    });
  const [first, second, third] = await Promise.allSettled([work(1), work(2), work(3)]);
  assert.deepEqual(first, { status: "fulfilled", value: 1 });
  assert.equal(second?.status, "rejected");
  assert.match(String((second as PromiseRejectedResult).reason), /no such ticket/);
  assert.deepEqual(third, { status: "fulfilled", value: 3 });
  assert.equal(await work(4), 4, "later calls still run");
});

test("takingTurns: work the event loop took up during one call runs before the next call starts", async () => {
  const order: string[] = [];
  const turns = takingTurns();
  const work = (name: string) =>
    turns(async () => {
      order.push(name);
      if (name === "a") setImmediate(() => order.push("other work"));
    });
  await Promise.all([work("a"), work("b")]);
  assert.deepEqual(order, ["a", "other work", "b"]);
});
