// A local desktop lab registered for a user, the way a provisioning system would do it: an X desktop
// (Xvnc running xterm) reachable as VNC and as RDP through xrdp, plus sshd for the terminal pane,
// registered with a fresh one-time SSH key and a random desktop password. stop() undoes it all.
import { randomBytes } from "node:crypto";
import { registerStartedLab, type ProvisionedLab } from "./register-started-lab.ts";
import { startDesktopLab, type DesktopLabHandle } from "./start-desktop-lab.ts";
import { startSshLab, type SshLabHandle } from "./start-ssh-lab.ts";

export type ProvisionedDesktopLab = ProvisionedLab;

export type ProvisionDesktopLabOptions = {
  ownerEmail: string;
  templateSlug?: string;
  /** The lab account when running as root (see startSshLab / startDesktopLab). */
  username?: string;
};

export async function provisionDesktopLab(options: ProvisionDesktopLabOptions): Promise<ProvisionedDesktopLab> {
  // VNC passwords stop at 8 characters; xrdp hands the RDP password on to Xvnc, so they are one.
  const password = randomBytes(6).toString("base64url");
  let ssh: SshLabHandle | undefined;
  let desktop: DesktopLabHandle | undefined;
  const stopMachines = async () => {
    await Promise.allSettled([ssh?.stop(), desktop?.stop()]);
  };
  try {
    desktop = await startDesktopLab({ vncPassword: password, rdpPassword: password, rdpUser: options.username });
    ssh = await startSshLab({ username: options.username });
  } catch (error) {
    await stopMachines();
    throw error;
  }
  return registerStartedLab({
    registration: {
      ownerEmail: options.ownerEmail,
      templateSlug: options.templateSlug ?? "linux-desktop",
      host: desktop.host,
      ssh: { port: ssh.port, username: ssh.username, generateKey: true, hostKey: ssh.hostKey },
      rdp: { port: desktop.rdpPort, username: desktop.username, password },
      vnc: { port: desktop.vncPort, password },
    },
    ssh,
    stopMachines,
  });
}
