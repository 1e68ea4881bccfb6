// Runs an async function's calls one at a time, each starting in a turn of the event loop of its own.
// Why: better-sqlite3 answers queries synchronously, so a burst of tunnel openings (a class of 100
// told to open their labs) would do all its database work in one turn of the loop, and every live
// tunnel of the process would stall for all of it (about 1.5 ms of Prisma and SQLite per opening).
// Taking turns costs no throughput there: the work is on this one thread either way.
export function takingTurns<Args extends unknown[], Result>(task: (...args: Args) => Promise<Result>): (...args: Args) => Promise<Result> {
  let previous: Promise<unknown> = Promise.resolve();
  return (...args) => {
    const turn = previous.then(nextTurn).then(() => task(...args));
    previous = turn.catch(() => undefined);
    return turn;
  };
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
