// labdeck lab register|list|show|ready|stop|teardown
import { Option, type Command } from "commander";
import { getLab } from "../labs/get-lab.ts";
import type { LabView } from "../labs/lab-view.ts";
import { listLabs } from "../labs/list-labs.ts";
import { registerLab, type RegisterLabOptions } from "../labs/register-lab.ts";
import { setLabState } from "../labs/set-lab-state.ts";
import { teardownLab } from "../labs/teardown-lab.ts";
import { print, printTable, readSecretFile, withOptionNames } from "./io.ts";
import { portOption } from "./options.ts";

type RegisterOptions = {
  owner: string;
  host: string;
  template: string;
  sshPort?: number;
  sshUser?: string;
  sshKeyFile?: string;
  sshPassphraseFile?: string;
  sshHostKeyFile?: string;
  generateSshKey?: true;
  rdpPort?: number;
  rdpUser?: string;
  rdpPasswordFile?: string;
  vncPort?: number;
  vncPasswordFile?: string;
  expiresAt?: string;
  ready?: true;
};

const registerOptionOf = {
  ownerEmail: "--owner",
  host: "--host",
  templateSlug: "--template",
  "ssh.port": "--ssh-port",
  "ssh.username": "--ssh-user",
  "ssh.privateKey": "--ssh-key-file",
  "ssh.generateKey": "--generate-ssh-key",
  "ssh.passphrase": "--ssh-passphrase-file",
  "ssh.hostKey": "--ssh-host-key-file",
  "rdp.port": "--rdp-port",
  "rdp.username": "--rdp-user",
  "rdp.password": "--rdp-password-file",
  "vnc.port": "--vnc-port",
  "vnc.password": "--vnc-password-file",
  protocols: "--ssh-*/--rdp-*/--vnc-*",
  expiresAt: "--expires-at",
};

// A protocol is registered when any of its options is given; its port then defaults to the usual one.
function registerInput(options: RegisterOptions): RegisterLabOptions {
  const wantsSsh = [options.sshPort, options.sshUser, options.sshKeyFile, options.generateSshKey, options.sshPassphraseFile, options.sshHostKeyFile].some(
    (v) => v !== undefined,
  );
  const wantsRdp = [options.rdpPort, options.rdpUser, options.rdpPasswordFile].some((v) => v !== undefined);
  const wantsVnc = [options.vncPort, options.vncPasswordFile].some((v) => v !== undefined);
  const file = (path: string | undefined, flag: string) => (path === undefined ? undefined : readSecretFile(path, flag));
  return {
    ownerEmail: options.owner,
    host: options.host,
    templateSlug: options.template,
    ...(wantsSsh && {
      ssh: {
        port: options.sshPort ?? 22,
        username: options.sshUser as string,
        privateKey: file(options.sshKeyFile, "--ssh-key-file"),
        generateKey: options.generateSshKey,
        passphrase: file(options.sshPassphraseFile, "--ssh-passphrase-file"),
        hostKey: file(options.sshHostKeyFile, "--ssh-host-key-file"),
      },
    }),
    ...(wantsRdp && {
      rdp: { port: options.rdpPort ?? 3389, username: options.rdpUser as string, password: file(options.rdpPasswordFile, "--rdp-password-file") as string },
    }),
    ...(wantsVnc && { vnc: { port: options.vncPort ?? 5900, password: file(options.vncPasswordFile, "--vnc-password-file") as string } }),
    expiresAt: options.expiresAt,
    state: options.ready ? "ready" : "provisioning",
  };
}

const date = (value: Date | null) => (value ? value.toISOString() : "-");
const protocols = (lab: LabView) => lab.endpoints.map((endpoint) => `${endpoint.protocol}:${endpoint.port}`).join(",");

function printLab(lab: LabView): void {
  const rows: [string, string][] = [
    ["id", lab.id],
    ["owner", lab.ownerEmail],
    ["template", lab.templateSlug],
    ["state", lab.state],
    ["host", lab.host],
    ...lab.endpoints.map((endpoint): [string, string] => [
      endpoint.protocol,
      `port ${endpoint.port}${endpoint.username ? `, user ${endpoint.username}` : ""}, ${lab.hasCredentials[endpoint.protocol] ? "credentials stored" : "no credentials"}`,
    ]),
    ["created", date(lab.createdAt)],
    ["expires", date(lab.expiresAt)],
    ["torn down", date(lab.tornDownAt)],
  ];
  for (const [key, value] of rows) print(`${`${key}:`.padEnd(11)}${value}`);
}

export function addLabCommands(program: Command): void {
  const lab = program.command("lab").description("register and manage labs");

  lab
    .command("register")
    .description("register a lab the provisioning system started; prints the new lab's id as the last line")
    .requiredOption("--owner <email>", "email of the user the lab belongs to")
    .requiredOption("--host <host>", "the lab's hostname or IP address, as guacd reaches it")
    .option("--template <slug>", "lab template", "linux-shell")
    .option("--ssh-port <port>", "SSH port (default 22 when any --ssh option is given)", portOption)
    .option("--ssh-user <user>", "SSH username")
    .option("--ssh-key-file <file>", "PEM private key for SSH")
    .option("--ssh-passphrase-file <file>", "passphrase of an encrypted --ssh-key-file")
    .option("--ssh-host-key-file <file>", "the lab's SSH host key (a known_hosts line), so guacd verifies the lab")
    .option("--generate-ssh-key", "generate an RSA 3072 key pair; the public key is printed for the lab")
    .option("--rdp-port <port>", "RDP port (default 3389 when any --rdp option is given)", portOption)
    .option("--rdp-user <user>", "RDP username")
    .option("--rdp-password-file <file>", "RDP password, read from this file")
    .option("--vnc-port <port>", "VNC port (default 5900 when any --vnc option is given)", portOption)
    .option("--vnc-password-file <file>", "VNC password, read from this file")
    .option("--expires-at <date-time>", "when the lab expires (ISO 8601 with a time zone)")
    .option("--ready", "the lab is reachable now: register it as ready")
    .action(async (options: RegisterOptions) => {
      const { lab: registered, sshPublicKey } = await withOptionNames(registerOptionOf, async () => registerLab(registerInput(options)));
      print(`Registered lab for ${registered.ownerEmail} (template ${registered.templateSlug}, ${registered.state}, ${protocols(registered)})`);
      if (sshPublicKey) print(`ssh-public-key: ${sshPublicKey}`);
      print(registered.id);
    });

  lab
    .command("list")
    .description("list labs, newest first")
    .option("--owner <email>", "only this user's labs")
    .addOption(new Option("--state <state>", "only labs in this state").choices(["provisioning", "ready", "stopped", "torn_down"]))
    .option("--json", "print JSON")
    .action(async (options: { owner?: string; state?: "provisioning" | "ready" | "stopped" | "torn_down"; json?: true }) => {
      const labs = await withOptionNames({ ownerEmail: "--owner", state: "--state" }, () => listLabs({ ownerEmail: options.owner, state: options.state }));
      if (options.json) return print(JSON.stringify(labs, null, 2));
      if (labs.length === 0) return print("No labs.");
      printTable(
        ["ID", "OWNER", "TEMPLATE", "STATE", "HOST", "PROTOCOLS"],
        labs.map((l) => [l.id, l.ownerEmail, l.templateSlug, l.state, l.host, protocols(l)]),
      );
    });

  lab
    .command("show")
    .description("show one lab (never its secrets)")
    .argument("<lab-id>", "the lab's id")
    .option("--json", "print JSON")
    .action(async (labId: string, options: { json?: true }) => {
      const found = await getLab({ labId });
      if (options.json) print(JSON.stringify(found, null, 2));
      else printLab(found);
    });

  lab
    .command("ready")
    .description("mark a lab ready: learners can connect")
    .argument("<lab-id>", "the lab's id")
    .action(async (labId: string) => {
      await setLabState({ labId, state: "ready" });
      print(`Lab ${labId} is ready.`);
    });

  lab
    .command("stop")
    .description("mark a lab stopped: learners cannot connect until it is ready again")
    .argument("<lab-id>", "the lab's id")
    .action(async (labId: string) => {
      await setLabState({ labId, state: "stopped" });
      print(`Lab ${labId} is stopped.`);
    });

  lab
    .command("teardown")
    .description("tear a lab down: its credentials and unused tickets are deleted (repeating it is harmless)")
    .argument("<lab-id>", "the lab's id")
    .action(async (labId: string) => {
      await teardownLab({ labId });
      print(`Lab ${labId} is torn down.`);
    });
}
