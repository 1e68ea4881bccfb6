// A local SSH lab registered for a user, the way a provisioning system would do it: start the
// machine (here sshd on loopback), register it with its port and host key and a fresh one-time key
// pair that only Labdeck holds, install the public half, mark it ready. stop() undoes it all.
import { registerStartedLab, type ProvisionedLab } from "./register-started-lab.ts";
import { startSshLab, type SshLabHandle } from "./start-ssh-lab.ts";

export type ProvisionedSshLab = ProvisionedLab & { ssh: SshLabHandle };

export type ProvisionSshLabOptions = {
  ownerEmail: string;
  templateSlug?: string;
  /** The lab account when running as root (see startSshLab). */
  username?: string;
};

export async function provisionSshLab(options: ProvisionSshLabOptions): Promise<ProvisionedSshLab> {
  const ssh = await startSshLab({ username: options.username });
  const lab = await registerStartedLab({
    registration: {
      ownerEmail: options.ownerEmail,
      templateSlug: options.templateSlug ?? "linux-shell",
      host: ssh.host,
      ssh: { port: ssh.port, username: ssh.username, generateKey: true, hostKey: ssh.hostKey },
    },
    ssh,
    stopMachines: () => ssh.stop(),
  });
  return { ...lab, ssh };
}
