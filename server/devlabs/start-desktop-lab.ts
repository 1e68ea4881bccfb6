// A real desktop lab on loopback: TigerVNC's Xvnc running an xterm, and xrdp in front of it, all as
// the unprivileged lab user. guacd reaches the same X session over VNC (vncPort) or RDP (rdpPort).
// xrdp's session is its `libvnc.so` module with `password=ask`: the RDP password is handed on to
// Xvnc, so the RDP password is the VNC password. A wrong one gets xrdp's own error dialog, not a
// guacd error. guacd's RDP args against xrdp 0.9: security=any (or tls), ignore-cert=true,
// color-depth=24; security=rdp and nla fail.
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findExecutable, MissingProgramError } from "./executables.ts";
import { freePort } from "./free-port.ts";
import { ensureLabUser, isRoot, type LabUser } from "./lab-user.ts";
import { makeServiceDir, removeServiceDir, spawnService, tailOf, type ServiceProcess } from "./service-process.ts";
import { waitForPort } from "./wait-for-port.ts";

export type DesktopLabHandle = {
  host: "127.0.0.1";
  vncPort: number;
  rdpPort: number;
  /** The X display, e.g. ":41". */
  display: string;
  /** The account the desktop runs as (and the RDP user name). */
  username: string;
  /** xrdp's log so far: "VNC connection complete, connected ok" marks an RDP session reaching the desktop. */
  readRdpLog(): string;
  stop(): Promise<void>;
};

export type StartDesktopLabOptions = {
  /** The VNC password; Xvnc uses only its first 8 characters (the VNC protocol's limit). */
  vncPassword: string;
  /** The lab account when running as root (default labdeck-learner); otherwise the current user. */
  rdpUser?: string;
  /** Must equal vncPassword when given: xrdp hands the RDP password on to Xvnc. */
  rdpPassword?: string;
  geometry?: string;
};

const howToInstall =
  "Install the desktop lab servers (Debian: apt-get install tigervnc-standalone-server tigervnc-tools xrdp xterm, " +
  "or scripts/ensure-system-deps.sh test).";
const attempts = 3;

function programs() {
  const found = { Xvnc: findExecutable("Xvnc"), vncpasswd: findExecutable("vncpasswd"), xrdp: findExecutable("xrdp"), xterm: findExecutable("xterm"), openssl: findExecutable("openssl") };
  for (const [name, path] of Object.entries(found)) if (!path) throw new MissingProgramError(name, howToInstall);
  return found as Record<keyof typeof found, string>;
}

/** X refuses a socket dir it does not trust: it must be root's, world-writable and sticky. */
function ensureX11SocketDir(): void {
  const dir = "/tmp/.X11-unix";
  if (isRoot()) {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o1777);
  } else if (!existsSync(dir) || (statSync(dir).mode & 0o1777) !== 0o1777) {
    throw new Error(`${dir} must exist with mode 1777 (create it as root: mkdir -p ${dir} && chmod 1777 ${dir})`);
  }
}

/** A display number no X server uses (no socket, no lock file). */
function freeDisplay(after: number): number {
  for (let n = after; n < 1000; n++) {
    if (!existsSync(`/tmp/.X11-unix/X${n}`) && !existsSync(`/tmp/.X${n}-lock`)) return n;
  }
  throw new Error("no free X display number");
}

function xrdpIni(dir: string, rdpPort: number, vncPort: number): string {
  return `[Globals]
ini_version=1
fork=true
port=tcp://127.0.0.1:${rdpPort}
security_layer=negotiate
crypt_level=high
certificate=${join(dir, "rdp-cert.pem")}
key_file=${join(dir, "rdp-key.pem")}
ssl_protocols=TLSv1.2, TLSv1.3
autorun=lab
; Without channels guacd fails with "wrong security type".
allow_channels=true
max_bpp=24

[Logging]
LogFile=${join(dir, "xrdp.log")}
LogLevel=INFO
EnableSyslog=false

[Channels]
rdpdr=false
rdpsnd=false
; Off: with it on, display-update resizes in place, but under CPU load guacd's first connection
; often never got the desktop (display 0x0) in CI. The desktop keeps its first size; the viewer scales it.
drdynvc=false
cliprdr=true
rail=false
xrdpvr=false
tcutils=false

[lab]
name=lab
lib=libvnc.so
username=na
password=ask
ip=127.0.0.1
port=${vncPort}
`;
}

/** Starts Xvnc + xterm + xrdp as the lab user; resolves once both ports accept connections. */
export async function startDesktopLab(options: StartDesktopLabOptions): Promise<DesktopLabHandle> {
  if (options.rdpPassword !== undefined && options.rdpPassword !== options.vncPassword) {
    throw new Error("rdpPassword must equal vncPassword: xrdp hands the RDP password on to Xvnc");
  }
  if (!options.vncPassword) throw new Error("vncPassword must not be empty");
  const bin = programs();
  const user: LabUser = ensureLabUser(options.rdpUser);
  ensureX11SocketDir();

  const dir = makeServiceDir("desktop");
  const started: ServiceProcess[] = [];
  const stopAll = async () => {
    for (const service of started.reverse()) await service.stop();
  };
  try {
    // The lab user's processes write their logs here and read their secrets from here.
    if (isRoot()) chownSync(dir, user.uid, user.gid);
    const asUser = { uid: isRoot() ? user.uid : undefined, gid: isRoot() ? user.gid : undefined };
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: user.homeDir, USER: user.username, LOGNAME: user.username, SHELL: "/bin/bash", LANG: process.env.LANG ?? "C.UTF-8" };
    const ownedSecret = (file: string) => {
      chmodSync(file, 0o600);
      if (isRoot()) chownSync(file, user.uid, user.gid);
    };

    const passwordFile = join(dir, "vnc-passwd");
    writeFileSync(passwordFile, execFileSync(bin.vncpasswd, ["-f"], { input: options.vncPassword }), { mode: 0o600 });
    ownedSecret(passwordFile);
    // xrdp's own TLS certificate: Debian's snakeoil key is not readable by an unprivileged xrdp.
    execFileSync(bin.openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=labdeck-desktop-lab",
      "-keyout", join(dir, "rdp-key.pem"), "-out", join(dir, "rdp-cert.pem")], { stdio: ["ignore", "ignore", "pipe"] });
    ownedSecret(join(dir, "rdp-key.pem"));

    let display = 40;
    let lastFailure = "";
    for (let attempt = 1; attempt <= attempts; attempt++) {
      display = freeDisplay(display);
      const vncPort = await freePort();
      const xvncLog = join(dir, "xvnc.log");
      const xvnc = spawnService(bin.Xvnc, [`:${display}`, "-localhost", "-interface", "127.0.0.1", "-rfbport", String(vncPort),
        "-rfbauth", passwordFile, "-SecurityTypes", "VncAuth", "-geometry", options.geometry ?? "1024x768", "-depth", "24",
        "-nolisten", "tcp"], { logFile: xvncLog, cwd: dir, env, ...asUser });
      try {
        await waitForPort("127.0.0.1", vncPort, { timeoutMs: 15_000, failed: () => xvnc.exitReason() && `Xvnc ${xvnc.exitReason()}` });
      } catch (error) {
        await xvnc.stop();
        lastFailure = `${(error as Error).message}\n${tailOf(xvncLog)}`;
        display++;
        continue;
      }
      started.push(xvnc);
      started.push(spawnService(bin.xterm, ["-geometry", "120x40+0+0", "-fa", "Monospace", "-fs", "11", "-ls"], {
        logFile: join(dir, "xterm.log"), cwd: user.homeDir, env: { ...env, DISPLAY: `:${display}` }, ...asUser,
      }));

      const rdpPort = await freePort();
      const ini = join(dir, "xrdp.ini");
      writeFileSync(ini, xrdpIni(dir, rdpPort, vncPort), { mode: 0o644 });
      const xrdp = spawnService(bin.xrdp, ["--nodaemon", "--config", ini], { logFile: join(dir, "xrdp.out"), cwd: dir, env, ...asUser });
      started.push(xrdp);
      await waitForPort("127.0.0.1", rdpPort, {
        timeoutMs: 15_000,
        failed: () => xrdp.exitReason() && `xrdp ${xrdp.exitReason()}:\n${tailOf(join(dir, "xrdp.out"))}${tailOf(join(dir, "xrdp.log"))}`,
      });

      let stopping: Promise<void> | undefined;
      return {
        host: "127.0.0.1",
        vncPort,
        rdpPort,
        display: `:${display}`,
        username: user.username,
        readRdpLog: () => tailOf(join(dir, "xrdp.log"), 50_000),
        stop() {
          stopping ??= stopAll().finally(() => removeServiceDir(dir));
          return stopping;
        },
      };
    }
    throw new Error(`Xvnc did not start: ${lastFailure}`);
  } catch (error) {
    await stopAll();
    removeServiceDir(dir);
    throw error;
  }
}
