// The `labdeck` command: a thin shell over the domain functions, for operators and the demo.
// bin/labdeck.mjs loads data/.env and TypeScript support, then runs this.
import { Command } from "commander";
import { closeDb } from "../db/index.ts";
import { openDatabase } from "../db/open.ts";
import { reportError } from "./io.ts";
import { addLabCommands } from "./lab-commands.ts";
import { addTicketCommand } from "./ticket-command.ts";
import { addUserCommands } from "./user-commands.ts";

function buildProgram(): Command {
  const program = new Command("labdeck")
    .description("Labdeck's command line: users, labs and connection tickets. Uses DATABASE_URL and LABDECK_ENCRYPTION_KEY like the server.")
    .showHelpAfterError("(add --help for usage)")
    // Help and usage errors never open the database; every action does (and migrates it if needed).
    .hook("preAction", async () => {
      await openDatabase();
    });
  addUserCommands(program);
  addLabCommands(program);
  addTicketCommand(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    return reportError(error);
  } finally {
    await closeDb();
  }
}

process.exitCode = await main(process.argv);
