import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { readContent } from "../content/read-content.ts";
import type { Protocol } from "../db/generated/sqlite/enums.ts";
import { performHandshake, type HandshakeChannel } from "../guacamole/handshake.ts";
import type { Instruction } from "../guacamole/instruction.ts";
import { InstructionParser } from "../guacamole/parser.ts";
import type { LabConnection, LabSecrets } from "../labs/get-lab-connection.ts";
import { parsePaneSettings } from "../labs/template-settings.ts";
import { projectRoot } from "../project-root.ts";
import { guacdParametersFor } from "./guacd-parameters.ts";

// What a real guacd 1.3.0 (Debian's) answers to `select`, version element left out.
const guacd13Args: Record<Protocol, string[]> = {
  ssh: (
    "hostname host-key port username password font-name font-size enable-sftp sftp-root-directory sftp-disable-download " +
    "sftp-disable-upload private-key passphrase color-scheme command typescript-path typescript-name create-typescript-path " +
    "recording-path recording-name recording-exclude-output recording-exclude-mouse recording-include-keys create-recording-path " +
    "read-only server-alive-interval backspace terminal-type scrollback locale timezone disable-copy disable-paste " +
    "wol-send-packet wol-mac-addr wol-broadcast-addr wol-wait-time"
  ).split(" "),
  rdp: (
    "hostname port domain username password width height dpi initial-program color-depth disable-audio enable-printing " +
    "printer-name enable-drive drive-name drive-path create-drive-path disable-download disable-upload console console-audio " +
    "server-layout security ignore-cert disable-auth remote-app remote-app-dir remote-app-args static-channels client-name " +
    "enable-wallpaper enable-theming enable-font-smoothing enable-full-window-drag enable-desktop-composition " +
    "enable-menu-animations disable-bitmap-caching disable-offscreen-caching disable-glyph-caching preconnection-id " +
    "preconnection-blob timezone enable-sftp sftp-hostname sftp-host-key sftp-port sftp-username sftp-password " +
    "sftp-private-key sftp-passphrase sftp-directory sftp-root-directory sftp-server-alive-interval sftp-disable-download " +
    "sftp-disable-upload recording-path recording-name recording-exclude-output recording-exclude-mouse " +
    "recording-include-keys create-recording-path resize-method enable-audio-input read-only gateway-hostname gateway-port " +
    "gateway-domain gateway-username gateway-password load-balance-info disable-copy disable-paste wol-send-packet " +
    "wol-mac-addr wol-broadcast-addr wol-wait-time"
  ).split(" "),
  vnc: (
    "hostname port read-only encodings username password swap-red-blue color-depth cursor autoretry clipboard-encoding " +
    "dest-host dest-port enable-audio audio-servername reverse-connect listen-timeout enable-sftp sftp-hostname " +
    "sftp-host-key sftp-port sftp-username sftp-password sftp-private-key sftp-passphrase sftp-directory " +
    "sftp-root-directory sftp-server-alive-interval sftp-disable-download sftp-disable-upload recording-path recording-name " +
    "recording-exclude-output recording-exclude-mouse recording-include-keys create-recording-path disable-copy " +
    "disable-paste wol-send-packet wol-mac-addr wol-broadcast-addr wol-wait-time"
  ).split(" "),
};

// Distinct from each other and from every other value, so a secret found anywhere is a leak.
const secrets = {
  password: "pw-7Yq2-secret",
  privateKey: "-----BEGIN RSA PRIVATE KEY-----\nMIIEsecret\n-----END RSA PRIVATE KEY-----\n",
  passphrase: "pp-3Kd9-secret",
  hostKey: "[127.0.0.1]:2222 ssh-rsa AAAAB3NzaC1yc2E",
};

/** The pane settings of the shipped linux-desktop template, as the content importer stores them. */
function shippedDesktopSettings(protocol: Protocol): unknown {
  const template = readContent(join(projectRoot, "content")).templates.find((candidate) => candidate.slug === "linux-desktop");
  const pane = template?.panes.find((candidate) => candidate.protocol === protocol);
  assert.ok(pane, `content/lab-templates/linux-desktop.json has a ${protocol} pane`);
  return parsePaneSettings(protocol, JSON.parse(pane.settings));
}

function connection(protocol: Protocol, options: { settings?: unknown; secrets?: LabSecrets } = {}): LabConnection {
  return {
    labId: "lab-1",
    ownerId: "user-1",
    protocol,
    state: "ready",
    host: "10.0.0.7",
    port: protocol === "ssh" ? 22 : protocol === "rdp" ? 3389 : 5901,
    username: protocol === "vnc" ? null : "learner",
    settings: options.settings ?? parsePaneSettings(protocol, {}),
    secrets:
      options.secrets ??
      (protocol === "ssh"
        ? { privateKey: secrets.privateKey, passphrase: secrets.passphrase, hostKey: secrets.hostKey }
        : { password: secrets.password }),
  } as LabConnection;
}

/** The `connect` values a real handshake sends guacd 1.3 for these parameters, by arg name. */
async function connectValues(protocol: Protocol, parameters: Readonly<Record<string, string>>): Promise<Map<string, string>> {
  const sent = new InstructionParser();
  const written: Instruction[] = [];
  const replies: Instruction[] = [
    { opcode: "args", args: ["VERSION_1_3_0", ...guacd13Args[protocol]] },
    { opcode: "ready", args: ["$connection-id"] },
  ];
  const channel: HandshakeChannel = {
    read: async () => replies.shift() ?? assert.fail("the handshake read past ready"),
    write: (data) => void written.push(...sent.push(data)),
  };
  await performHandshake(channel, {
    protocol,
    parameters,
    display: { width: 1024, height: 768, dpi: 96 },
    audio: [],
    video: [],
    image: ["image/png"],
    timezone: "Europe/Paris",
  });
  const connect = written.find((instruction) => instruction.opcode === "connect");
  assert.ok(connect, "a connect instruction was sent");
  const [version, ...values] = connect.args;
  assert.equal(version, "VERSION_1_3_0");
  assert.equal(values.length, guacd13Args[protocol].length, "one value per arg guacd asked for");
  return new Map(guacd13Args[protocol].map((name, index) => [name, values[index] ?? ""]));
}

describe("guacdParametersFor", () => {
  test("ssh: the lab's address, user, key and host key, and the pane's terminal settings; nothing else", () => {
    assert.deepEqual(guacdParametersFor(connection("ssh", { settings: shippedDesktopSettings("ssh") })), {
      hostname: "10.0.0.7",
      port: "22",
      username: "learner",
      "private-key": secrets.privateKey,
      passphrase: secrets.passphrase,
      "host-key": secrets.hostKey,
      "font-name": "monospace",
      "font-size": "14",
      "color-scheme": "gray-black",
      scrollback: "2000",
      "read-only": "",
      "terminal-type": "xterm-256color",
    });
  });

  test("rdp: the shipped desktop template gives security any, ignore-cert, 24-bit colour, display-update, en-us-qwerty, drive and printing off", () => {
    assert.deepEqual(guacdParametersFor(connection("rdp", { settings: shippedDesktopSettings("rdp") })), {
      hostname: "10.0.0.7",
      port: "3389",
      username: "learner",
      password: secrets.password,
      security: "any",
      "ignore-cert": "true",
      "color-depth": "24",
      "resize-method": "display-update",
      "server-layout": "en-us-qwerty",
      "read-only": "",
      "enable-drive": "",
      "enable-printing": "",
      "enable-audio-input": "",
      "disable-copy": "",
      "disable-paste": "",
    });
  });

  test("vnc: the shipped desktop template gives the address, the password, 24-bit colour and its clipboard settings", () => {
    const settings = shippedDesktopSettings("vnc") as { clipboardEncoding: string };
    assert.deepEqual(guacdParametersFor(connection("vnc", { settings })), {
      hostname: "10.0.0.7",
      port: "5901",
      password: secrets.password,
      "color-depth": "24",
      // Passed on as the template says; which one a lab needs is in docs/desktop-labs.md (TigerVNC: ISO8859-1).
      "clipboard-encoding": settings.clipboardEncoding,
      "read-only": "",
      "disable-copy": "",
      "disable-paste": "",
    });
  });

  test("rdp and vnc: every pane setting reaches its arg (non-default values)", () => {
    const rdp = parsePaneSettings("rdp", {
      security: "tls",
      ignoreCert: false,
      colorDepth: 16,
      resizeMethod: "reconnect",
      serverLayout: "de-de-qwertz",
      readOnly: true,
      enableDrive: true,
      enablePrinting: true,
      enableAudioInput: true,
      disableCopy: true,
      disablePaste: true,
    });
    assert.deepEqual(guacdParametersFor(connection("rdp", { settings: rdp })), {
      hostname: "10.0.0.7",
      port: "3389",
      username: "learner",
      password: secrets.password,
      security: "tls",
      "ignore-cert": "",
      "color-depth": "16",
      "resize-method": "reconnect",
      "server-layout": "de-de-qwertz",
      "read-only": "true",
      "enable-drive": "true",
      "enable-printing": "true",
      "enable-audio-input": "true",
      "disable-copy": "true",
      "disable-paste": "true",
    });
    const vnc = parsePaneSettings("vnc", { colorDepth: 8, clipboardEncoding: "ISO8859-1", readOnly: true, disableCopy: true, disablePaste: true });
    assert.deepEqual(guacdParametersFor(connection("vnc", { settings: vnc })), {
      hostname: "10.0.0.7",
      port: "5901",
      password: secrets.password,
      "color-depth": "8",
      "clipboard-encoding": "ISO8859-1",
      "read-only": "true",
      "disable-copy": "true",
      "disable-paste": "true",
    });
  });

  test("a lab without secrets (torn down) sends them empty", () => {
    for (const protocol of ["ssh", "rdp", "vnc"] as const) {
      const parameters = guacdParametersFor(connection(protocol, { secrets: {} }));
      for (const name of ["password", "private-key", "passphrase", "host-key"]) {
        if (name in parameters) assert.equal(parameters[name], "", `${protocol} ${name}`);
      }
    }
  });

  for (const protocol of ["ssh", "rdp", "vnc"] as const) {
    test(`${protocol}: every name is an arg guacd 1.3 asks for, a secret only ever sits in its own arg, and every other arg goes out empty`, async () => {
      const parameters = guacdParametersFor(connection(protocol, { settings: shippedDesktopSettings(protocol) }));
      // A misspelt name would be dropped silently by the handshake: guacd only gets the args it lists.
      for (const name of Object.keys(parameters)) assert.ok(guacd13Args[protocol].includes(name), `guacd 1.3 ${protocol} has no arg "${name}"`);

      const ownArg: Record<keyof typeof secrets, string> = {
        password: "password",
        privateKey: "private-key",
        passphrase: "passphrase",
        hostKey: "host-key",
      };
      const values = await connectValues(protocol, parameters);
      for (const [name, value] of values) {
        for (const [secret, text] of Object.entries(secrets) as [keyof typeof secrets, string][]) {
          if (name !== ownArg[secret]) assert.ok(!value.includes(text), `the ${secret} must not be in ${protocol} arg "${name}"`);
        }
        if (!Object.hasOwn(parameters, name)) assert.equal(value, "", `${protocol} arg "${name}" is not Labdeck's to set and goes out empty`);
        else assert.equal(value, parameters[name], `${protocol} arg "${name}"`);
      }
      // The ones that would reach files, programs or other hosts, spelled out.
      const mustBeEmpty: Record<Protocol, string[]> = {
        ssh: ["password", "command", "enable-sftp", "recording-path", "typescript-path", "wol-send-packet"],
        rdp: ["initial-program", "remote-app", "static-channels", "drive-path", "create-drive-path", "enable-sftp", "sftp-hostname", "recording-path", "gateway-hostname", "preconnection-blob", "load-balance-info", "wol-send-packet", "width", "height", "dpi", "timezone"],
        vnc: ["dest-host", "dest-port", "reverse-connect", "enable-audio", "audio-servername", "enable-sftp", "sftp-hostname", "recording-path", "wol-send-packet", "autoretry"],
      };
      for (const name of mustBeEmpty[protocol]) assert.equal(values.get(name), "", `${protocol} arg "${name}"`);
    });
  }
});
