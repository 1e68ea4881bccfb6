// `npm run demo` after its setup (scripts/demo.sh): the app in production mode with a local guacd and
// a real SSH lab for each demo account, all on loopback. Ctrl-C tears the labs down and stops
// everything this process started.
import { config, ConfigError } from "../config.ts";
import { importContent } from "../content/import-content.ts";
import { closeDb } from "../db/index.ts";
import { openDatabase } from "../db/open.ts";
import { listLabs } from "../labs/list-labs.ts";
import { teardownLab } from "../labs/teardown-lab.ts";
import { log } from "../log.ts";
import { startAppServer, type AppServer } from "../app-server.ts";
import { provisionDesktopLab } from "../devlabs/provision-desktop-lab.ts";
import { provisionSshLab } from "../devlabs/provision-ssh-lab.ts";
import { ensureGuacd, type GuacdHandle } from "../devlabs/start-guacd.ts";
import { demoAccounts, ensureDemoAccounts } from "./demo-accounts.ts";

const labTemplates = ["linux-shell", "linux-desktop"];
const labHost = "127.0.0.1";

// The demo serves this machine only, unless the user says otherwise, under either loopback name.
process.env.HOST ??= "127.0.0.1";
process.env.ALLOWED_ORIGINS ??= ["localhost", "127.0.0.1"].map((host) => `http://${host}:${process.env.PORT ?? 3000}`).join(",");

/** Demo labs a previous run left registered (it crashed, or was killed): their sshd is long gone. */
async function tearDownLeftoverLabs(): Promise<void> {
  for (const account of demoAccounts) {
    for (const templateSlug of labTemplates) {
      for (const lab of await listLabs({ ownerEmail: account.email, templateSlug })) {
        if (lab.state !== "torn_down" && lab.host === labHost) await teardownLab({ labId: lab.id });
      }
    }
  }
}

function banner(url: string, guacd: GuacdHandle, desktops: boolean): string {
  const shownUrl = url.replace("://127.0.0.1:", "://localhost:");
  const width = Math.max(...demoAccounts.map((account) => account.email.length));
  return [
    "",
    `  Labdeck is running at ${shownUrl}`,
    "",
    "  Sign in as:",
    ...demoAccounts.map((account) => `    ${account.email.padEnd(width)}  password: ${account.password}  (${account.role})`),
    "",
    `  Each has a live SSH lab${desktops ? " and a desktop lab (RDP + VNC, page \"remote-desktop\")" : ""}; guacd at ${guacd.host}:${guacd.port}${guacd.started ? " (started by the demo)" : ""}.`,
    "  Press Ctrl-C to stop: the labs are torn down and everything the demo started is stopped.",
    "",
  ].join("\n");
}

async function main(): Promise<void> {
  const settings = config();
  await openDatabase(settings.DATABASE_URL);
  await importContent();
  await ensureDemoAccounts();
  await tearDownLeftoverLabs();

  let guacd: GuacdHandle | undefined;
  const labs: { stop(): Promise<void> }[] = [];
  let desktops = true;
  let server: AppServer | undefined;
  let stopping = false;

  const stop = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    const results = await Promise.allSettled(labs.map((lab) => lab.stop()));
    for (const result of results) if (result.status === "rejected") log.error({ err: result.reason }, "could not tear a demo lab down");
    await guacd?.stop();
    await server?.close();
    await closeDb();
    process.exit(exitCode);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(1); // a second Ctrl-C: stop waiting (the exit hook still kills our services)
      console.log("\nStopping the demo...");
      void stop(0);
    });
  }

  try {
    guacd = await ensureGuacd(process.env);
    for (const account of demoAccounts) {
      labs.push(await provisionSshLab({ ownerEmail: account.email, templateSlug: "linux-shell", username: account.labUser }));
    }
    for (const account of demoAccounts) {
      try {
        labs.push(await provisionDesktopLab({ ownerEmail: account.email, templateSlug: "linux-desktop", username: account.labUser }));
      } catch (error) {
        // Desktop labs need Xvnc and xrdp; the rest of the demo works without them.
        desktops = false;
        log.warn({ err: error }, "no desktop lab for the demo (install tigervnc-standalone-server tigervnc-tools xrdp xterm)");
        break;
      }
    }
    server = await startAppServer({ port: settings.PORT, host: settings.HOST, dev: false });
  } catch (error) {
    log.fatal({ err: error }, "the demo failed to start");
    await stop(1);
    return;
  }
  console.log(banner(server.url, guacd, desktops));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else log.fatal({ err: error }, "the demo failed to start");
  process.exit(1);
});
