// labdeck user add EMAIL [--name N] [--role learner|instructor|admin] [--password-file F]
import { Option, type Command } from "commander";
import { createUser } from "../users/create-user.ts";
import { print, readSecretFile, withOptionNames } from "./io.ts";

type AddOptions = { name?: string; role?: "learner" | "instructor" | "admin"; passwordFile?: string };

export function addUserCommands(program: Command): void {
  const user = program.command("user").description("manage users");

  user
    .command("add")
    .description("create a user; without --password-file the user can only sign in through OIDC")
    .argument("<email>", "the user's email address (stored lowercased)")
    .option("--name <name>", "display name")
    .addOption(new Option("--role <role>", "role").choices(["learner", "instructor", "admin"]).default("learner"))
    .option("--password-file <file>", "read the password from this file (one trailing newline is removed)")
    .action(async (email: string, options: AddOptions) => {
      const password = options.passwordFile === undefined ? undefined : readSecretFile(options.passwordFile, "--password-file");
      const created = await withOptionNames({ email: "EMAIL", name: "--name", role: "--role", password: "--password-file" }, () =>
        createUser({ email, name: options.name, role: options.role, password }),
      );
      print(`Created ${created.role} ${created.email}${password === undefined ? " (no password: OIDC sign-in only)" : ""}`);
      print(created.id);
    });
}
