// Work that runs one piece at a time, each piece starting in a turn of the event loop of its own.
// Why: better-sqlite3 answers queries synchronously, so a burst of tunnel openings or closings (a class
// of 100 told to open their labs) would do all its database work in one turn of the loop, and every
// live tunnel of the process would stall for all of it (about 1.5 ms of Prisma and SQLite per opening).
// Taking turns costs no throughput there: the work is on this one thread either way.
import { setImmediate as nextTurn } from "node:timers/promises";

export type Turns = <Result>(work: () => Promise<Result>) => Promise<Result>;

export function takingTurns(): Turns {
  let previous: Promise<unknown> = Promise.resolve();
  return (work) => {
    const turn = previous.then(() => nextTurn()).then(work);
    previous = turn.catch(() => undefined);
    return turn;
  };
}
