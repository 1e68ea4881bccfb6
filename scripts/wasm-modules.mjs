// The project's WebAssembly modules: each is written as WebAssembly text (.wat) and committed with the
// binary assembled from it (.wasm), which is what runs. `npm run build:wasm` assembles them again;
// server/guacamole/framer-scan.test.ts checks that the committed binaries are exactly that.
import { readFileSync } from "node:fs";
import initWabt from "wabt";

/** The .wat sources, relative to the checkout; each .wasm sits beside its source. */
export const wasmSources = ["server/guacamole/framer-scan.wat"];

/** The binary `wabt` assembles from a .wat file (no names section, so it depends on the text alone). */
export async function assembleWat(path) {
  const wabt = await initWabt();
  const module = wabt.parseWat(path, readFileSync(path, "utf8"));
  try {
    module.validate();
    return Buffer.from(module.toBinary({ log: false, write_debug_names: false }).buffer);
  } finally {
    module.destroy();
  }
}
