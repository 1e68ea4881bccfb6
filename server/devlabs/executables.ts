// Finds system programs by name. Daemons live in sbin folders that a non-root PATH often lacks.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

const systemDirs = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

/** The absolute path of an executable on PATH or in the usual system folders, or undefined. */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), ...systemDirs];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

export class MissingProgramError extends Error {
  override readonly name = "MissingProgramError";
  constructor(
    readonly program: string,
    howToInstall: string,
  ) {
    super(`${program} is not installed. ${howToInstall}`);
  }
}
