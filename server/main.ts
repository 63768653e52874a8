/** `npm run server`: starts the sync server on the embedded SQLite database and serves `dist/`. */
import { createServer } from 'node:http';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { migrate } from './db/migrate.ts';
import { openDatabase } from './db/open.ts';
import { createConsoleLogger } from './log.ts';
import { isEmpty, seedDemo } from './seed/demo.ts';

const config = loadConfig();
const logger = createConsoleLogger({ requests: config.logRequests });
const db = openDatabase(config.databasePath);
const { applied } = migrate(db);
if (applied.length > 0) logger.info('[Db]', `applied migrations ${applied.join(', ')}`);
if (isEmpty(db)) {
  const summary = await seedDemo(db, { now: Date.now() });
  logger.info('[Seed]', `first start: demo data loaded (${summary.practices.map((p) => p.name).join(', ')}) in ${summary.durationMs.toFixed(0)}ms`);
}
const server = createServer(createApp({ db, distDir: config.distDir, logger }));

server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  console.log(`SmartDMV Offline Sync running at http://${config.host}:${port}/ (database ${config.databasePath})`);
});

function shutdown(): void {
  server.close(() => {
    db.close();
    process.exit(0);
  });
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
