#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL (scripts/postgres.sh) and TEST_DATABASE_URL set to
# it, then stops it, whatever the command's outcome: `scripts/with-postgres.sh npx vitest run ...`.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d "${TMPDIR:-/tmp}/smartdmv-pg-XXXXXX")
trap 'scripts/postgres.sh stop "$dir"' EXIT
TEST_DATABASE_URL=$(scripts/postgres.sh start "$dir")
export TEST_DATABASE_URL
echo "[postgres] $TEST_DATABASE_URL" >&2
"$@"
