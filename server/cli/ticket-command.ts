// labdeck ticket LAB_ID --user EMAIL [--protocol ssh|rdp|vnc] [--count N]: one ticket per line, nothing else.
import { Option, type Command } from "commander";
import type { Protocol } from "../db/generated/sqlite/enums.ts";
import { AppError } from "../errors.ts";
import { mintTickets } from "../tickets/mint-tickets.ts";
import { findUserByEmail } from "../users/find-user-by-email.ts";
import { print, withOptionNames } from "./io.ts";
import { integerOption } from "./options.ts";

export function addTicketCommand(program: Command): void {
  program
    .command("ticket")
    .description("mint one-time connection tickets (valid 60 s) for a lab's owner; prints one per line")
    .argument("<lab-id>", "the lab's id")
    .requiredOption("--user <email>", "the lab's owner")
    .addOption(new Option("--protocol <protocol>", "which endpoint").choices(["ssh", "rdp", "vnc"]).default("ssh"))
    .option("--count <n>", "how many tickets (1-100)", integerOption(1, 100), 1)
    .action(async (labId: string, options: { user: string; protocol: Protocol; count: number }) => {
      const user = await withOptionNames({ email: "--user" }, () => findUserByEmail({ email: options.user }));
      if (!user) throw new AppError("not_found", `No user with email ${options.user}.`);
      const tokens = await withOptionNames({ protocol: "--protocol", count: "--count" }, () =>
        mintTickets({ userId: user.id, labId, protocol: options.protocol, count: options.count }),
      );
      for (const token of tokens) print(token);
    });
}
