// V8 settings for a process that relays tunnels (docs/decisions/008-no-allocation-site-pretenuring.md).
//
// V8 "pretenures" an allocation site (allocates its objects straight in the old generation) once
// nearly all of the objects it made were still alive at a garbage collection. In a relay that has been
// quiet for a while (idle tunnels: a ping every few seconds), the sites that make each message's small
// objects (ws's receiver state, a socket write's request, a parser's current element) look like that:
// the one object each tunnel made last is still referenced when a collection comes. Once pretenured,
// a site is never watched again, so when traffic picks up, every message's garbage goes to the old
// generation and full collections follow every second or so, each marking the whole heap (Next.js and
// Prisma make it tens of MB). In the benchmark that doubled the key round trip's p99 and cost 20% more
// CPU per key. Objects that really live long (tunnels, sockets) reach the old generation anyway after
// two young collections.
import { setFlagsFromString } from "node:v8";

let tuned = false;

/** Applies the settings once per process; later calls do nothing. */
export function tuneV8ForRelaying(): void {
  if (tuned) return;
  tuned = true;
  setFlagsFromString("--no-allocation-site-pretenuring");
}
