// A real guacd on loopback for the demo and the tests.
import { join } from "node:path";
import { findExecutable, MissingProgramError } from "./executables.ts";
import { freePort } from "./free-port.ts";
import { makeServiceDir, removeServiceDir, spawnService, tailOf } from "./service-process.ts";
import { selectProtocol } from "./guacd-probe.ts";
import { acceptsConnections, waitForPort } from "./wait-for-port.ts";

export type GuacdHandle = {
  host: string;
  port: number;
  /** False when ensureGuacd() found a guacd already running: stop() then leaves it alone. */
  started: boolean;
  stop(): Promise<void>;
};

export type StartGuacdOptions = {
  /** A fixed port; by default a free one (retried if another process takes it first). */
  port?: number;
  logLevel?: "error" | "warning" | "info" | "debug" | "trace";
};

const howToInstallGuacd =
  "Install it with scripts/ensure-system-deps.sh (Debian: the guacd and libguac-client-{ssh,rdp,vnc}0 packages; " +
  "Debian 12 takes them from bullseye) or run the container image: " +
  "docker run -p 127.0.0.1:4822:4822 guacamole/guacd:1.6.0. " +
  "Production should run guacd 1.6.0 or later (CVE-2024-35164).";

const bindAttempts = 3;

/** Starts `guacd -f` on 127.0.0.1; resolves once it accepts connections. */
export async function startGuacd(options: StartGuacdOptions = {}): Promise<GuacdHandle> {
  const guacd = findExecutable("guacd");
  if (!guacd) throw new MissingProgramError("guacd", howToInstallGuacd);
  // Otherwise the wait below would take whatever holds the port for the guacd we started.
  if (options.port && (await acceptsConnections("127.0.0.1", options.port))) {
    throw new Error(`guacd did not start: 127.0.0.1:${options.port} is already in use`);
  }
  const dir = makeServiceDir("guacd");
  const logFile = join(dir, "guacd.log");
  let lastFailure = "";
  try {
    for (let attempt = 1; attempt <= (options.port ? 1 : bindAttempts); attempt++) {
      const port = options.port ?? (await freePort());
      // guacd authenticates nobody: it must only ever listen on loopback.
      const service = spawnService(guacd, ["-b", "127.0.0.1", "-l", String(port), "-f", "-L", options.logLevel ?? "info"], {
        logFile,
        cwd: dir,
      });
      try {
        await waitForPort("127.0.0.1", port, {
          timeoutMs: 10_000,
          failed: () => {
            const reason = service.exitReason();
            return reason && `guacd ${reason}`;
          },
        });
      } catch (error) {
        await service.stop();
        lastFailure = `${(error as Error).message}\n${tailOf(logFile)}`;
        continue;
      }
      let stopping: Promise<void> | undefined;
      return {
        host: "127.0.0.1",
        port,
        started: true,
        stop() {
          stopping ??= service.stop().finally(() => removeServiceDir(dir));
          return stopping;
        },
      };
    }
  } catch (error) {
    removeServiceDir(dir);
    throw error;
  }
  removeServiceDir(dir);
  throw new Error(`guacd did not start: ${lastFailure}`);
}

/**
 * The guacd the demo should use: GUACD_HOST as given when set; else whatever already listens on
 * 127.0.0.1:GUACD_PORT (default 4822); else a new one started there.
 */
export async function ensureGuacd(env: Readonly<Record<string, string | undefined>> = process.env): Promise<GuacdHandle> {
  const port = env.GUACD_PORT ? Number(env.GUACD_PORT) : 4822;
  const notOurs = { started: false, stop: async () => {} };
  if (env.GUACD_HOST) return { host: env.GUACD_HOST, port, ...notOurs };
  if (await acceptsConnections("127.0.0.1", port)) {
    const probe = await selectProtocol("127.0.0.1", port, "ssh").catch((error: Error) => {
      throw new Error(`something listens on 127.0.0.1:${port} but it is not a working guacd (${error.message}); set GUACD_PORT to another port`);
    });
    probe.close();
    return { host: "127.0.0.1", port, ...notOurs };
  }
  return startGuacd({ port });
}
