// Waits for something to accept TCP connections on host:port.
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** Resolves true once host:port accepts a TCP connection. */
export function acceptsConnections(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * Polls host:port until it accepts a connection. `failed` is checked between attempts so a service
 * that died while starting stops the wait at once; it returns the reason, or undefined to go on.
 */
export async function waitForPort(
  host: string,
  port: number,
  options: { timeoutMs?: number; failed?: () => string | undefined } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const failure = options.failed?.();
    if (failure) throw new Error(failure);
    if (await acceptsConnections(host, port, 500)) return;
    if (Date.now() > deadline) throw new Error(`nothing accepted connections on ${host}:${port} within ${options.timeoutMs ?? 15_000} ms`);
    await sleep(50);
  }
}

/** Polls host:port until it no longer accepts connections, for at most `timeoutMs`; says whether it closed. */
export async function waitUntilClosed(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!(await acceptsConnections(host, port, 500))) return true;
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}
