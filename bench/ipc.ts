// Parent <-> child plumbing: each relay and the synthetic guacd run in a child process started with
// `node --expose-gc --import tsx`, so the relay's memory and CPU are its own and the clients' are not.
// The child announces itself with { ready, ...info } and answers numbered requests.
import { fork, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

type Request = { id: number; cmd: string; [key: string]: unknown };
type Reply = { id: number; result?: unknown; error?: string };

export type Memory = { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };

// ---------------------------------------------------------------- parent side

export type ChildHandle<Info> = {
  readonly name: string;
  readonly info: Info;
  request<T = unknown>(cmd: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** The child's recent output, for error reports. */
  output(): string;
  /** Asks the child to close everything and exit; kills it (by its pid) if it doesn't within 10 s. */
  stop(): Promise<void>;
};

const outputLimit = 8_000;

export async function startChild<Info>(
  name: string,
  script: string,
  options: { env?: Record<string, string>; startTimeoutMs?: number } = {},
): Promise<ChildHandle<Info>> {
  const child: ChildProcess = fork(script, [], {
    execArgv: ["--expose-gc", "--import", "tsx"],
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let output = "";
  const keep = (data: Buffer) => {
    output = (output + data.toString("utf8")).slice(-outputLimit);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);

  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exited = true;
      for (const { reject } of pending.values()) reject(new Error(`${name} exited (${signal ?? code})\n${output}`));
      pending.clear();
      resolve();
    }),
  );

  const info = await new Promise<Info>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start\n${output}`)), options.startTimeoutMs ?? 60_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} while starting\n${output}`));
    });
    child.on("message", (message: Reply | ({ ready: true } & Info)) => {
      if ("ready" in message) {
        clearTimeout(timer);
        resolve(message);
        return;
      }
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (message.error !== undefined) waiter.reject(new Error(`${name}: ${message.error}`));
      else waiter.resolve(message.result);
    });
  });

  return {
    name,
    info,
    output: () => output,
    request<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 60_000) {
      if (exited) return Promise.reject(new Error(`${name} is not running\n${output}`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}: "${cmd}" timed out`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value as T);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        child.send({ id, cmd, ...args } satisfies Request);
      });
    },
    async stop() {
      if (exited) return;
      child.send({ id: 0, cmd: "stop" } satisfies Request);
      const killed = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exitedPromise;
      clearTimeout(killed);
    },
  };
}

// ---------------------------------------------------------------- child side

export type Handlers = Record<string, (request: Record<string, unknown>) => unknown>;

declare const gc: (() => void) | undefined;

/** process.memoryUsage() after full collections (the child runs with --expose-gc). */
export async function settledMemory(): Promise<Memory> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await sleep(50);
  }
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, heapTotal, external, arrayBuffers };
}

/**
 * Serves the parent: `memory`, `profile-start` / `profile-stop` (V8's sampling profiler through the
 * inspector, written as a .cpuprofile) and `stop` built in, plus the child's own handlers.
 * The child exits when told to stop or when the parent goes away.
 */
export function serveParent(info: Record<string, unknown>, handlers: Handlers, close: () => Promise<void>): void {
  if (!process.send) throw new Error("run this file through bench/run.ts, not directly");
  let profiler: Session | undefined;
  let stopping = false;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await close();
    } finally {
      process.exit(0);
    }
  };
  const builtIn: Handlers = {
    memory: () => settledMemory(),
    /** CPU time used by this process so far (user + system, ms). */
    cpu: () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    },
    /** The event loop's worst stall (ms) since the last call: a busy or blocked child shows here. */
    "event-loop": () => {
      const worst = { maxMs: loopDelay.max / 1e6, p99Ms: loopDelay.percentile(99) / 1e6 };
      loopDelay.reset();
      return worst;
    },
    "profile-start": async () => {
      profiler = new Session();
      profiler.connect();
      await profiler.post("Profiler.enable");
      await profiler.post("Profiler.setSamplingInterval", { interval: 100 });
      await profiler.post("Profiler.start");
      return true;
    },
    "profile-stop": async (request) => {
      if (!profiler) throw new Error("profiler not started");
      const { profile } = await profiler.post("Profiler.stop");
      profiler.disconnect();
      profiler = undefined;
      writeFileSync(String(request.path), JSON.stringify(profile));
      return request.path;
    },
  };
  process.on("message", (message: Request) => {
    if (message.cmd === "stop") {
      void stop();
      return;
    }
    const handler = handlers[message.cmd] ?? builtIn[message.cmd];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${message.cmd}`);
        return handler(message);
      })
      .then(
        (result) => process.send!({ id: message.id, result: result ?? null } satisfies Reply),
        (error: unknown) => process.send!({ id: message.id, error: error instanceof Error ? error.stack ?? error.message : String(error) } satisfies Reply),
      );
  });
  process.on("disconnect", () => void stop());
  process.send({ ready: true, ...info });
}
