// Turns a run's results into the markdown table, the verdicts and a hand-written SVG bar chart.
import { contenderNames, contenders, type Contender } from "./clients.ts";
import type { IdleResult, RoundTripResult, StreamResult } from "./measure.ts";
import { judgeInterval, ratioOfMediansInterval, type Interval, type Judgement } from "./stats.ts";

export type Failure = { error: string };
export type Outcome<T> = T | Failure | undefined;

export type RunResults = {
  meta: {
    date: string;
    mode: "full" | "quick";
    node: string;
    cpu: string;
    cores: number;
    blobBytes: number;
    smallInstructions: number;
    smallBytes: number;
    repetitions: number;
    /** `rounds` of the byte pipe and Labdeck; straight TCP and guacamole-lite took every `referenceEvery`-th (absent in older runs: all). */
    roundTrip: { tunnels: number; seconds: number; intervalMs: number; rounds: number; referenceEvery?: number };
    idleTunnels: number;
    /** 1-minute load average when the run started and ended: other work on the machine skews everything. */
    load: { start: number; end: number };
  };
  /** Every measured repetition; the table shows the median by MB/s. */
  blobs: Partial<Record<Contender, Outcome<StreamResult[]>>>;
  small: Partial<Record<Contender, Outcome<StreamResult[]>>>;
  roundTrip: Partial<Record<Contender, Outcome<RoundTripResult>>>;
  idle: Partial<Record<Contender, Outcome<IdleResult>>>;
};

export function isFailure(outcome: unknown): outcome is Failure {
  return typeof outcome === "object" && outcome !== null && "error" in outcome;
}

function ok<T>(outcome: Outcome<T>): T | undefined {
  return outcome === undefined || isFailure(outcome) ? undefined : outcome;
}

export function median(runs: Outcome<StreamResult[]>): StreamResult | undefined {
  const list = ok(runs);
  if (!list || list.length === 0) return undefined;
  const sorted = [...list].sort((a, b) => a.megabytesPerSecond - b.megabytesPerSecond);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Median over the runs of the relay's CPU time per MB (ms). */
export function medianCpu(runs: Outcome<StreamResult[]>): number | undefined {
  const values = (ok(runs) ?? []).map((run) => run.relayCpuMsPerMegabyte).filter((v): v is number => v !== undefined);
  if (values.length === 0) return undefined;
  values.sort((a, b) => a - b);
  return values[Math.floor((values.length - 1) / 2)];
}

/** Byte pipe CPU / Labdeck CPU per MB: the throughput ratio to expect where the relay is the bottleneck. */
function cpuRatio(runs: RunResults["blobs"]): number | undefined {
  const pipe = medianCpu(runs.pipe);
  const labdeck = medianCpu(runs.labdeck);
  return pipe === undefined || labdeck === undefined || labdeck === 0 ? undefined : pipe / labdeck;
}

const kib = 1024;

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "?";
}

function megabytes(value: number): string {
  return value >= 100 ? fixed(value, 0) : value >= 10 ? fixed(value, 1) : fixed(value, 2);
}

function cell<T>(outcome: Outcome<T>, render: (value: T) => string, absent = "-"): string {
  if (outcome === undefined) return absent;
  if (isFailure(outcome)) return "failed";
  return render(outcome);
}

/** The figure each workload is judged by, per contender (higher or lower is better, see `targets`). */
export function keyFigures(results: RunResults): Record<"blobs" | "small" | "roundTrip" | "idle", Partial<Record<Contender, number>>> {
  const pick = <T>(source: Partial<Record<Contender, T>>, value: (outcome: T) => number | undefined) =>
    Object.fromEntries(contenders.map((c) => [c, source[c] === undefined ? undefined : value(source[c] as T)]).filter(([, v]) => v !== undefined)) as Partial<Record<Contender, number>>;
  return {
    blobs: pick(results.blobs, (runs) => median(runs)?.megabytesPerSecond),
    small: pick(results.small, (runs) => median(runs)?.megabytesPerSecond),
    roundTrip: pick(results.roundTrip, (r) => ok(r)?.p99),
    idle: pick(results.idle, (r) => {
      const value = ok(r)?.rssPerTunnel;
      return value === undefined ? undefined : value / kib;
    }),
  };
}

function ratio(figures: Partial<Record<Contender, number>>): number | undefined {
  const labdeck = figures.labdeck;
  const pipe = figures.pipe;
  return labdeck === undefined || pipe === undefined || pipe === 0 ? undefined : labdeck / pipe;
}

const ratioCell = (value: number | undefined, suffix = "") => (value === undefined ? "-" : `${fixed(value, 2)}x${suffix}`);

export function markdownTable(results: RunResults): string {
  const { meta } = results;
  const figures = keyFigures(results);
  const rows: string[][] = [];
  const streamCell = (runs: Outcome<StreamResult[]>, withRate: boolean) =>
    cell(runs, () => {
      const m = median(runs)!;
      const rate = m.instructionsPerSecond >= 1e6 ? `${fixed(m.instructionsPerSecond / 1e6, 2)} M` : `${fixed(m.instructionsPerSecond / 1e3, 0)} k`;
      return withRate ? `${megabytes(m.megabytesPerSecond)} MB/s, ${rate} instr/s` : `${megabytes(m.megabytesPerSecond)} MB/s`;
    });
  rows.push([
    `${fixed(meta.blobBytes / 2 ** 20, 0)} MiB of 8 KiB \`blob\` instructions`,
    ...contenders.map((c) => streamCell(results.blobs[c], false)),
    ratioCell(ratio(figures.blobs)),
  ]);
  rows.push([
    `${fixed(meta.smallInstructions / 1e6, 1)} M small drawing instructions (${fixed(meta.smallBytes / 1e6, 0)} MB)`,
    ...contenders.map((c) => streamCell(results.small[c], true)),
    ratioCell(ratio(figures.small)),
  ]);
  rows.push([
    `key round trip, ${meta.roundTrip.tunnels} tunnels, p50 / p99`,
    ...contenders.map((c) => cell(results.roundTrip[c], (r) => `${fixed(r.p50, 2)} / ${fixed(r.p99, 2)} ms`)),
    ratioCell(ratio(figures.roundTrip), " (p99)"),
  ]);
  rows.push([
    `memory per idle tunnel (${meta.idleTunnels.toLocaleString("en")}), RSS / heap`,
    ...contenders.map((c) => cell(results.idle[c], (r) => `${fixed(r.rssPerTunnel / kib, 1)} / ${fixed(r.heapPerTunnel / kib, 1)} KiB`)),
    ratioCell(ratio(figures.idle), " (RSS)"),
  ]);
  const header = ["workload", ...contenders.map((c) => contenderNames[c]), "Labdeck / byte pipe"];
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
}

/** Relay CPU time per MB streamed, the load-robust companion of the throughput rows. */
export function cpuTable(results: RunResults): string {
  const relays = contenders.filter((c) => c !== "tcp");
  const header = ["relay CPU (lower is better)", ...relays.map((c) => contenderNames[c]), "byte pipe / Labdeck"];
  const row = (label: string, runs: RunResults["blobs"]) => [
    label,
    ...relays.map((c) => cell(runs[c], () => {
      const value = medianCpu(runs[c]);
      return value === undefined ? "-" : `${fixed(value, value >= 10 ? 1 : 2)} ms`;
    })),
    ratioCell(cpuRatio(runs)),
  ];
  const keys = relays.map((c) => cell(results.roundTrip[c], (r) => (r.relayCpuUsPerKey === undefined ? "-" : `${fixed(r.relayCpuUsPerKey, 1)} µs`)));
  const pipeKey = ok(results.roundTrip.pipe)?.relayCpuUsPerKey;
  const labdeckKey = ok(results.roundTrip.labdeck)?.relayCpuUsPerKey;
  const keyRatio = pipeKey === undefined || labdeckKey === undefined || labdeckKey === 0 ? undefined : pipeKey / labdeckKey;
  const opens = relays.map((c) => cell(results.idle[c], (r) => `${fixed(r.cpuMsPerOpen, 2)} ms`));
  const pipeOpen = ok(results.idle.pipe)?.cpuMsPerOpen;
  const labdeckOpen = ok(results.idle.labdeck)?.cpuMsPerOpen;
  const openRatio = pipeOpen === undefined || labdeckOpen === undefined || labdeckOpen === 0 ? undefined : pipeOpen / labdeckOpen;
  const stalls = relays.map((c) => cell(results.idle[c], (r) => `${fixed(r.worstStallMs, 0)} ms`));
  const pipeStall = ok(results.idle.pipe)?.worstStallMs;
  const labdeckStall = ok(results.idle.labdeck)?.worstStallMs;
  const stallRatio = pipeStall === undefined || labdeckStall === undefined || labdeckStall === 0 ? undefined : pipeStall / labdeckStall;
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    `| ${row("per MB of blobs", results.blobs).join(" | ")} |`,
    `| ${row("per MB of small drawing instructions", results.small).join(" | ")} |`,
    `| per key round trip (key and answer) | ${keys.join(" | ")} | ${ratioCell(keyRatio)} |`,
    `| opening one tunnel (CPU per open, idle workload) | ${opens.join(" | ")} | ${ratioCell(openRatio)} |`,
    `| longest event-loop stall while opening a batch of tunnels (idle workload) | ${stalls.join(" | ")} | ${ratioCell(stallRatio)} |`,
  ].join("\n");
}

export type Verdict = { target: string; measured: string; judgement: Judgement | undefined };

/** Level of the intervals the ratio targets are judged by. */
const intervalLevel = 0.9;

/** Labdeck / byte pipe per round-robin turn (stream runs or round-trip rounds), with its interval. */
function pairedInterval(labdeck: readonly number[] | undefined, pipe: readonly number[] | undefined): Interval | undefined {
  if (!labdeck || !pipe || labdeck.length === 0 || pipe.length === 0) return undefined;
  return ratioOfMediansInterval(labdeck, pipe, { level: intervalLevel });
}

const streamFigures = (runs: Outcome<StreamResult[]>) => ok(runs)?.map((run) => run.megabytesPerSecond);
const roundFigures = (result: Outcome<RoundTripResult>) => {
  const r = ok(result);
  return r ? (r.rounds ?? [{ p50: r.p50, p99: r.p99 }]).map((round) => round.p99) : undefined;
};

function intervalCell(interval: Interval): string {
  if (!Number.isFinite(interval.low)) return `${ratioCell(interval.estimate)} (one pair: no interval)`;
  return `${ratioCell(interval.estimate)}, ${Math.round(intervalLevel * 100)}% interval ${fixed(interval.low, 2)}-${fixed(interval.high, 2)}x over ${interval.pairs} pairs`;
}

export function verdicts(results: RunResults): Verdict[] {
  const blobs = pairedInterval(streamFigures(results.blobs.labdeck), streamFigures(results.blobs.pipe));
  const small = pairedInterval(streamFigures(results.small.labdeck), streamFigures(results.small.pipe));
  const roundTrip = pairedInterval(roundFigures(results.roundTrip.labdeck), roundFigures(results.roundTrip.pipe));
  const idle = keyFigures(results).idle.labdeck;
  const judged = (interval: Interval | undefined, bound: number, direction: "at most" | "at least") =>
    interval === undefined ? undefined : judgeInterval(interval, bound, direction);
  return [
    {
      target: "blobs: Labdeck >= 0.9x the byte pipe",
      measured: `${blobs ? intervalCell(blobs) : "-"}; by relay CPU per MB ${ratioCell(cpuRatio(results.blobs))}`,
      judgement: judged(blobs, 0.9, "at least"),
    },
    {
      target: "small instructions: Labdeck >= 0.8x the byte pipe",
      measured: `${small ? intervalCell(small) : "-"}; by relay CPU per MB ${ratioCell(cpuRatio(results.small))}`,
      judgement: judged(small, 0.8, "at least"),
    },
    {
      target: "key round trip: Labdeck's p99 <= 1.2x the byte pipe's",
      measured: roundTrip ? intervalCell(roundTrip) : "-",
      judgement: judged(roundTrip, 1.2, "at most"),
    },
    {
      target: "idle: Labdeck <= 16 KiB RSS per tunnel",
      measured: idle === undefined ? "-" : `${fixed(idle, 1)} KiB`,
      judgement: idle === undefined ? undefined : idle <= 16 ? "pass" : "fail",
    },
  ];
}

const judgementWords: Record<Judgement, string> = { pass: "PASS", fail: "FAIL", inconclusive: "INCONCLUSIVE" };

export function verdictLines(results: RunResults): string {
  return [
    ...verdicts(results).map((v) => `- ${v.judgement === undefined ? "NOT MEASURED" : judgementWords[v.judgement]}: ${v.target} (measured ${v.measured})`),
    `- A ratio target is judged by its whole ${Math.round(intervalLevel * 100)}% interval (paired bootstrap over the round-robin turns, bench/stats.ts): ` +
      "PASS or FAIL when all of it is on one side of the target, INCONCLUSIVE when the machine was too noisy to tell.",
  ].join("\n");
}

export function failureLines(results: RunResults): string[] {
  const lines: string[] = [];
  for (const workload of ["blobs", "small", "roundTrip", "idle"] as const) {
    for (const c of contenders) {
      const outcome = results[workload][c];
      if (isFailure(outcome)) lines.push(`- ${workload} / ${contenderNames[c]}: ${outcome.error.split("\n")[0]}`);
    }
  }
  return lines;
}

/** Notes for stream results with fewer runs than asked (a slow contender is measured once). */
function fewerRunsNotes(results: RunResults): string[] {
  const notes: string[] = [];
  for (const stream of ["blobs", "small"] as const) {
    for (const c of contenders) {
      const runs = ok(results[stream][c]);
      if (runs && runs.length < results.meta.repetitions) {
        const seconds = runs.reduce((sum, run) => sum + run.seconds, 0) / runs.length;
        notes.push(`${contenderNames[c]} on ${stream === "blobs" ? "blobs" : "small instructions"}: ${runs.length} run (${fixed(seconds, 0)} s each)`);
      }
    }
  }
  return notes;
}

/** How the round trip's rounds were shared out, as the report's header says it. */
export function roundTripSchedule({ rounds, seconds, referenceEvery = 1 }: RunResults["meta"]["roundTrip"]): string {
  if (referenceEvery <= 1) return `${rounds} round(s) of ${seconds} s per contender, round robin`;
  const referenceRounds = Math.ceil(rounds / referenceEvery);
  return (
    `rounds of ${seconds} s: ${rounds} for the byte pipe and Labdeck, back to back in alternating order, ` +
    `${referenceRounds} for straight TCP and guacamole-lite (shown, not judged; one round in ${referenceEvery})`
  );
}

export function markdownReport(results: RunResults): string {
  const { meta } = results;
  const failures = failureLines(results);
  const fewer = fewerRunsNotes(results);
  return [
    `# Tunnel benchmark (${meta.mode} run)`,
    "",
    `${meta.date} - Node ${meta.node}, ${meta.cores} x ${meta.cpu}. Same synthetic guacd for every contender; ` +
      `the relays and the synthetic guacd each in their own process, the clients in the parent. ` +
      `Throughput: median of ${meta.repetitions} after a warm-up${fewer.length > 0 ? ` (${fewer.join("; ")})` : ""}, MB = 10^6 bytes. ` +
      `Round trip: ${meta.roundTrip.tunnels} tunnels, one \`key\` each every ${meta.roundTrip.intervalMs} ms, ` +
      `${roundTripSchedule(meta.roundTrip)}; median of the rounds' p50 and p99. ` +
      `Idle memory: slope of the relay's RSS and heap (after GC) over ten steps up to ${meta.idleTunnels.toLocaleString("en")} tunnels. ` +
      `Load average (1 min) at start / end: ${fixed(meta.load.start, 2)} / ${fixed(meta.load.end, 2)}.`,
    "",
    markdownTable(results),
    "",
    verdictLines(results),
    "",
    cpuTable(results),
    ...(failures.length > 0 ? ["", "Failures:", ...failures] : []),
    "",
  ].join("\n");
}

// ---------------------------------------------------------------- SVG

const colours: Record<Contender, string> = { tcp: "#9aa5b1", pipe: "#4c78a8", lite: "#f58518", labdeck: "#54a24b" };

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Four panels, one per workload, a bar per contender scaled to the panel's largest value. */
export function svgChart(results: RunResults): string {
  const figures = keyFigures(results);
  const small = Object.fromEntries(contenders.map((c) => [c, median(results.small[c])?.megabytesPerSecond])) as Partial<Record<Contender, number>>;
  const times = (value: number | undefined, factor: number) => (value === undefined ? undefined : value * factor);
  const panels: {
    title: string;
    unit: string;
    values: Partial<Record<Contender, number>>;
    inner?: Partial<Record<Contender, number>>;
    /** Where Labdeck's target lies, drawn as a dashed line. */
    target?: number;
  }[] = [
    { title: "Blobs: throughput (higher is better)", unit: "MB/s", values: figures.blobs, target: times(figures.blobs.pipe, 0.9) },
    { title: "Small drawing instructions: throughput (higher is better)", unit: "MB/s", values: small, target: times(small.pipe, 0.8) },
    {
      title: "Key round trip: p50 dark, p99 light (lower is better)",
      unit: "ms",
      values: figures.roundTrip,
      inner: Object.fromEntries(contenders.map((c) => [c, ok(results.roundTrip[c])?.p50])) as Partial<Record<Contender, number>>,
      target: times(figures.roundTrip.pipe, 1.2),
    },
    { title: "Memory per idle tunnel: RSS (lower is better)", unit: "KiB", values: figures.idle, target: 16 },
  ];
  const width = 760;
  const labelWidth = 130;
  const barMax = width - labelWidth - 150;
  const barHeight = 18;
  const gap = 6;
  const panelHeight = 34 + contenders.length * (barHeight + gap) + 14;
  const height = 40 + panels.length * panelHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="24" font-size="15" font-weight="bold">${escapeXml(`Labdeck tunnel benchmark (${results.meta.mode} run, ${results.meta.date.slice(0, 10)})`)}</text>`,
  ];
  panels.forEach((panel, p) => {
    const top = 40 + p * panelHeight;
    const max = Math.max(...Object.values(panel.values).filter((v): v is number => v !== undefined && Number.isFinite(v)), panel.target ?? 0, 0);
    parts.push(`<text x="12" y="${top + 18}" font-weight="bold">${escapeXml(panel.title)}</text>`);
    contenders.forEach((c, i) => {
      const y = top + 28 + i * (barHeight + gap);
      const value = panel.values[c];
      parts.push(`<text x="12" y="${y + 13}">${escapeXml(contenderNames[c])}</text>`);
      if (value === undefined || !Number.isFinite(value) || max <= 0) {
        parts.push(`<text x="${labelWidth}" y="${y + 13}" fill="#666">n/a</text>`);
        return;
      }
      const length = Math.max(1, (Math.max(0, value) / max) * barMax);
      parts.push(`<rect x="${labelWidth}" y="${y}" width="${fixed(length, 1)}" height="${barHeight}" fill="${colours[c]}" fill-opacity="${panel.inner ? 0.45 : 1}"/>`);
      const inner = panel.inner?.[c];
      if (inner !== undefined && Number.isFinite(inner)) {
        parts.push(`<rect x="${labelWidth}" y="${y}" width="${fixed(Math.max(1, (inner / max) * barMax), 1)}" height="${barHeight}" fill="${colours[c]}"/>`);
      }
      const number = (v: number) => (panel.unit === "MB/s" ? megabytes(v) : fixed(v, v >= 100 ? 0 : 2));
      const label = inner !== undefined && Number.isFinite(inner) ? `${number(inner)} / ${number(value)}` : number(value);
      parts.push(`<text x="${fixed(labelWidth + length + 6, 1)}" y="${y + 13}">${escapeXml(`${label} ${panel.unit}`)}</text>`);
    });
    if (panel.target !== undefined && Number.isFinite(panel.target) && max > 0) {
      const x = fixed(labelWidth + (panel.target / max) * barMax, 1);
      const bottom = top + 28 + contenders.length * (barHeight + gap);
      parts.push(`<line x1="${x}" y1="${top + 24}" x2="${x}" y2="${bottom}" stroke="#c0392b" stroke-width="1.5" stroke-dasharray="4 3"/>`);
      parts.push(`<text x="${x}" y="${bottom + 11}" fill="#c0392b" font-size="10" text-anchor="middle">Labdeck target</text>`);
    }
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
