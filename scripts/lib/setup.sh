# Shared set-up for scripts/*.sh: install what is missing, never rely on hand-installed
# tools. Sourced, not run.

# Runs a command as root (directly when we are root, else through sudo).
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the Debian packages whose commands or files are missing.
# Usage: ensure_apt PACKAGE:CHECK ... where CHECK is a command name or an absolute path.
ensure_apt() {
  local missing=()
  for spec in "$@"; do
    local pkg=${spec%%:*} check=${spec#*:}
    if [[ "$check" == /* ]]; then
      [ -e "$check" ] || missing+=("$pkg")
    else
      command -v "$check" >/dev/null 2>&1 || missing+=("$pkg")
    fi
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# What building waihu needs: a C toolchain, the mold linker, cmake and clang for
# whisper.cpp, pkg-config.
ensure_build_tools() {
  ensure_apt build-essential:cc mold:mold cmake:cmake clang:clang \
    libclang-dev:/usr/lib/llvm-14/lib/libclang.so pkg-config:pkg-config
  if ! command -v cargo >/dev/null 2>&1; then
    echo "error: cargo not found: install the Rust toolchain (https://rustup.rs)" >&2
    exit 1
  fi
}

# What running calls needs: espeak-ng (text-to-speech) and sox.
ensure_speech_tools() {
  ensure_apt espeak-ng:espeak-ng sox:sox
}
