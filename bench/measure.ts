// One measurement of one contender: a stream's throughput, key round trips, idle memory. Every
// function opens its own connections, bounds its waits and closes what it opened, success or not.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { InstructionParser } from "../server/guacamole/parser.ts";
import { openConnection, type Connection, type Contender, type Target } from "./clients.ts";
import type { ChildHandle, Memory } from "./ipc.ts";
import { streamChunks, type GuacdMode, type StreamName } from "./workloads.ts";
import { medianOf } from "./stats.ts";

export type Rig = {
  guacd: ChildHandle<{ port: number }>;
  /** The relay child of a contender (none for straight TCP). */
  relay(contender: Contender): ChildHandle<{ url: string }> | undefined;
  /** Fresh connection targets: one-time tickets for Labdeck, tokens for guacamole-lite. */
  targets(contender: Contender, count: number): Promise<Target[]>;
  /** Every child process (guacd and relays), to wait for them to go quiet before a measurement. */
  children(): readonly ChildHandle<unknown>[];
};

/** A child counts as quiet below this share of one core (an idle child uses 1-2%: its event-loop monitor and our requests). */
const quietShare = 0.1;
const quietWindowMs = 300;
const settleLimitMs = 20_000;

/**
 * Waits until every child process has been quiet for one window, so that a measurement does not
 * start while a relay is still busy with the last one (guacamole-lite's slow run leaves its process
 * collecting garbage for seconds, which halved the next contender's figures). Returns how long it
 * waited; throws if the children are still busy after 20 s.
 */
export async function settle(rig: Rig): Promise<number> {
  const started = performance.now();
  const children = rig.children();
  for (;;) {
    const before = await Promise.all(children.map((child) => child.request<number>("cpu")));
    await sleep(quietWindowMs);
    const after = await Promise.all(children.map((child) => child.request<number>("cpu")));
    const busy = children.filter((_, i) => after[i]! - before[i]! > quietShare * quietWindowMs);
    if (busy.length === 0) return performance.now() - started;
    if (performance.now() - started > settleLimitMs) {
      const usage = busy.map((child) => `${child.name} ${(((after[children.indexOf(child)]! - before[children.indexOf(child)]!) / quietWindowMs) * 100).toFixed(0)}%`);
      throw new Error(`still busy after ${settleLimitMs / 1000} s: ${usage.join(", ")} of a core`);
    }
  }
}

async function setMode(rig: Rig, mode: GuacdMode): Promise<void> {
  await rig.guacd.request("mode", { mode });
}

/** Runs `task` over `items` with at most `limit` at a time. */
async function inBatches<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  });
  await Promise.all(workers);
  return results;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Opens `count` connections; on any failure closes those already open and rethrows. */
async function openMany(rig: Rig, contender: Contender, count: number, onOpen?: (connection: Connection) => void): Promise<Connection[]> {
  return openTargets(rig, contender, await rig.targets(contender, count), onOpen);
}

/** Opens a connection per target, 50 at a time; on any failure closes those already open and rethrows. */
async function openTargets(rig: Rig, contender: Contender, targets: readonly Target[], onOpen?: (connection: Connection) => void): Promise<Connection[]> {
  const opened: Connection[] = [];
  const batch = 50;
  try {
    for (let start = 0; start < targets.length; start += batch) {
      const slice = targets.slice(start, start + batch);
      // allSettled: a failure must not leave connections of the same batch opening unseen.
      const outcomes = await Promise.allSettled(
        slice.map(async (target) => {
          const connection = await openConnection(target);
          opened.push(connection);
          onOpen?.(connection);
        }),
      );
      const failures = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
      if (failures.length > 0) {
        // Labdeck's relay can say where its tunnels got stuck.
        const relay = rig.relay(contender);
        const states = contender === "labdeck" ? await relay?.request("states").catch(() => undefined) : undefined;
        const loop = await relay?.request("event-loop").catch(() => undefined);
        throw new Error(
          `${failures.length} of ${slice.length} connections (from #${start}) failed to open; first: ${describeError(failures[0]!.reason)}` +
            (states ? `; tunnels in the relay by state: ${JSON.stringify(states)}` : "") +
            (loop ? `; relay event loop since last check: ${JSON.stringify(loop)}` : ""),
        );
      }
    }
    return opened;
  } catch (error) {
    await closeAll(opened);
    throw error;
  }
}

async function closeAll(connections: readonly Connection[]): Promise<void> {
  await inBatches(connections, 100, (connection) => connection.close());
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms / 1000} s`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------- throughput

export type StreamResult = {
  bytes: number;
  instructions: number;
  seconds: number;
  /** 10^6 bytes per second, first byte to last byte. */
  megabytesPerSecond: number;
  instructionsPerSecond: number;
  /**
   * CPU time the relay process spent per MB of the stream (ms), from the start signal to the last
   * byte; undefined for straight TCP. Far less sensitive to other work on the machine than MB/s.
   */
  relayCpuMsPerMegabyte: number | undefined;
  /** Reads (TCP) or messages (WebSocket) the client received: a relay that reads more at a time sends fewer, larger messages. */
  chunks: number;
};

const startSignal = "4.sync,1.0;";

/**
 * One connection, one stream of `repeats` chunks; the client counts bytes and checks the total.
 * Waits for quiet children first, unless the caller has (a profiler running in a child is never quiet).
 */
export async function measureStream(rig: Rig, contender: Contender, stream: StreamName, repeats: number, options: { settled?: boolean } = {}): Promise<StreamResult> {
  const chunk = streamChunks()[stream];
  const expected = chunk.bytes.length * repeats;
  const instructions = chunk.instructions * repeats;
  await setMode(rig, { kind: "stream", stream, repeats });
  const [target] = await rig.targets(contender, 1);
  if (!options.settled) await settle(rig);
  const connection = await openConnection(target!);
  try {
    let received = 0;
    let chunks = 0;
    let firstAt = 0;
    let firstBytes = 0;
    let lastAt = 0;
    const complete = new Promise<void>((resolve, reject) => {
      connection.onData((data) => {
        if (received === 0) {
          firstAt = performance.now();
          firstBytes = data.length;
        }
        received += data.length;
        chunks++;
        if (received >= expected) {
          lastAt = performance.now();
          resolve();
        }
      });
      void connection.closed.then(() => reject(new Error(`closed after ${received} of ${expected} bytes`)));
    });
    const relay = rig.relay(contender);
    const cpuBefore = relay ? await relay.request<number>("cpu") : 0;
    connection.send(startSignal);
    // Even guacamole-lite's slowest case (~4 MB/s) fits easily.
    await withTimeout(complete, 30_000 + expected / 1_000, `${stream} stream`);
    const cpuAfter = relay ? await relay.request<number>("cpu") : 0;
    await sleep(20); // anything extra would arrive now
    if (received !== expected) throw new Error(`received ${received} bytes, expected ${expected}`);
    const seconds = (lastAt - firstAt) / 1000;
    const timed = expected - firstBytes; // the first chunk's bytes arrived at time zero
    return {
      bytes: expected,
      instructions,
      seconds,
      megabytesPerSecond: timed / 1e6 / seconds,
      instructionsPerSecond: (timed / expected) * instructions / seconds,
      relayCpuMsPerMegabyte: relay ? (cpuAfter - cpuBefore) / (expected / 1e6) : undefined,
      chunks,
    };
  } finally {
    await connection.close();
  }
}

// ---------------------------------------------------------------- key round trip

export type RoundTripResult = {
  tunnels: number;
  samples: number;
  lost: number;
  p50: number;
  p99: number;
  max: number;
  /**
   * CPU time the relay process spent per key sent (µs: both directions, key and answer), over the whole
   * round; undefined for straight TCP. Like the streams' CPU per MB, steadier than the latencies.
   */
  relayCpuUsPerKey: number | undefined;
  /** Each round's figures, when this result combines several (round robin with the other contenders). */
  rounds?: { p50: number; p99: number }[];
};

/**
 * Rounds of one contender as one result: the median of the rounds' p50 and p99. A p99 from one run
 * of 10 s moved by 1.5x from run to run (the two cores are shared by three busy processes); short
 * rounds taken in turn with the other contenders share out the machine's bad moments.
 */
export function combineRounds(rounds: readonly RoundTripResult[]): RoundTripResult {
  return {
    tunnels: rounds[0]!.tunnels,
    samples: rounds.reduce((sum, round) => sum + round.samples, 0),
    lost: rounds.reduce((sum, round) => sum + round.lost, 0),
    p50: medianOf(rounds.map((round) => round.p50)),
    p99: medianOf(rounds.map((round) => round.p99)),
    max: Math.max(...rounds.map((round) => round.max)),
    relayCpuUsPerKey: rounds[0]!.relayCpuUsPerKey === undefined ? undefined : medianOf(rounds.map((round) => round.relayCpuUsPerKey!)),
    rounds: rounds.map(({ p50, p99 }) => ({ p50, p99 })),
  };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * The round trip's tunnels, opened once per contender and kept across its rounds: the workload is
 * keys through open tunnels, and reopening a hundred tunnels before each round measured the relays'
 * opening bursts instead (in Labdeck's process, a full collection about two seconds later, inside the
 * round). What opening costs is measured by the idle workload (CPU per open).
 */
export type KeyTunnels = {
  readonly connections: readonly Connection[];
  /** Called for every `sync,<id>` answer; set by the round being measured. */
  onAnswer: ((id: number, receivedAt: number) => void) | undefined;
  /** Key ids are never reused, so a late answer cannot count in a later round. */
  nextId: number;
  protocolErrors: number;
  closedCount: number;
  close(): Promise<void>;
};

/** Opens `count` tunnels whose sessions answer each `key,<id>,…` with `sync,<id>` (guacd mode "echo"). */
export async function openKeyTunnels(rig: Rig, contender: Contender, count: number): Promise<KeyTunnels> {
  await setMode(rig, { kind: "echo" });
  const connections: Connection[] = [];
  const tunnels: KeyTunnels = {
    connections,
    onAnswer: undefined,
    nextId: 0,
    protocolErrors: 0,
    closedCount: 0,
    close: () => closeAll(connections),
  };
  connections.push(
    ...(await openMany(rig, contender, count, (connection) => {
      const parser = new InstructionParser();
      void connection.closed.then(() => tunnels.closedCount++);
      connection.onData((data) => {
        const now = performance.now();
        let instructions;
        try {
          instructions = parser.push(data.toString("utf8"));
        } catch {
          tunnels.protocolErrors++;
          return;
        }
        for (const instruction of instructions) {
          if (instruction.opcode === "sync") tunnels.onAnswer?.(Number(instruction.args[0]), now);
        }
      });
    })),
  );
  return tunnels;
}

/**
 * One round: every tunnel sends `key,<id>,1` every `intervalMs` for `seconds`, staggered evenly;
 * guacd answers `sync,<id>` at once. The first 10% of the round is warm-up, not counted.
 */
export async function measureRoundTrip(
  rig: Rig,
  contender: Contender,
  tunnels: KeyTunnels,
  seconds: number,
  intervalMs: number,
  options: { settled?: boolean } = {},
): Promise<RoundTripResult> {
  if (tunnels.closedCount > 0) throw new Error(`${tunnels.closedCount} of ${tunnels.connections.length} tunnels closed since they were opened`);
  if (!options.settled) await settle(rig);
  const sentAt = new Map<number, number>();
  const samples: number[] = [];
  let countFrom = Number.POSITIVE_INFINITY;
  const firstId = tunnels.nextId;
  const errorsBefore = tunnels.protocolErrors;
  tunnels.onAnswer = (id, receivedAt) => {
    const sent = sentAt.get(id);
    if (sent === undefined) return;
    sentAt.delete(id);
    if (sent >= countFrom) samples.push(receivedAt - sent);
  };
  const timers: NodeJS.Timeout[] = [];
  const relay = rig.relay(contender);
  try {
    const cpuBefore = relay ? await relay.request<number>("cpu") : 0;
    const started = performance.now();
    countFrom = started + seconds * 100; // 10% of the run, in ms
    tunnels.connections.forEach((connection, index) => {
      const send = () => {
        const id = ++tunnels.nextId;
        sentAt.set(id, performance.now());
        connection.send(`3.key,${String(id).length}.${id},1.1;`);
      };
      timers.push(
        setTimeout(() => {
          send();
          timers.push(setInterval(send, intervalMs));
        }, (index * intervalMs) / tunnels.connections.length),
      );
    });
    await sleep(seconds * 1000);
    timers.forEach((timer) => clearInterval(timer));
    // Answers still on their way get a second to arrive.
    const deadline = performance.now() + 1_000;
    while (sentAt.size > 0 && performance.now() < deadline) await sleep(10);
    const cpuAfter = relay ? await relay.request<number>("cpu") : 0;
    if (tunnels.protocolErrors > errorsBefore) throw new Error(`${tunnels.protocolErrors - errorsBefore} unparsable messages`);
    if (tunnels.closedCount > 0) throw new Error(`${tunnels.closedCount} tunnels closed during the round`);
    const keysSent = tunnels.nextId - firstId;
    const sorted = Float64Array.from(samples).sort();
    return {
      tunnels: tunnels.connections.length,
      samples: sorted.length,
      lost: sentAt.size,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] ?? Number.NaN,
      relayCpuUsPerKey: relay && keysSent > 0 ? ((cpuAfter - cpuBefore) * 1000) / keysSent : undefined,
    };
  } finally {
    timers.forEach((timer) => clearInterval(timer));
    tunnels.onAnswer = undefined;
  }
}

// ---------------------------------------------------------------- idle memory

export type IdleResult = {
  tunnels: number;
  /** Memory (after GC) with 0, 1/steps, 2/steps, ... of the tunnels open. */
  points: { tunnels: number; memory: Memory }[];
  /** Bytes per tunnel: the least-squares slope over the points. */
  rssPerTunnel: number;
  heapPerTunnel: number;
  /** The relay's longest event-loop stall while the tunnels opened (ms). */
  worstStallMs: number;
  /** The relay's CPU time per tunnel opened (ms): upgrade, authorization, guacd handshake. */
  cpuMsPerOpen: number;
};

const pingIntervalMs = 5_000;
const steps = 10;

/** Least-squares slope of y over x. */
function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const p of points) {
    covariance += (p.x - meanX) * (p.y - meanY);
    variance += (p.x - meanX) ** 2;
  }
  return variance === 0 ? Number.NaN : covariance / variance;
}

/**
 * The relay's memory per idle tunnel. Tunnels are opened in ten steps; after each, the relay reports
 * its memory after full GCs, and the per-tunnel figure is the slope through those points (one
 * before/after difference is at the mercy of when V8 and malloc hand pages back). Each client pings
 * every 5 s like a (slower) guacamole-common-js; guacd sends a nop every 5 s. As many tunnels as are
 * measured are opened and closed first, so what the first opens load and keep for good (code, JIT,
 * Prisma's and SQLite's caches: about 20 MB in Labdeck's process, reached after a few hundred opens)
 * is not counted per tunnel.
 */
export async function measureIdleMemory(rig: Rig, contender: Contender, tunnels: number): Promise<IdleResult> {
  const relay = rig.relay(contender);
  if (!relay) throw new Error(`${contender} has no relay process to measure`);
  await setMode(rig, { kind: "idle" });
  await closeAll(await openMany(rig, contender, tunnels));
  await settle(rig);
  const timers: NodeJS.Timeout[] = [];
  const connections: Connection[] = [];
  let lost = 0;
  let worstStallMs = 0;
  let openCpuMs = 0;
  const keepAlive = (connection: Connection) => {
    connection.onData(() => {}); // nops and ping echoes
    void connection.closed.then(() => lost++);
    const ping = () => connection.send(`0.,4.ping,13.${Date.now()};`);
    timers.push(setTimeout(() => timers.push(setInterval(ping, pingIntervalMs)), Math.random() * pingIntervalMs));
  };
  try {
    const points = [{ tunnels: 0, memory: await relay.request<Memory>("memory") }];
    for (let step = 1; step <= steps; step++) {
      const target = Math.round((tunnels * step) / steps);
      // Tickets are minted first (valid 60 s; a step takes seconds), so only the opening is timed.
      const targets = await rig.targets(contender, target - connections.length);
      await relay.request("event-loop"); // reset: only the opening counts, not the GCs of measuring
      const cpuBefore = await relay.request<number>("cpu");
      connections.push(...(await openTargets(rig, contender, targets, keepAlive)));
      openCpuMs += (await relay.request<number>("cpu")) - cpuBefore;
      worstStallMs = Math.max(worstStallMs, (await relay.request<{ maxMs: number }>("event-loop")).maxMs);
      await sleep(200);
      points.push({ tunnels: connections.length, memory: await relay.request<Memory>("memory") });
    }
    await sleep(1_000);
    if (lost > 0) throw new Error(`${lost} of ${tunnels} idle tunnels closed while measuring`);
    if (contender === "labdeck") {
      const open = await relay.request<number>("tunnels");
      if (open !== tunnels) throw new Error(`the endpoint holds ${open} tunnels, expected ${tunnels}`);
    }
    return {
      tunnels,
      points,
      rssPerTunnel: slope(points.map((p) => ({ x: p.tunnels, y: p.memory.rss }))),
      heapPerTunnel: slope(points.map((p) => ({ x: p.tunnels, y: p.memory.heapUsed }))),
      worstStallMs,
      cpuMsPerOpen: openCpuMs / tunnels,
    };
  } finally {
    timers.forEach((timer) => clearInterval(timer));
    await closeAll(connections);
  }
}
