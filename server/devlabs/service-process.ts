// A local service run as a child process for the demo and the tests: its own process group (so
// stop() reaches whatever it forked), output captured to a log file, a temp dir removed on stop.
// If this process exits or is killed by a signal without stopping them, a hook kills the groups
// and removes the dirs.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type ServiceProcess = {
  readonly pid: number;
  /** Why the process ended, once it has ("exited with code 1", "killed by SIGTERM"); else undefined. */
  exitReason(): string | undefined;
  /** The last lines of its log, for error messages. */
  logTail(): string;
  /** Stops the group: SIGTERM, then SIGKILL after graceMs. Idempotent. */
  stop(graceMs?: number): Promise<void>;
};

export type ServiceOptions = {
  logFile: string;
  cwd?: string;
  /** The whole environment of the process (default: this process's). */
  env?: Readonly<Record<string, string | undefined>>;
  uid?: number;
  gid?: number;
};

const liveGroups = new Set<number>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function cleanUpEverything(): void {
  for (const pid of liveGroups) signalGroup(pid, "SIGKILL");
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", cleanUpEverything);
  // A signal kills the process without "exit". When nobody else handles it (a test file stopped by
  // the runner), clean up and die of it as before; a program with its own handler exits by itself.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      if (process.listenerCount(signal) > 1) return;
      cleanUpEverything();
      process.off(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** A fresh temp dir under the system's, removed by removeServiceDir() or at process exit. */
export function makeServiceDir(prefix: string): string {
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), `labdeck-${prefix}-`));
  liveDirs.add(dir);
  return dir;
}

export function removeServiceDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  liveDirs.delete(dir);
}

/** The last `maxChars` characters of a log file, or "" if it does not exist. */
export function tailOf(file: string, maxChars = 2_000): string {
  if (!existsSync(file)) return "";
  const text = readFileSync(file, "utf8");
  return text.length > maxChars ? `...${text.slice(-maxChars)}` : text;
}

/**
 * PIDs whose parent is `pid`, from /proc. sshd puts each connection in a session of its own, out of
 * the listener's process group, so stopping a lab has to find those by parentage.
 */
export function childrenOf(pid: number): number[] {
  if (!existsSync("/proc")) return [];
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name is in parentheses and may contain spaces; the parent's PID follows the state.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === pid) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

export function spawnService(command: string, args: readonly string[], options: ServiceOptions): ServiceProcess {
  installExitHook();
  const logFd = openSync(options.logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: options.cwd,
      env: (options.env ?? process.env) as NodeJS.ProcessEnv,
      uid: options.uid,
      gid: options.gid,
      detached: true,
      stdio: ["ignore", logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
  let exit: string | undefined;
  let spawnError: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once("error", (error) => {
      spawnError = `could not run ${command}: ${error.message}`;
      exit ??= spawnError;
      resolve();
    });
    child.once("exit", (code, signal) => {
      exit = spawnError ?? (signal ? `killed by ${signal}` : `exited with code ${code}`);
      if (child.pid) liveGroups.delete(child.pid);
      resolve();
    });
  });
  const pid = child.pid ?? -1;
  if (pid > 0) liveGroups.add(pid);
  // A forgotten service must not keep this process alive; the exit hook then stops it.
  child.unref();

  let stopping: Promise<void> | undefined;
  return {
    pid,
    exitReason: () => exit,
    logTail: () => tailOf(options.logFile),
    stop(graceMs = 3_000) {
      stopping ??= (async () => {
        if (pid > 0) {
          signalGroup(pid, "SIGTERM");
          const timer = setTimeout(() => signalGroup(pid, "SIGKILL"), graceMs);
          await exited;
          clearTimeout(timer);
          liveGroups.delete(pid);
        }
      })();
      return stopping;
    },
  };
}
