// The tunnel benchmark: Labdeck's tunnel against its peers on the same synthetic guacd, in one run.
//   npm run bench                 full run (about 8 min), writes bench/results/latest.{md,json,svg}
//   npm run bench -- --quick      smoke run (~1 min), writes bench/results/quick.{md,json,svg}
//   npm run bench -- --only=idle  a subset of the workloads, writes bench/results/partial.* (unless --quick)
//   npm run bench -- --profile    CPU profiles of the byte pipe and Labdeck relays under both streams
// Progress goes to stderr, the report to stdout. See bench/README.md.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { contenderNames, contenders, liteToken, liteTokenKey, type Contender, type Target } from "./clients.ts";
import { startChild, type ChildHandle } from "./ipc.ts";
import { combineRounds, measureIdleMemory, measureRoundTrip, measureStream, openKeyTunnels, settle, type KeyTunnels, type RoundTripResult, type Rig, type StreamResult } from "./measure.ts";
import { profileText } from "./profile.ts";
import { markdownReport, svgChart, type RunResults } from "./report.ts";
import { fullSizes, quickSizes, repeatsFor, roundTripOrder, streamChunks, type StreamName } from "./workloads.ts";

const { values: options } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    only: { type: "string" },
    help: { type: "boolean", default: false },
  },
});
const workloadNames = ["blobs", "small", "roundtrip", "idle"] as const;
const only = new Set(options.only?.split(",").map((name) => name.trim()) ?? workloadNames);
if (options.help || [...only].some((name) => !(workloadNames as readonly string[]).includes(name))) {
  console.log(`usage: npm run bench [-- --quick] [-- --only=${workloadNames.join(",")}] | npm run bench -- --profile`);
  process.exit(options.help ? 0 : 2);
}

const benchDir = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(benchDir, "results");
const sizes = options.quick ? quickSizes : fullSizes;
const relayContenders = ["pipe", "lite", "labdeck"] as const satisfies readonly Contender[];
type RelayContender = (typeof relayContenders)[number];

/** A throughput run that takes longer than this is not repeated. */
const slowRunSeconds = 10;

const started = Date.now();
function progress(message: string): void {
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------- setup

const workDir = mkdtempSync(join(tmpdir(), "labdeck-bench-"));
const databaseUrl = `file:${join(workDir, "bench.db")}`;
const children: ChildHandle<unknown>[] = [];
let exitCode = 0;

async function startRelay(contender: RelayContender, guacdPort: number): Promise<ChildHandle<{ url: string }>> {
  const script = join(benchDir, "relays", { pipe: "byte-pipe.ts", lite: "guacamole-lite.ts", labdeck: "labdeck.ts" }[contender]);
  const child = await startChild<{ url: string }>(contenderNames[contender], script, {
    env: {
      BENCH_GUACD_PORT: String(guacdPort),
      BENCH_LITE_KEY: liteTokenKey,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: "warn",
    },
  });
  children.push(child);
  return child;
}

async function stopAll(): Promise<void> {
  await Promise.allSettled(children.splice(0).map((child) => child.stop()));
}

process.once("SIGINT", () => {
  progress("interrupted: stopping");
  void stopAll().finally(() => {
    rmSync(workDir, { recursive: true, force: true });
    process.exit(130);
  });
});

async function main(): Promise<void> {
  progress(`${options.quick ? "quick" : "full"} run; Labdeck's database in ${workDir}`);
  const load = loadavg()[0]!;
  if (load > 0.5) progress(`warning: load average ${load.toFixed(2)} on ${cpus().length} cores: other work will skew the figures`);

  const guacd = await startChild<{ port: number }>("synthetic guacd", join(benchDir, "guacd.ts"));
  children.push(guacd);
  const wanted: readonly RelayContender[] = options.profile ? ["pipe", "labdeck"] : relayContenders;
  const relays: Partial<Record<RelayContender, ChildHandle<{ url: string }>>> = {};
  for (const contender of wanted) relays[contender] = await startRelay(contender, guacd.info.port);
  progress(`synthetic guacd on port ${guacd.info.port}; relays: ${wanted.map((c) => `${contenderNames[c]} ${relays[c]!.info.url}`).join(", ")}`);

  const rig: Rig = {
    guacd,
    children: () => children,
    relay: (contender) => (contender === "tcp" ? undefined : relays[contender]),
    async targets(contender, count) {
      if (contender === "tcp") return Array.from({ length: count }, (): Target => ({ contender, guacdPort: guacd.info.port }));
      const url = relays[contender]?.info.url;
      if (!url) throw new Error(`${contenderNames[contender]} is not running`);
      if (contender === "pipe") return Array.from({ length: count }, (): Target => ({ contender, url }));
      if (contender === "lite") return Array.from({ length: count }, (): Target => ({ contender, url, token: liteToken(liteTokenKey) }));
      const tickets = await relays.labdeck!.request<string[]>("tickets", { count });
      return tickets.map((ticket): Target => ({ contender, url, ticket }));
    },
  };

  if (options.profile) await profile(rig);
  else await benchmark(rig);
}

// ---------------------------------------------------------------- the benchmark

async function benchmark(rig: Rig): Promise<void> {
  const chunks = streamChunks();
  const blobRepeats = repeatsFor("blobs", sizes.blobBytes);
  const smallRepeats = repeatsFor("small", sizes.smallInstructions);
  const results: RunResults = {
    meta: {
      date: new Date().toISOString(),
      mode: options.quick ? "quick" : "full",
      node: process.versions.node,
      cpu: cpus()[0]?.model.trim() ?? "unknown CPU",
      cores: cpus().length,
      blobBytes: blobRepeats * chunks.blobs.bytes.length,
      smallInstructions: smallRepeats * chunks.small.instructions,
      smallBytes: smallRepeats * chunks.small.bytes.length,
      repetitions: sizes.repetitions,
      roundTrip: {
        tunnels: sizes.roundTripTunnels,
        seconds: sizes.roundTripSeconds,
        intervalMs: sizes.roundTripIntervalMs,
        rounds: sizes.roundTripRounds,
        referenceEvery: sizes.roundTripReferenceEvery,
      },
      idleTunnels: sizes.idleTunnels,
      load: { start: loadavg()[0]!, end: Number.NaN },
    },
    blobs: {},
    small: {},
    roundTrip: {},
    idle: {},
  };

  const streams = ([["blobs", blobRepeats], ["small", smallRepeats]] as [StreamName, number][]).filter(([stream]) => only.has(stream));
  for (const [stream, repeats] of streams) {
    const bytes = repeats * chunks[stream].bytes.length;
    progress(`${stream}: ${(bytes / 1e6).toFixed(0)} MB per run, warm-up then ${sizes.repetitions} run(s) per contender, round robin`);
    const runs: Partial<Record<Contender, StreamResult[]>> = {};
    const failed = new Map<Contender, string>();
    const measuredOnce = new Set<Contender>();
    const warmupRepeats = Math.max(1, Math.round(repeats * sizes.warmupFraction));
    const warmUp = async (contender: Contender, count: number): Promise<StreamResult | undefined> => {
      try {
        return await measureStream(rig, contender, stream, count);
      } catch (error) {
        failed.set(contender, describeError(error));
        progress(`  ${contenderNames[contender]} warm-up failed: ${describeError(error)}`);
        return undefined;
      }
    };
    // A contender whose run would take over slowRunSeconds (guacamole-lite on small instructions:
    // 20+ s) is warmed up and measured once, before the others are warmed up: when its long run came
    // between their warm-up and their measured runs, the relays sat idle through it and their next
    // runs were slow (Labdeck's first two took 1.6 ms of CPU per MB, the rest 1.0-1.2).
    for (const contender of contenders) {
      const warmup = await warmUp(contender, warmupRepeats);
      if (!warmup || (warmup.seconds * repeats) / warmupRepeats <= slowRunSeconds) continue;
      try {
        const result = await measureStream(rig, contender, stream, repeats);
        runs[contender] = [result];
        measuredOnce.add(contender);
        progress(`  ${contenderNames[contender].padEnd(15)} ${result.megabytesPerSecond.toFixed(1).padStart(7)} MB/s  (${result.seconds.toFixed(2)} s: measured once)`);
      } catch (error) {
        failed.set(contender, describeError(error));
        progress(`  ${contenderNames[contender]} failed: ${describeError(error)}`);
      }
    }
    // Then full-size warm-up runs, unmeasured, round robin: after the short warm-up alone the byte
    // pipe's and Labdeck's first few runs still took up to 2-3x their later CPU per MB.
    for (let warmupRun = 0; warmupRun < sizes.warmupRuns; warmupRun++) {
      for (const contender of contenders) {
        if (!measuredOnce.has(contender) && !failed.has(contender)) await warmUp(contender, repeats);
      }
    }
    for (let rep = 0; rep < sizes.repetitions; rep++) {
      for (const contender of contenders) {
        if (failed.has(contender) || measuredOnce.has(contender)) continue;
        try {
          const result = await measureStream(rig, contender, stream, repeats);
          (runs[contender] ??= []).push(result);
          // A run this long (guacamole-lite on small instructions) is not repeated: its figure is
          // stable at that length, and repeating it would take most of the run's time budget.
          if (result.seconds > slowRunSeconds) measuredOnce.add(contender);
          progress(`  ${contenderNames[contender].padEnd(15)} ${result.megabytesPerSecond.toFixed(1).padStart(7)} MB/s  ${(result.instructionsPerSecond / 1e6).toFixed(2)} M instr/s  (${result.seconds.toFixed(2)} s, ${(result.bytes / result.chunks / 1024).toFixed(1)} KiB per message${result.relayCpuMsPerMegabyte === undefined ? "" : `, relay CPU ${result.relayCpuMsPerMegabyte.toFixed(2)} ms/MB`})`);
        } catch (error) {
          failed.set(contender, describeError(error));
          progress(`  ${contenderNames[contender]} failed: ${describeError(error)}`);
        }
      }
    }
    for (const contender of contenders) {
      results[stream][contender] = failed.has(contender) ? { error: failed.get(contender)! } : runs[contender];
    }
  }

  if (only.has("roundtrip")) {
    progress(
      `key round trip: ${sizes.roundTripTunnels} tunnels, ${sizes.roundTripRounds} round(s) of ${sizes.roundTripSeconds} s for the byte pipe and Labdeck, ` +
        `straight TCP and guacamole-lite in ${Math.ceil(sizes.roundTripRounds / sizes.roundTripReferenceEvery)} of them`,
    );
    const rounds: Partial<Record<Contender, RoundTripResult[]>> = {};
    const failed = new Map<Contender, string>();
    // Each contender's tunnels are opened once and kept across its rounds (see openKeyTunnels).
    const tunnels = new Map<Contender, KeyTunnels>();
    for (const contender of contenders) {
      try {
        tunnels.set(contender, await openKeyTunnels(rig, contender, sizes.roundTripTunnels));
      } catch (error) {
        failed.set(contender, describeError(error));
        progress(`  ${contenderNames[contender]} failed to open its tunnels: ${describeError(error)}`);
      }
    }
    for (let round = 0; round < sizes.roundTripRounds; round++) {
      for (const contender of roundTripOrder(round, sizes)) {
        if (failed.has(contender)) continue;
        try {
          const result = await measureRoundTrip(rig, contender, tunnels.get(contender)!, sizes.roundTripSeconds, sizes.roundTripIntervalMs);
          (rounds[contender] ??= []).push(result);
          progress(`  ${contenderNames[contender].padEnd(15)} p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, max ${result.max.toFixed(1)} ms, ${result.samples} samples, ${result.lost} unanswered${result.relayCpuUsPerKey === undefined ? "" : `, relay CPU ${result.relayCpuUsPerKey.toFixed(1)} µs per key`}`);
        } catch (error) {
          failed.set(contender, describeError(error));
          progress(`  ${contenderNames[contender]} failed: ${describeError(error)}`);
        }
      }
    }
    await Promise.allSettled([...tunnels.values()].map((opened) => opened.close()));
    for (const contender of contenders) {
      const done = rounds[contender];
      results.roundTrip[contender] = failed.has(contender) || !done ? { error: failed.get(contender) ?? "no rounds" } : combineRounds(done);
    }
  }

  // Idle memory last. Measured first (as it used to be), its thousands of connections left every
  // process slower for the rest of the run, the clients' parent included: straight TCP fell from
  // about 2,000 to 1,240 MB/s on small instructions and the byte pipe from 1,150 to 810, while the
  // relays' CPU per MB did not change. A client that slow caps every relay alike and pulled the
  // small-instructions ratio from 0.75x up to 0.93x. The idle figure is a slope over ten steps,
  // which does not depend on what the process did before.
  for (const contender of only.has("idle") ? relayContenders : []) {
    progress(`idle memory: ${contenderNames[contender]}, ${sizes.idleTunnels} tunnels`);
    try {
      const result = await measureIdleMemory(rig, contender, sizes.idleTunnels);
      results.idle[contender] = result;
      progress(
        `  ${(result.rssPerTunnel / 1024).toFixed(1)} KiB RSS, ${(result.heapPerTunnel / 1024).toFixed(1)} KiB heap per tunnel; ` +
          `${result.cpuMsPerOpen.toFixed(2)} ms CPU per open; longest event-loop stall while opening: ${result.worstStallMs.toFixed(0)} ms`,
      );
    } catch (error) {
      results.idle[contender] = { error: describeError(error) };
      progress(`  failed: ${describeError(error)}\n${rig.relay(contender)?.output().slice(-3000) ?? ""}`);
    }
  }

  results.meta.load.end = loadavg()[0]!;
  const report = markdownReport(results);
  // Only a complete full run replaces latest.*: a smoke run or a subset goes to its own files.
  const name = options.quick ? "quick" : only.size < workloadNames.length ? "partial" : "latest";
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${name}.md`), report);
  writeFileSync(join(resultsDir, `${name}.json`), JSON.stringify(results, null, 2) + "\n");
  writeFileSync(join(resultsDir, `${name}.svg`), svgChart(results));
  process.stdout.write(`\n${report}\n`);
  progress(`wrote ${["md", "json", "svg"].map((ext) => relative(process.cwd(), join(resultsDir, `${name}.${ext}`))).join(", ")}`);
  if (report.includes("Failures:")) exitCode = 1;
}

// ---------------------------------------------------------------- --profile

/** The relay's CPU profile during one full-size stream (after a warm-up), one round-trip run and the opening of the round trip's tunnels, for the byte pipe and Labdeck. */
async function profile(rig: Rig): Promise<void> {
  const texts: string[] = [];
  for (const [stream, target] of [["small", sizes.smallInstructions], ["blobs", sizes.blobBytes]] as [StreamName, number][]) {
    const repeats = repeatsFor(stream, target);
    for (const contender of ["pipe", "labdeck"] as const) {
      const relay = rig.relay(contender)!;
      await measureStream(rig, contender, stream, Math.max(1, Math.round(repeats * sizes.warmupFraction)));
      const file = join(resultsDir, `profile-${stream}-${contender}.cpuprofile`);
      mkdirSync(resultsDir, { recursive: true });
      await settle(rig);
      await relay.request("profile-start");
      const result = await measureStream(rig, contender, stream, repeats, { settled: true });
      await relay.request("profile-stop", { path: file });
      progress(`${stream} / ${contenderNames[contender]} under the profiler: ${result.megabytesPerSecond.toFixed(1)} MB/s`);
      texts.push(profileText(`${stream} / ${contenderNames[contender]} relay`, relative(process.cwd(), file)));
    }
  }
  for (const contender of ["pipe", "labdeck"] as const) {
    const relay = rig.relay(contender)!;
    const file = join(resultsDir, `profile-roundtrip-${contender}.cpuprofile`);
    const tunnels = await openKeyTunnels(rig, contender, sizes.roundTripTunnels);
    await settle(rig);
    await relay.request("profile-start");
    const result = await measureRoundTrip(rig, contender, tunnels, sizes.roundTripSeconds, sizes.roundTripIntervalMs, { settled: true });
    await relay.request("profile-stop", { path: file });
    await tunnels.close();
    progress(`round trip / ${contenderNames[contender]} under the profiler: p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms`);
    texts.push(profileText(`round trip / ${contenderNames[contender]} relay`, relative(process.cwd(), file)));
  }
  for (const contender of ["pipe", "labdeck"] as const) {
    const relay = rig.relay(contender)!;
    const file = join(resultsDir, `profile-open-${contender}.cpuprofile`);
    await settle(rig);
    await relay.request("profile-start");
    const started = performance.now();
    const tunnels = await openKeyTunnels(rig, contender, sizes.roundTripTunnels);
    const elapsedMs = performance.now() - started;
    await relay.request("profile-stop", { path: file });
    await tunnels.close();
    progress(`opening ${sizes.roundTripTunnels} tunnels / ${contenderNames[contender]} under the profiler: ${elapsedMs.toFixed(0)} ms`);
    texts.push(profileText(`opening ${sizes.roundTripTunnels} tunnels / ${contenderNames[contender]} relay`, relative(process.cwd(), file), 25));
  }
  process.stdout.write(`\n${texts.join("\n\n")}\n`);
}

try {
  await main();
} catch (error) {
  exitCode = 1;
  process.stderr.write(`benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
} finally {
  await stopAll();
  rmSync(workDir, { recursive: true, force: true });
  progress("done");
}
process.exitCode = exitCode;
// Everything is closed by now; if some handle was missed, say so rather than hang.
setTimeout(() => {
  progress(`warning: still open: ${process.getActiveResourcesInfo().join(", ")}; exiting anyway`);
  process.exit(exitCode);
}, 5_000).unref();
