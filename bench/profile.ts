// Reads a V8 .cpuprofile (from the relay child's sampling profiler) and ranks where the time went:
// by function (self time) and by source file.
import { readFileSync } from "node:fs";
import { relative } from "node:path";

type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type CpuProfile = { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] };

export type ProfileRow = { name: string; where: string; selfMs: number; share: number };

function shortUrl(url: string): string {
  if (!url) return "(native)";
  const path = url.startsWith("file://") ? new URL(url).pathname : url;
  const nodeModules = path.lastIndexOf("node_modules/");
  if (nodeModules !== -1) return path.slice(nodeModules + "node_modules/".length);
  return path.startsWith("/") ? relative(process.cwd(), path) : path;
}

export function summarizeProfile(file: string, top = 15): { totalMs: number; idleMs: number; functions: ProfileRow[]; files: ProfileRow[] } {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  let totalUs = 0;
  let idleUs = 0;
  const functions = new Map<string, ProfileRow>();
  const files = new Map<string, ProfileRow>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    totalUs += us;
    if (frame.functionName === "(idle)") {
      idleUs += us;
      continue;
    }
    // tsx compiles TypeScript on the fly, so positions in .ts files are not the source's: name the file only.
    const where = !frame.url ? "(native)" : /\.[cm]?ts$/.test(frame.url) ? shortUrl(frame.url) : `${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    const name = frame.functionName || "(anonymous)";
    const key = `${name} ${where}`;
    const row = functions.get(key) ?? { name, where, selfMs: 0, share: 0 };
    row.selfMs += us / 1000;
    functions.set(key, row);
    const file = frame.url ? shortUrl(frame.url) : name.startsWith("(") ? name : "(native)";
    const fileRow = files.get(file) ?? { name: file, where: "", selfMs: 0, share: 0 };
    fileRow.selfMs += us / 1000;
    files.set(file, fileRow);
  }
  const busyMs = (totalUs - idleUs) / 1000;
  const rank = (rows: Iterable<ProfileRow>) =>
    [...rows]
      .map((row) => ({ ...row, share: busyMs > 0 ? row.selfMs / busyMs : 0 }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top);
  return { totalMs: totalUs / 1000, idleMs: idleUs / 1000, functions: rank(functions.values()), files: rank(files.values()) };
}

export function profileText(title: string, file: string, top = 15): string {
  const summary = summarizeProfile(file, top);
  const percent = (share: number) => `${(share * 100).toFixed(1).padStart(5)}%`;
  return [
    `${title}: ${(summary.totalMs - summary.idleMs).toFixed(0)} ms busy of ${summary.totalMs.toFixed(0)} ms profiled (${file})`,
    "  top functions by self time (share of busy time):",
    ...summary.functions.map((row) => `    ${percent(row.share)} ${row.selfMs.toFixed(0).padStart(6)} ms  ${row.name}  ${row.where}`),
    "  by file:",
    ...summary.files.slice(0, 8).map((row) => `    ${percent(row.share)} ${row.selfMs.toFixed(0).padStart(6)} ms  ${row.name}`),
  ].join("\n");
}
