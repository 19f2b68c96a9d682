#!/usr/bin/env python3
"""Render labelled test utterances to telephone-band speech with neural voices.

Reads utterance lines `lang<TAB>label<TAB>text` (the format of
crates/waihu-dialog/corpus/*.tsv; `lang` is `zh` or `en`) and writes, for every
line and every voice of its language, one 8 kHz mono 16-bit WAV named
`<first 16 hex of sha256("lang\\ttext")>-<voice>.wav`, plus `index.tsv`
(file, lang, voice, text) listing every file of this run.

Run it with the Python of the environment that scripts/fetch-voices.sh builds:
    VOICES="$(scripts/fetch-voices.sh | tail -n1)"
    "$VOICES/venv/bin/python" scripts/render-speech.py --voices-dir "$VOICES" \\
        crates/waihu-dialog/corpus/dev.tsv /tmp/speech
Voices: Mandarin through Kokoro-82M with misaki's Mandarin G2P; English through
Piper (joe) and Kokoro with espeak-ng phonemes. See docs/test-speech.md.

The output is deterministic: the same input, voices and speeds give the same
bytes (one inference thread, no sampling noise left to chance). Files already
present are kept unless --force is given.
"""
import argparse
import hashlib
import json
import os
import sys
import time
import wave

# Keep the numeric libraries on one thread: the machine is shared, and a fixed
# thread count keeps floating-point sums in the same order from run to run.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402
import soxr  # noqa: E402

OUT_RATE = 8000
KOKORO_RATE = 24000
KOKORO_MAX_TOKENS = 510
KOKORO_VOICES = ("jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo")
PIPER_VOICES = ("joe",)
# Chosen by intelligibility to Whisper base at 8 kHz (docs/test-speech.md): two
# female and one male Mandarin voice; one native and two accented English ones.
DEFAULT_VOICES = {
    "zh": ("jm_kumo", "jf_gongitsune", "jf_nezumi"),
    "en": ("joe", "jm_kumo", "jf_alpha"),
}
PEAK = 0.5  # about -6 dBFS, a plausible telephone level with headroom


def die(msg):
    print(f"render-speech: {msg}", file=sys.stderr)
    sys.exit(1)


def file_stem(lang, text):
    return hashlib.sha256(f"{lang}\t{text}".encode("utf-8")).hexdigest()[:16]


def voice_name(voice, speed):
    return voice if speed == 1.0 else f"{voice}_s{speed:g}"


def read_utterances(path):
    """Parse `lang<TAB>label<TAB>text` lines; exits with file:line on a bad one."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3 or not parts[2].strip():
                die(f"{path}:{n}: expected lang<TAB>label<TAB>text")
            lang, _label, text = parts
            if lang not in DEFAULT_VOICES:
                die(f"{path}:{n}: unknown lang {lang!r} (zh or en)")
            rows.append((lang, text.strip()))
    return rows


class Kokoro:
    """Kokoro-82M int8 ONNX with the voice style vectors of voices_ja.npz."""

    def __init__(self, voices_dir, threads):
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            os.path.join(voices_dir, "kokoro-v1.0.int8.onnx"),
            sess_options=opts,
            providers=["CPUExecutionProvider"],
        )
        with open(os.path.join(voices_dir, "vocab.json"), encoding="utf-8") as f:
            self.vocab = json.load(f)["vocab"]
        with np.load(os.path.join(voices_dir, "voices_ja.npz")) as npz:
            self.styles = {k: npz[k] for k in npz.files}
        self._zh = None
        self._en = None

    def phonemes(self, lang, text):
        if lang == "zh":
            if self._zh is None:
                import jieba
                from misaki import zh

                jieba.setLogLevel(60)
                self._zh = zh.ZHG2P()
            return self._zh(text)[0]
        if self._en is None:
            from kokoro_onnx.tokenizer import Tokenizer

            self._en = Tokenizer()
        return self._en.phonemize(text, "en-us")

    def render(self, lang, text, voice, speed):
        phonemes = self.phonemes(lang, text)
        tokens = [self.vocab[c] for c in phonemes if c in self.vocab]
        if not tokens:
            raise ValueError(f"no phonemes for {text!r}")
        if len(tokens) > KOKORO_MAX_TOKENS:
            raise ValueError(f"too long for one utterance ({len(tokens)} phonemes): {text!r}")
        style = self.styles[voice][len(tokens)].reshape(1, 256).astype(np.float32)
        audio = self.session.run(
            None,
            {
                "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
                "style": style,
                "speed": np.array([speed], dtype=np.float32),
            },
        )[0]
        return np.asarray(audio, np.float32).ravel(), KOKORO_RATE


class Piper:
    """Piper VITS voices; noise is fixed at zero so output is deterministic."""

    def __init__(self, voices_dir, threads):
        from piper import PiperVoice

        self.voices = {}
        self.dir = voices_dir
        self.threads = threads
        self._load = PiperVoice.load

    def render(self, lang, text, voice, speed):
        from piper import SynthesisConfig

        if voice not in self.voices:
            model = os.path.join(self.dir, "en_US-joe-medium.onnx")
            loaded = self._load(model)
            # Piper's own session uses every core; replace it with one on our threads.
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = self.threads
            opts.inter_op_num_threads = 1
            loaded.session = ort.InferenceSession(
                model, sess_options=opts, providers=["CPUExecutionProvider"]
            )
            self.voices[voice] = loaded
        cfg = SynthesisConfig(length_scale=1.0 / speed, noise_scale=0.0, noise_w_scale=0.0)
        chunks = list(self.voices[voice].synthesize(text, syn_config=cfg))
        if not chunks:
            raise ValueError(f"no audio for {text!r}")
        audio = np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32)
        return audio, chunks[0].sample_rate


def to_telephone(audio, rate, pad):
    """Resample to 8 kHz (soxr, very high quality), pad with silence, set the peak."""
    out = soxr.resample(audio.astype(np.float64), rate, OUT_RATE, quality="VHQ")
    peak = float(np.max(np.abs(out))) if out.size else 0.0
    if peak > 0:
        out = out * (PEAK / peak)
    silence = np.zeros(int(pad * OUT_RATE))
    out = np.concatenate([silence, out, silence])
    return np.round(np.clip(out, -1.0, 1.0) * 32767).astype("<i2")


def write_wav(path, pcm):
    tmp = path + ".tmp"
    with wave.open(tmp, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(OUT_RATE)
        w.writeframes(pcm.tobytes())
    os.replace(tmp, path)


def main():
    cache = os.environ.get("WAIHU_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "waihu")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tsv", help="utterances: lang<TAB>label<TAB>text")
    ap.add_argument("out", help="output directory (created)")
    ap.add_argument("--voices-dir", default=os.path.join(cache, "voices"))
    ap.add_argument("--zh-voices", default=",".join(DEFAULT_VOICES["zh"]))
    ap.add_argument("--en-voices", default=",".join(DEFAULT_VOICES["en"]))
    ap.add_argument("--speeds", default="1.0", help="comma-separated, e.g. 0.9,1.0,1.15")
    ap.add_argument("--pad", type=float, default=0.3, help="seconds of silence before and after")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--force", action="store_true", help="re-render files that exist")
    args = ap.parse_args()

    voices = {
        "zh": [v for v in args.zh_voices.split(",") if v],
        "en": [v for v in args.en_voices.split(",") if v],
    }
    for lang, names in voices.items():
        for v in names:
            if v not in KOKORO_VOICES + PIPER_VOICES:
                die(f"unknown voice {v!r} for {lang}: one of {', '.join(KOKORO_VOICES + PIPER_VOICES)}")
            if lang == "zh" and v in PIPER_VOICES:
                die(f"voice {v!r} speaks English only")
    try:
        speeds = [float(s) for s in args.speeds.split(",") if s]
    except ValueError:
        die(f"bad --speeds {args.speeds!r}")
    if not speeds or any(not 0.5 <= s <= 2.0 for s in speeds):
        die("--speeds must be between 0.5 and 2.0")
    if not os.path.isfile(os.path.join(args.voices_dir, "kokoro-v1.0.int8.onnx")):
        die(f"{args.voices_dir}: no voices; run scripts/fetch-voices.sh")

    rows = read_utterances(args.tsv)
    os.makedirs(args.out, exist_ok=True)
    kokoro = Kokoro(args.voices_dir, args.threads)
    piper = Piper(args.voices_dir, args.threads)

    index, seen, rendered, busy, audio_s = [], set(), 0, 0.0, 0.0
    for lang, text in rows:
        if (lang, text) in seen:
            continue
        seen.add((lang, text))
        for voice in voices[lang]:
            for speed in speeds:
                name = f"{file_stem(lang, text)}-{voice_name(voice, speed)}.wav"
                path = os.path.join(args.out, name)
                index.append((name, lang, voice_name(voice, speed), text))
                if os.path.exists(path) and not args.force:
                    continue
                engine = piper if voice in PIPER_VOICES else kokoro
                start = time.process_time()
                try:
                    audio, rate = engine.render(lang, text, voice, speed)
                except ValueError as e:
                    die(f"{lang} {voice}: {e}")
                pcm = to_telephone(audio, rate, args.pad)
                busy += time.process_time() - start
                audio_s += len(pcm) / OUT_RATE
                rendered += 1
                write_wav(path, pcm)

    with open(os.path.join(args.out, "index.tsv.tmp"), "w", encoding="utf-8") as f:
        f.write("file\tlang\tvoice\ttext\n")
        for row in index:
            f.write("\t".join(row) + "\n")
    os.replace(os.path.join(args.out, "index.tsv.tmp"), os.path.join(args.out, "index.tsv"))
    per = busy / rendered if rendered else 0.0
    print(
        f"render-speech: {rendered} rendered, {len(index) - rendered} kept, "
        f"{audio_s:.1f} s of audio in {busy:.1f} CPU s ({per:.2f} CPU s per file)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
