// A local desktop lab registered for a user, the way a provisioning system would do it: an X desktop
// (Xvnc running xterm) reachable as VNC and as RDP through xrdp, plus sshd for the terminal pane,
// registered with a fresh one-time SSH key and a random desktop password. stop() undoes it all.
import { randomBytes } from "node:crypto";
import { registerLab } from "../labs/register-lab.ts";
import { setLabState } from "../labs/set-lab-state.ts";
import { teardownLab } from "../labs/teardown-lab.ts";
import { startDesktopLab, type DesktopLabHandle } from "./start-desktop-lab.ts";
import { startSshLab, type SshLabHandle } from "./start-ssh-lab.ts";

export type ProvisionedDesktopLab = { labId: string; stop(): Promise<void> };

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
  let labId: string | undefined;
  const stopMachines = async () => {
    await Promise.allSettled([ssh?.stop(), desktop?.stop()]);
  };
  try {
    desktop = await startDesktopLab({ vncPassword: password, rdpPassword: password, rdpUser: options.username });
    ssh = await startSshLab({ username: options.username });
    const registered = await registerLab({
      ownerEmail: options.ownerEmail,
      templateSlug: options.templateSlug ?? "linux-desktop",
      host: desktop.host,
      ssh: { port: ssh.port, username: ssh.username, generateKey: true, hostKey: ssh.hostKey },
      rdp: { port: desktop.rdpPort, username: desktop.username, password },
      vnc: { port: desktop.vncPort, password },
    });
    labId = registered.lab.id;
    if (!registered.sshPublicKey) throw new Error("registerLab returned no public key for a generated key pair");
    ssh.updateAuthorizedKey(registered.sshPublicKey);
    await setLabState({ labId, state: "ready" });
  } catch (error) {
    if (labId) await teardownLab({ labId }).catch(() => {});
    await stopMachines();
    throw error;
  }
  const id = labId;
  let stopping: Promise<void> | undefined;
  return {
    labId: id,
    stop() {
      stopping ??= (async () => {
        try {
          await teardownLab({ labId: id });
        } finally {
          await stopMachines();
        }
      })();
      return stopping;
    },
  };
}
