// `npm run build:wasm`: assembles every .wat listed in wasm-modules.mjs into the .wasm beside it.
import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { assembleWat, wasmSources } from "./wasm-modules.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
for (const source of wasmSources) {
  const binary = await assembleWat(join(root, source));
  const target = join(root, source.replace(/\.wat$/, ".wasm"));
  writeFileSync(target, binary);
  console.log(`${source} -> ${target.slice(root.length + 1)} (${binary.length} bytes)`);
}
