// The values of guacd's connect arguments, built only from server-side data: the lab record and
// its template's settings. A browser never chooses any of them; every arg not named here is sent
// empty, so paths, commands, recording, drives and SFTP stay off.
import type { LabConnection } from "../labs/get-lab-connection.ts";
import type { RdpPaneSettings, SshPaneSettings, VncPaneSettings } from "../labs/template-settings.ts";

export type GuacdParameters = Readonly<Record<string, string>>;

const flag = (value: boolean): string => (value ? "true" : "");

function sshParameters(lab: LabConnection, settings: SshPaneSettings): GuacdParameters {
  return {
    hostname: lab.host,
    port: String(lab.port),
    username: lab.username ?? "",
    "private-key": lab.secrets.privateKey ?? "",
    passphrase: lab.secrets.passphrase ?? "",
    "host-key": lab.secrets.hostKey ?? "",
    "font-name": settings.fontName,
    "font-size": String(settings.fontSize),
    "color-scheme": settings.colorScheme,
    scrollback: String(settings.scrollback),
    "read-only": flag(settings.readOnly),
    // Terminal type guacd announces to the lab; xterm-256color makes colourful prompts work.
    "terminal-type": "xterm-256color",
  };
}

function rdpParameters(lab: LabConnection, settings: RdpPaneSettings): GuacdParameters {
  return {
    hostname: lab.host,
    port: String(lab.port),
    username: lab.username ?? "",
    password: lab.secrets.password ?? "",
    security: settings.security,
    "ignore-cert": flag(settings.ignoreCert),
    "color-depth": String(settings.colorDepth),
    "resize-method": settings.resizeMethod,
    "server-layout": settings.serverLayout,
    "read-only": flag(settings.readOnly),
    "enable-drive": flag(settings.enableDrive),
    "enable-printing": flag(settings.enablePrinting),
    "enable-audio-input": flag(settings.enableAudioInput),
    "disable-copy": flag(settings.disableCopy),
    "disable-paste": flag(settings.disablePaste),
  };
}

function vncParameters(lab: LabConnection, settings: VncPaneSettings): GuacdParameters {
  return {
    hostname: lab.host,
    port: String(lab.port),
    password: lab.secrets.password ?? "",
    "color-depth": String(settings.colorDepth),
    "clipboard-encoding": settings.clipboardEncoding,
    "read-only": flag(settings.readOnly),
    "disable-copy": flag(settings.disableCopy),
    "disable-paste": flag(settings.disablePaste),
  };
}

/** guacd's connect values for one lab endpoint, by arg name. */
export function guacdParametersFor(lab: LabConnection): GuacdParameters {
  switch (lab.protocol) {
    case "ssh":
      return sshParameters(lab, lab.settings as SshPaneSettings);
    case "rdp":
      return rdpParameters(lab, lab.settings as RdpPaneSettings);
    case "vnc":
      return vncParameters(lab, lab.settings as VncPaneSettings);
  }
}
