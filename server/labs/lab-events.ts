// In-process lab events. The registry lives on globalThis because Next's bundled route handlers and
// the custom server load separate copies of this module in one process: a teardown through the HTTP
// API must reach the tunnel's listener. Another process (the CLI) is not reached; the tunnel also
// polls the database for that.
import { log } from "../log.ts";

export type LabTornDownEvent = { labId: string };
export type LabTornDownListener = (event: LabTornDownEvent) => void;

const registryKey = Symbol.for("labdeck.labTornDownListeners");
const globals = globalThis as typeof globalThis & { [registryKey]?: Set<LabTornDownListener> };

function listeners(): Set<LabTornDownListener> {
  globals[registryKey] ??= new Set();
  return globals[registryKey];
}

/** Calls `listener` after each teardown commits; returns a function that unsubscribes it. */
export function onLabTornDown(listener: LabTornDownListener): () => void {
  const set = listeners();
  // A wrapper, so the same function subscribed twice is called twice and unsubscribed independently.
  const entry: LabTornDownListener = (event) => listener(event);
  set.add(entry);
  return () => void set.delete(entry);
}

/** Tells every listener; one failing listener neither stops the others nor fails the teardown. */
export function emitLabTornDown(event: LabTornDownEvent): void {
  for (const listener of [...listeners()]) {
    try {
      listener(event);
    } catch (error) {
      log.warn({ err: error, labId: event.labId }, "lab torn-down listener failed");
    }
  }
}
