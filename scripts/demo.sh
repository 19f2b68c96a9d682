#!/usr/bin/env bash
# Runs waihu on this machine: installs what is missing, builds a release binary and
# starts the server with an embedded SQLite database in ./waihu-data.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/setup.sh

ensure_build_tools
ensure_speech_tools
exec cargo run --release -- serve "$@"
