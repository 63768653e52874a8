/** `npm run server`: starts the sync server (SQLite file, or PostgreSQL with DATABASE_URL) and serves `dist/`. */
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { connect } from './db/connect.ts';
import { migrate } from './db/migrate.ts';
import { createConsoleLogger } from './log.ts';
import { isEmpty, seedDemo } from './seed/demo.ts';

const config = loadConfig();
const logger = createConsoleLogger({ requests: config.logRequests, level: config.logLevel });
const db = connect(config);
const { applied } = await migrate(db);
if (applied.length > 0) logger.info('[Db]', `applied migrations ${applied.join(', ')}`, { database: db.location });
if (await isEmpty(db)) {
  const summary = await seedDemo(db, { now: Date.now(), ifEmpty: true });
  // Null when another process starting at the same time seeded it first.
  if (summary)
    logger.info(
      '[Seed]',
      `first start: demo data loaded (${summary.practices.map((p) => p.name).join(', ')}) in ${summary.durationMs.toFixed(0)}ms`,
    );
}
const faultInjection = process.env.FAULT_INJECTION === '1';
if (faultInjection)
  logger.warn(
    '[Server]',
    'FAULT_INJECTION=1: test fault modes are armed through /api/test/faults (never in production)',
  );
const app = await createApp({
  db,
  distDir: config.distDir,
  logger,
  http: config,
  retentionMs: config.retentionMs,
  faultInjection,
});
await app.listen({ port: config.port, host: config.host });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : config.port;
logger.info('[Server]', `SmartDMV Offline Sync running at http://${config.host}:${port}/`, {
  database: db.location,
  engine: db.dialect,
});

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  setTimeout(() => process.exit(0), 2000).unref();
  await app.close();
  await db.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
