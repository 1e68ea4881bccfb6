// Prisma's schema engine (migrations) as WebAssembly, so no native engine download is needed.
// The package's ESM entry imports a .wasm file, which Node 20 only allows behind a flag; we
// instantiate the same module by hand instead.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { SchemaEngine } from "@prisma/schema-engine-wasm";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

type WasmGlue = typeof import("@prisma/schema-engine-wasm") & {
  __wbg_set_wasm(exports: WebAssembly.Exports): void;
};

let engineClass: Promise<typeof SchemaEngine> | undefined;

async function loadEngineClass(): Promise<typeof SchemaEngine> {
  const require = createRequire(import.meta.url);
  const gluePath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const glue = (await import("@prisma/schema-engine-wasm/schema_engine_bg")) as unknown as WasmGlue;
  const wasmBytes = readFileSync(gluePath.replace(/\.js$/, ".wasm"));
  const { instance } = await WebAssembly.instantiate(wasmBytes, { "./schema_engine_bg.js": glue as never });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return glue.SchemaEngine;
}

export type EngineLog = (message: string) => void;

export type OpenedSchemaEngine = { engine: SchemaEngine; close(): Promise<void> };

/**
 * Opens a schema engine over a driver adapter, with `schemaText` as its datamodel. close() frees the
 * engine and the connections it opened: freeing alone leaves them open (and a SQLite file locked).
 */
export async function openSchemaEngine(
  schemaText: string,
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  log: EngineLog = () => {},
): Promise<OpenedSchemaEngine> {
  engineClass ??= loadEngineClass();
  const Engine = await engineClass;
  const connections: SqlDriverAdapter[] = [];
  const tracked: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapterFactory.provider,
    adapterName: adapterFactory.adapterName,
    connect: async () => remember(await adapterFactory.connect()),
    connectToShadowDb: async () => remember(await adapterFactory.connectToShadowDb()),
  };
  function remember(connection: SqlDriverAdapter): SqlDriverAdapter {
    connections.push(connection);
    return connection;
  }
  const engine = await Engine.new(
    { datamodels: [["schema.prisma", schemaText]] },
    (message: string) => log(message),
    bindMigrationAwareSqlAdapterFactory(tracked),
  );
  return {
    engine,
    async close() {
      engine.free();
      await Promise.allSettled(connections.map((connection) => connection.dispose()));
    },
  };
}
