// The account a local lab logs in as. As root: a dedicated, unprivileged user, created on first use and
// unlocked for key login (with UsePAM no, sshd refuses a user whose password field is "!"). Otherwise
// the current user, since only root can create users or run a server that logs in as someone else.
import { execFileSync } from "node:child_process";
import { userInfo } from "node:os";
import { findExecutable } from "./executables.ts";

export type LabUser = { username: string; uid: number; gid: number; homeDir: string };

const usernamePattern = /^[a-z_][a-z0-9_-]{0,30}$/;

export const isRoot = () => process.getuid?.() === 0;

function lookup(username: string): LabUser | undefined {
  try {
    const line = execFileSync("getent", ["passwd", username], { encoding: "utf8" }).trim();
    const [name, , uid, gid, , homeDir] = line.split(":");
    if (!name || !homeDir) return undefined;
    return { username: name, uid: Number(uid), gid: Number(gid), homeDir };
  } catch {
    return undefined;
  }
}

/** The lab user: `username` (created if missing) when root, else the current user. */
export function ensureLabUser(username = "labdeck-learner"): LabUser {
  if (!isRoot()) {
    const me = userInfo();
    return { username: me.username, uid: me.uid, gid: me.gid, homeDir: me.homedir };
  }
  if (!usernamePattern.test(username)) throw new Error(`"${username}" is not a valid lab user name`);
  if (!lookup(username)) {
    // Test files run in parallel: two useradd at once can leave a home owned by a uid that lost.
    // Check and create under one lock.
    const flock = findExecutable("flock");
    const create = ["sh", "-c", 'getent passwd "$1" >/dev/null || useradd -m -s /bin/bash "$1"', "sh", username];
    const [command, ...args] = flock ? [flock, "/run/labdeck-useradd.lock", ...create] : create;
    execFileSync(command ?? "sh", args, { stdio: ["ignore", "ignore", "pipe"] });
  }
  execFileSync(findExecutable("usermod") ?? "usermod", ["-p", "*", username], { stdio: ["ignore", "ignore", "pipe"] });
  const user = lookup(username);
  if (!user) throw new Error(`could not create the lab user ${username}`);
  if (user.uid === 0) throw new Error(`refusing to use ${username} as a lab user: it is root`);
  return user;
}
