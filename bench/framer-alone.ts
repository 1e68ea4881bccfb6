// The framer alone, in this process: ms per MB of the small drawing instructions stream, read in
// chunks of the socket read buffer's size, framed in place in it, as the relay does. No relay, sockets or
// peers: for trying changes to framer-scan.wat quickly. (Decision 009's figures were taken with 64 KiB
// reads; the read buffer is 256 KiB since decision 007's "Later" section.)
//
//   npx tsx bench/framer-alone.ts
import { InstructionFramer } from "../server/guacamole/framer.ts";
import { scanReadBuffer, skimmedBytes } from "../server/guacamole/framer-scan.ts";
import { streamChunks } from "./workloads.ts";

const readSize = scanReadBuffer.length;
const stream = Buffer.concat(Array.from({ length: 40 }, () => streamChunks().small.bytes));
const passesPerRun = 5;
const runs = 15;

/** One run: the whole stream `passesPerRun` times through a fresh framer; returns ms per MB. */
function run(): number {
  const framer = new InstructionFramer({ watch: ["error"] });
  let lastEnds = 0;
  const started = process.hrtime.bigint();
  for (let pass = 0; pass < passesPerRun; pass++) {
    for (let at = 0; at < stream.length; at += readSize) {
      const length = Math.min(readSize, stream.length - at);
      stream.copy(scanReadBuffer, 0, at, at + length);
      lastEnds += framer.push(scanReadBuffer.subarray(0, length)).end;
    }
  }
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (lastEnds <= 0) throw new Error("the framer completed no instruction");
  return elapsedMs / ((stream.length * passesPerRun) / 1e6);
}

const skimmedBefore = skimmedBytes();
const results = Array.from({ length: runs }, run).sort((a, b) => a - b);
const skimmedShare = (skimmedBytes() - skimmedBefore) / (stream.length * passesPerRun * runs);
const median = results[Math.floor(runs / 2)]!;
console.log(`framer on ${(stream.length / 1e6).toFixed(1)} MB of small drawing instructions, ${runs} runs of ${passesPerRun} passes:`);
console.log(`  median ${median.toFixed(3)} ms/MB, best ${results[0]!.toFixed(3)} ms/MB (includes copying each read into the read buffer)`);
console.log(`  ${(skimmedShare * 100).toFixed(1)}% of the bytes skimmed (two chains at once, decision 012)`);
