// Child process: the floor for any Node relay. One TCP connection to guacd per WebSocket; each guacd
// chunk goes out as one text message, each message is written to guacd as is. No parsing, no checks,
// the same backpressure as Labdeck's tunnel (stop reading guacd past 1 MiB queued for the browser).
import { createServer } from "node:http";
import { connect } from "node:net";
import { WebSocketServer } from "ws";
import { serveParent } from "../ipc.ts";

const guacdPort = Number(process.env.BENCH_GUACD_PORT);
const highWater = 1024 * 1024;

const server = createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ server, perMessageDeflate: false });

wss.on("connection", (ws) => {
  const guacd = connect({ host: "127.0.0.1", port: guacdPort, noDelay: true });
  guacd.on("data", (chunk: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount < highWater) {
      ws.send(chunk, { binary: false });
      return;
    }
    guacd.pause();
    ws.send(chunk, { binary: false }, () => guacd.resume());
  });
  guacd.on("drain", () => ws.resume());
  guacd.on("error", () => ws.terminate());
  guacd.on("close", () => ws.close());
  ws.on("message", (data: Buffer) => {
    if (!guacd.write(data)) ws.pause();
  });
  ws.on("error", () => guacd.destroy());
  ws.on("close", () => guacd.destroy());
});

await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const address = server.address();
if (!address || typeof address === "string") throw new Error("no port");

serveParent({ url: `ws://127.0.0.1:${address.port}/` }, {}, async () => {
  for (const ws of wss.clients) ws.terminate();
  wss.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
