#!/usr/bin/env bash
# Fuzzes waihu's JSON API with schemathesis against the OpenAPI document the
# server serves at /api/v1/openapi.json: every operation gets generated valid and
# invalid requests; no response may be a 5xx, every documented response must
# match its schema (and the other checks listed below). Installs what is missing
# first — python3 and its venv module (apt), schemathesis pinned by hash
# (requirements.txt, into a venv under ${WAIHU_CACHE:-~/.cache/waihu}) — and
# fails, never skips, when it cannot run.
#
# Usage:
#   WAIHU_BASE_URL=http://127.0.0.1:PORT WAIHU_API_TOKEN=wh_... \
#   [WAIHU_OPERATOR_COOKIE='waihu_session=...' WAIHU_OPERATOR_CSRF=...] \
#   [WAIHU_FUZZ_EXAMPLES=12] [WAIHU_ARTIFACTS=target/test-artifacts/api-fuzz] \
#   scripts/api-fuzz/run.sh
# Two passes over every operation: with the tenant's API token, then (when an
# operator session is given) with the operator's session cookie and its
# anti-CSRF token. JUnit reports go to $WAIHU_ARTIFACTS.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib/setup.sh"

base="${WAIHU_BASE_URL:?WAIHU_BASE_URL is not set}"
token="${WAIHU_API_TOKEN:?WAIHU_API_TOKEN is not set}"
examples="${WAIHU_FUZZ_EXAMPLES:-12}"
artifacts="${WAIHU_ARTIFACTS:-target/test-artifacts/api-fuzz}"
cache="${WAIHU_CACHE:-$HOME/.cache/waihu}"
venv="$cache/venv-schemathesis"
lock="$here/requirements.txt"

ensure_apt python3:python3
python3 -c 'import venv, ensurepip' 2>/dev/null || ensure_apt python3-venv:/nonexistent-force-install

# The venv is rebuilt whenever the lock file changes (its hash is kept beside it).
want="$(sha256sum "$lock" | cut -d' ' -f1)"
if [ "$(cat "$venv/.lock-sha256" 2>/dev/null)" != "$want" ] || [ ! -x "$venv/bin/schemathesis" ]; then
  echo "==> installing schemathesis into $venv"
  rm -rf "$venv"
  mkdir -p "$cache"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input \
    --require-hashes --no-deps --only-binary=:all: -r "$lock"
  echo "$want" >"$venv/.lock-sha256"
fi
"$venv/bin/schemathesis" --version

mkdir -p "$artifacts"
artifacts="$(cd "$artifacts" && pwd)"
schema="$base/api/v1/openapi.json"
# Bounded: a fixed seed, a few examples per operation (and per stateful
# scenario: links between operations are inferred), no shrinking, a request
# timeout. One worker: hypothesis describing its filters from two threads at
# once trips a CPython 3.11 AST bug ("recursion depth mismatch").
# Checks: every one of schemathesis except three that need the document to name
# every status and every validation rule (status_code_conformance,
# positive_data_acceptance, negative_data_rejection); so: no 5xx, responses match
# their schema, content type and headers, authentication is never ignored, a
# deleted resource stays gone, a created one can be read.
common=(
  --checks all
  --exclude-checks status_code_conformance,positive_data_acceptance,negative_data_rejection
  --phases examples,coverage,fuzzing,stateful
  --max-examples "$examples" --seed 20261204 --no-shrink
  --request-timeout 10 --workers 1
  --suppress-health-check all
  --warnings off
)
# One pass: its configuration (real resource ids, see config.py), then the run.
fuzz() { # NAME [schemathesis run options...]
  local name=$1 cfg="$artifacts/$1.toml"
  shift
  "$venv/bin/python" "$here/config.py" "$base" "$cfg" "$name"
  # Run inside the artefacts directory: hypothesis and schemathesis keep their
  # databases (.hypothesis/, .schemathesis/) in the working directory.
  (cd "$artifacts" && SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$here" \
    "$venv/bin/schemathesis" --config-file "$cfg" run "$schema" "${common[@]}" \
    --report junit --report-junit-path "$artifacts/$name.xml" "$@")
}

echo "==> pass 1: the tenant's API token, every operation"
fuzz tenant -H "Authorization: Bearer $token"

if [ -n "${WAIHU_OPERATOR_COOKIE:-}" ]; then
  : "${WAIHU_OPERATOR_CSRF:?WAIHU_OPERATOR_CSRF is not set}"
  echo "==> pass 2: the operator's session, every operation"
  fuzz operator -H "Cookie: $WAIHU_OPERATOR_COOKIE" -H "X-CSRF-Token: $WAIHU_OPERATOR_CSRF"
fi
echo "==> api fuzzing passed"
