// A local SSH lab registered for a user, the way a provisioning system would do it: start the
// machine (here sshd on loopback), register it with its port and host key and a fresh one-time key
// pair that only Labdeck holds, install the public half, mark it ready. stop() undoes it all.
import { registerLab } from "../labs/register-lab.ts";
import { setLabState } from "../labs/set-lab-state.ts";
import { teardownLab } from "../labs/teardown-lab.ts";
import { startSshLab, type SshLabHandle } from "./start-ssh-lab.ts";

export type ProvisionedSshLab = {
  labId: string;
  ssh: SshLabHandle;
  /** Tears the lab down in the registry, then stops its sshd. Idempotent. */
  stop(): Promise<void>;
};

export type ProvisionSshLabOptions = {
  ownerEmail: string;
  templateSlug?: string;
  /** The lab account when running as root (see startSshLab). */
  username?: string;
};

export async function provisionSshLab(options: ProvisionSshLabOptions): Promise<ProvisionedSshLab> {
  const ssh = await startSshLab({ username: options.username });
  let labId: string | undefined;
  try {
    const registered = await registerLab({
      ownerEmail: options.ownerEmail,
      templateSlug: options.templateSlug ?? "linux-shell",
      host: ssh.host,
      ssh: { port: ssh.port, username: ssh.username, generateKey: true, hostKey: ssh.hostKey },
    });
    labId = registered.lab.id;
    if (!registered.sshPublicKey) throw new Error("registerLab returned no public key for a generated key pair");
    ssh.updateAuthorizedKey(registered.sshPublicKey);
    await setLabState({ labId, state: "ready" });
  } catch (error) {
    if (labId) await teardownLab({ labId }).catch(() => {});
    await ssh.stop();
    throw error;
  }
  const id = labId;
  let stopping: Promise<void> | undefined;
  return {
    labId: id,
    ssh,
    stop() {
      stopping ??= (async () => {
        try {
          await teardownLab({ labId: id });
        } finally {
          await ssh.stop();
        }
      })();
      return stopping;
    },
  };
}
