// A real OpenSSH server on loopback, as the demo's and the tests' SSH lab. It accepts exactly one
// public key (replaceable with updateAuthorizedKey), for one user, and no passwords. The ssh-rsa
// lines let guacd 1.3 in: it signs with SHA-1 RSA, which OpenSSH 9 refuses by default.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findExecutable, MissingProgramError } from "./executables.ts";
import { freePort } from "./free-port.ts";
import { ensureLabUser, isRoot } from "./lab-user.ts";
import { childrenOf, makeServiceDir, removeServiceDir, spawnService, tailOf } from "./service-process.ts";
import { waitForPort, waitUntilClosed } from "./wait-for-port.ts";

export type SshLabHandle = {
  host: "127.0.0.1";
  port: number;
  username: string;
  homeDir: string;
  /** The server's host key as a known_hosts entry ("[127.0.0.1]:PORT ssh-rsa AAAA..."), which guacd's host-key takes. */
  hostKey: string;
  /** sshd's log so far (connections, authentication results), for diagnostics and tests. */
  readLog(): string;
  /** Replaces the one key the server accepts; takes effect at the next login. */
  updateAuthorizedKey(key: string): void;
  stop(): Promise<void>;
};

export type StartSshLabOptions = {
  /**
   * One OpenSSH public key line, e.g. "ssh-rsa AAAA... comment". Without one no key is accepted until
   * updateAuthorizedKey(): a lab is registered with its port and host key, and only then gets its key.
   */
  authorizedKey?: string | undefined;
  /** The lab account when running as root (default labdeck-learner); otherwise the current user. */
  username?: string;
};

const howToInstallSshd = "Install OpenSSH's server (Debian: apt-get install openssh-server, or scripts/ensure-system-deps.sh).";
const bindAttempts = 3;

function checkedKeyLine(key: string): string {
  const line = key.trim();
  // One line, starting with the key type: anything else could smuggle options or extra keys in.
  if (!/^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-[a-z0-9]+|sk-[a-z0-9@.-]+) [A-Za-z0-9+/=]+( [^\r\n]*)?$/.test(line)) {
    throw new Error("authorizedKey must be one OpenSSH public key line");
  }
  return `${line}\n`;
}

function sshdConfig(dir: string, port: number, username: string): string {
  return [
    `Port ${port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${join(dir, "ssh_host_rsa_key")}`,
    `PidFile ${join(dir, "sshd.pid")}`,
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
    `AllowUsers ${username}`,
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PermitRootLogin no",
    "UsePAM no",
    // The authorized_keys file lives in a root-owned temp dir, which StrictModes would reject.
    "StrictModes no",
    "PubkeyAcceptedAlgorithms +ssh-rsa",
    "HostKeyAlgorithms +ssh-rsa",
    "X11Forwarding no",
    "AllowTcpForwarding no",
    "AllowAgentForwarding no",
    "PermitTunnel no",
    "PrintMotd no",
    // A UTF-8 locale, so the shell reads and echoes what learners type beyond ASCII.
    "SetEnv LANG=C.UTF-8",
    "Subsystem sftp internal-sftp",
    "",
  ].join("\n");
}

/** Starts sshd on a free loopback port; resolves once it accepts connections. */
export async function startSshLab(options: StartSshLabOptions): Promise<SshLabHandle> {
  const sshd = findExecutable("sshd");
  const sshKeygen = findExecutable("ssh-keygen");
  if (!sshd) throw new MissingProgramError("sshd", howToInstallSshd);
  if (!sshKeygen) throw new MissingProgramError("ssh-keygen", howToInstallSshd);
  const keyLine = options.authorizedKey === undefined ? "" : checkedKeyLine(options.authorizedKey);
  const user = ensureLabUser(options.username);

  const dir = makeServiceDir("sshd");
  try {
    // sshd reads authorized_keys as the lab user: it must be able to reach the file, not list the dir.
    chmodSync(dir, 0o711);
    const authorizedKeys = join(dir, "authorized_keys");
    writeFileSync(authorizedKeys, keyLine, { mode: 0o644 });
    execFileSync(sshKeygen, ["-q", "-t", "rsa", "-b", "3072", "-N", "", "-C", "labdeck-lab-host", "-f", join(dir, "ssh_host_rsa_key")], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    // Privilege separation needs this empty dir; the distribution's service creates it at boot.
    if (isRoot()) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });

    const configFile = join(dir, "sshd_config");
    const logFile = join(dir, "sshd.log");
    let lastFailure = "";
    for (let attempt = 1; attempt <= bindAttempts; attempt++) {
      const port = await freePort();
      writeFileSync(configFile, sshdConfig(dir, port, user.username));
      const service = spawnService(sshd, ["-D", "-f", configFile, "-E", logFile], { logFile, cwd: dir });
      try {
        await waitForPort("127.0.0.1", port, {
          timeoutMs: 10_000,
          failed: () => {
            const reason = service.exitReason();
            return reason && `sshd ${reason}`;
          },
        });
      } catch (error) {
        await service.stop();
        lastFailure = `${(error as Error).message}\n${tailOf(logFile)}`;
        continue;
      }
      const [keyType, keyData] = readFileSync(join(dir, "ssh_host_rsa_key.pub"), "utf8").trim().split(" ");
      let stopping: Promise<void> | undefined;
      return {
        host: "127.0.0.1",
        port,
        username: user.username,
        homeDir: user.homeDir,
        hostKey: `[127.0.0.1]:${port} ${keyType} ${keyData}`,
        readLog: () => tailOf(logFile, 50_000),
        updateAuthorizedKey(key) {
          writeFileSync(authorizedKeys, checkedKeyLine(key), { mode: 0o644 });
        },
        stop() {
          stopping ??= (async () => {
            // Each connection runs in a session of its own, outside the listener's group.
            for (const pid of childrenOf(service.pid)) {
              try {
                process.kill(pid, "SIGTERM");
              } catch {
                // Already gone.
              }
            }
            await service.stop();
            // A connection sshd took just before it stopped has a child of its own, which keeps the
            // listening socket for a moment after sshd is gone: wait (briefly) until the port is free.
            await waitUntilClosed("127.0.0.1", port, 2_000);
            removeServiceDir(dir);
          })();
          return stopping;
        },
      };
    }
    throw new Error(`sshd did not start: ${lastFailure}`);
  } catch (error) {
    removeServiceDir(dir);
    throw error;
  }
}
