#!/usr/bin/env bash
# Runs the waihu demo on this machine: installs what is missing (build tools,
# espeak-ng, the Whisper ASR model into ~/.cache/waihu), builds a release binary and
# runs `waihu demo`: a fresh data directory with an embedded SQLite database, a demo
# tenant, script, contacts and a task calling the built-in virtual callee over
# SIP/RTP on 127.0.0.1; then the back office on http://127.0.0.1:8080 until Ctrl-C.
# Extra arguments go to `waihu demo` (e.g. --calls 20 --exit --json).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/setup.sh

ensure_build_tools
ensure_speech_tools
WAIHU_SPEECH__MODEL="$(scripts/fetch-asr-model.sh | tail -n1)"
export WAIHU_SPEECH__MODEL
exec cargo run --release -- demo "$@"
