// Entry point: `npm start` (production, after `npm run build`) and `npm run dev` (--dev).
// Validates configuration, opens (and migrates) the database, serves, and shuts down gracefully.
import { config, ConfigError } from "./config.ts";
import { closeDb } from "./db/index.ts";
import { openDatabase } from "./db/open.ts";
import { log } from "./log.ts";
import { startAppServer } from "./app-server.ts";
import { purgeExpiredTickets } from "./tickets/purge-expired-tickets.ts";

const ticketPurgeIntervalMs = 10 * 60_000;

async function main(): Promise<void> {
  const settings = config();
  const dev = process.argv.includes("--dev");
  await openDatabase(settings.DATABASE_URL);
  const server = await startAppServer({ port: settings.PORT, host: settings.HOST, dev });
  log.info({ url: server.url, dev, guacd: `${settings.GUACD_HOST}:${settings.GUACD_PORT}` }, "Labdeck is listening");
  // Used and expired tickets are worthless; keep the table small.
  const purge = setInterval(() => {
    purgeExpiredTickets().catch((error: unknown) => log.warn({ err: error }, "could not purge expired tickets"));
  }, ticketPurgeIntervalMs);
  purge.unref();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    clearInterval(purge);
    await server.close();
    await closeDb();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    log.fatal({ err: error }, "Labdeck failed to start");
  }
  process.exit(1);
});
