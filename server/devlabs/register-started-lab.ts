// What provisioning any local lab shares once its machines run: register them, install the generated
// one-time key's public half in the lab's sshd, mark the lab ready. If any step fails, what was
// registered is torn down and the machines are stopped. The result's stop() tears the lab down, then
// stops the machines, once however often it is called.
import { registerLab, type RegisterLabOptions } from "../labs/register-lab.ts";
import { setLabState } from "../labs/set-lab-state.ts";
import { teardownLab } from "../labs/teardown-lab.ts";
import type { SshLabHandle } from "./start-ssh-lab.ts";

export type ProvisionedLab = {
  labId: string;
  /** Tears the lab down in the registry, then stops its machines. Idempotent. */
  stop(): Promise<void>;
};

export async function registerStartedLab(options: {
  /** The registration; its SSH endpoint must ask for a generated key. */
  registration: RegisterLabOptions;
  ssh: SshLabHandle;
  stopMachines(): Promise<void>;
}): Promise<ProvisionedLab> {
  const { registration, ssh, stopMachines } = options;
  let labId: string | undefined;
  try {
    const registered = await registerLab(registration);
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
