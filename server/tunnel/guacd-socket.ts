// Opening the TCP connection to guacd, failing fast: an unreachable guacd is reported in about a second.
import { connect, type Socket } from "node:net";
import { GuacamoleError } from "../guacamole/status.ts";

export type GuacdAddress = { host: string; port: number };

export const guacdConnectTimeoutMs = 1_000;

export function connectToGuacd(address: GuacdAddress, timeoutMs = guacdConnectTimeoutMs): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address.host, port: address.port, noDelay: true });
    const fail = () => {
      socket.destroy();
      reject(new GuacamoleError("SERVER_ERROR", "The remote desktop gateway (guacd) is unreachable."));
    };
    // When the event loop was blocked, timers run before pending I/O: let a connect that already
    // happened be delivered (setImmediate runs after the poll phase) before calling it a timeout.
    const timer = setTimeout(() => setImmediate(() => socket.connecting && fail()), timeoutMs);
    socket.once("error", () => {
      clearTimeout(timer);
      fail();
    });
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
  });
}
