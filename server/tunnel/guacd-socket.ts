// Opening the TCP connection to guacd, failing fast: an unreachable guacd is reported in about a second.
//
// Every guacd socket of the process reads into one shared buffer (Node's `onread`): a read's bytes are
// handed to `onRead` and are valid only until it returns, so the tunnel copies what must outlive it
// (browser-stream.ts). No buffer is allocated per read, and an idle tunnel holds no read buffer.
// Sharing is safe because Node delivers each read to its callback before the next read begins. The
// buffer is the framer's own (framer-scan.ts), so reads are framed where they land.
import { connect, type Socket } from "node:net";
import { scanReadBuffer } from "../guacamole/framer-scan.ts";
import { GuacamoleError } from "../guacamole/status.ts";

export type GuacdAddress = { host: string; port: number };

export const guacdConnectTimeoutMs = 1_000;


/**
 * Connects to guacd. `onRead` gets each read's bytes, a view of the shared read buffer that is reused
 * as soon as it returns; if it throws, the socket is destroyed with that error.
 */
export function connectToGuacd(address: GuacdAddress, onRead: (bytes: Buffer) => void, timeoutMs = guacdConnectTimeoutMs): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: address.host,
      port: address.port,
      noDelay: true,
      onread: {
        buffer: scanReadBuffer,
        callback(length: number) {
          try {
            onRead(scanReadBuffer.subarray(0, length));
          } catch (error) {
            socket.destroy(error instanceof Error ? error : new Error(String(error)));
          }
          return true;
        },
      },
    });
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
