// A free TCP port on loopback, found by letting the kernel pick one and releasing it. Another process
// can take it before the caller binds it; services that start on it retry on a bind failure.
import { createServer } from "node:net";

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => {
        if (typeof address === "object" && address) resolvePort(address.port);
        else reject(new Error("the kernel gave no port"));
      });
    });
  });
}
