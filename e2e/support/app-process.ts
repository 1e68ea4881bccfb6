// The app as production runs it (server/main.ts over the `next build` output), in a child process
// with its own environment, so the browser tests exercise the real entry point.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../../server/devlabs/free-port.ts";
import { spawnService } from "../../server/devlabs/service-process.ts";
import { projectRoot } from "../../server/project-root.ts";

export type AppProcess = { url: string; logTail(): string; stop(): Promise<void> };

async function waitForHttp(url: string, failed: () => string | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const failure = failed();
    if (failure) throw new Error(failure);
    try {
      const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5_000) });
      if (response.status < 500) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Starts `server/main.ts` on 127.0.0.1 and a free port; `env` is added to this process's environment. */
export async function startAppProcess(options: { env: Record<string, string>; logFile: string }): Promise<AppProcess> {
  if (!existsSync(join(projectRoot, ".next", "BUILD_ID"))) {
    throw new Error("The browser tests run against the production build: run `npm run build` first (npm test does).");
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = spawnService(process.execPath, ["--import", "tsx", join(projectRoot, "server", "main.ts")], {
    logFile: options.logFile,
    cwd: projectRoot,
    env: {
      ...process.env,
      ...options.env,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      AUTH_URL: url,
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  });
  try {
    await waitForHttp(
      `${url}/sign-in`,
      () => {
        const reason = service.exitReason();
        return reason && `the app ${reason}:\n${service.logTail()}`;
      },
      60_000,
    );
  } catch (error) {
    await service.stop();
    throw error;
  }
  return { url, logTail: () => service.logTail(), stop: () => service.stop(10_000) };
}
