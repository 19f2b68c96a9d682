#!/usr/bin/env bash
# Runs the back-office browser test: Debian's Chromium driven by playwright-core.
# Installs what is missing first — chromium and a CJK font (apt), playwright-core
# (npm ci, pinned by package-lock.json; it never downloads a browser) — and fails,
# never skips, when something cannot run.
#
# Usage: WAIHU_BASE_URL=http://127.0.0.1:PORT WAIHU_USER=operator WAIHU_PASSWORD=... \
#        WAIHU_ARTIFACTS=target/test-artifacts/browser scripts/browser-test/run.sh [JOURNEY.mjs ...]
# Journeys (default: test.mjs, the operator's): test.mjs; campaign.mjs (a
# tenant admin's campaign against the virtual callee; it also needs
# WAIHU_ADMIN_USER, WAIHU_ADMIN_PASSWORD, WAIHU_TENANT, WAIHU_LIST, WAIHU_CONTACTS_FILE and
# WAIHU_SCRIPT_FILE); and public.mjs (a callee on a phone on the public pages /p:
# a one-time code read out by the server's verification call to the virtual
# callee, then opt-out, complaint, data and erasure; it needs WAIHU_PUBLIC_NUMBER,
# WAIHU_CALLEE_LOG (the callee's --log JSONL), WAIHU_VERIFY_CALLER and
# WAIHU_BUSINESS_CALLER, but no WAIHU_USER/WAIHU_PASSWORD). Each runs in its own
# fresh browser; all run, and the script fails when any of them failed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib/setup.sh"

ensure_apt chromium:/usr/bin/chromium fonts-wqy-microhei:/usr/share/fonts/truetype/wqy/wqy-microhei.ttc \
  nodejs:node npm:npm

if [ ! -f "$here/node_modules/playwright-core/package.json" ] ||
   [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  echo "==> npm ci (playwright-core)"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

[ $# -gt 0 ] || set -- test.mjs
failed=0
for j in "$@"; do
  node "$here/$j" || failed=1
done
exit "$failed"
