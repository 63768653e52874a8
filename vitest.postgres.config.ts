/**
 * The server tests again, on PostgreSQL: `npm run test:postgres` starts a throwaway server
 * (scripts/with-postgres.sh sets TEST_DATABASE_URL) and each test server gets a fresh database.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/server/**/*.test.ts'],
    // SQLite-only by nature: migrations of released SQLite files, the file's pragmas.
    exclude: ['tests/server/migrations.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    maxWorkers: 2,
  },
});
