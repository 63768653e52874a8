/**
 * `npm run seed [-- --size N] [--reset]`: loads the demo data into DATABASE_PATH (or the
 * PostgreSQL database of DATABASE_URL).
 *
 *   --size N   N appointments per practice (default 72), with clients and pets scaled to match
 *              (max(18, N/4) clients, max(36, N/2) pets) over max(14, N/40) days around today.
 *   --reset    delete the database file (PostgreSQL: drop every table of the schema) first;
 *              without it, seeding a database that already has data stops with an error and
 *              changes nothing.
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from './config.ts';
import { connect } from './db/connect.ts';
import { migrate } from './db/migrate.ts';
import { DEFAULT_SEED_SIZE, isEmpty, seedDemo } from './seed/demo.ts';

const USAGE = 'Usage: npm run seed -- [--size N] [--reset]';

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        size: { type: 'string' },
        reset: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const size = values.size === undefined ? DEFAULT_SEED_SIZE : Number(values.size);
  if (!Number.isInteger(size) || size < 0) {
    console.error(`--size must be a whole number, got "${values.size}"\n${USAGE}`);
    return 2;
  }

  const config = loadConfig();
  const { databasePath } = config;
  if (values.reset && !config.databaseUrl) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(databasePath + suffix, { force: true });
    console.log(`[Seed] removed ${databasePath}`);
  }
  const db = connect(config);
  try {
    if (values.reset && db.dialect === 'postgres') {
      await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      console.log(`[Seed] dropped every table of ${db.location}`);
    }
    await migrate(db);
    if (!(await isEmpty(db))) {
      console.error(`[Seed] ${db.location} already has data; run with --reset to start over`);
      return 1;
    }
    const summary = await seedDemo(db, { now: Date.now(), size });
    for (const p of summary.practices) {
      console.log(
        `[Seed] ${p.name}: ${p.staff} staff, ${p.clients} clients, ${p.pets} pets, ${p.appointments} appointments`,
      );
    }
    console.log(
      `[Seed] done in ${summary.durationMs.toFixed(0)}ms → ${db.location} (logins: reception@northside.example, vet@northside.example, admin@northside.example, reception@harbor.example; password demo1234)`,
    );
    return 0;
  } finally {
    await db.close();
  }
}

process.exitCode = await main();
