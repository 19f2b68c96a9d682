#!/usr/bin/env python3
"""Measure how intelligible rendered test speech is: character error rate of Whisper base.

Reads an index.tsv written by scripts/render-speech.py (file, lang, voice, text),
transcribes every file with Whisper base (CTranslate2, through faster-whisper,
language forced to the line's), and prints one line per file
`voice<TAB>CER<TAB>text<TAB>transcript`, then `TOTAL<TAB>voice<TAB>CER` per voice.
The CER is the edit distance over characters of the normalised texts (traditional
characters mapped to simplified, punctuation and spaces dropped, Latin letters lower-cased)
divided by the reference length.

    VOICES="$(scripts/fetch-voices.sh | tail -n1)"
    "$VOICES/venv/bin/python" scripts/speech-cer.py "$VOICES/whisper-base-ct2" /tmp/speech/index.tsv

This is the same Whisper base model the product uses (through whisper.cpp), so it
tells whether a voice is a fair stand-in for a human; it is not the product's own
decoder, so absolute figures can differ a little.
"""
import os
import sys
import unicodedata
import wave

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import soxr  # noqa: E402
from faster_whisper import WhisperModel  # noqa: E402
from zhconv import convert  # noqa: E402


def normalise(text, lang):
    text = (convert(text, "zh-cn") if lang == "zh" else text).lower()
    kept = (c for c in text if not unicodedata.category(c).startswith(("P", "S", "Z")))
    return "".join(kept)


def edit_distance(a, b):
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        diag, row[0] = row[0], i
        for j in range(1, len(b) + 1):
            diag, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1]))
    return row[len(b)]


def read_wav(path):
    with wave.open(path) as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise SystemExit(f"{path}: expected mono 16-bit PCM")
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768
        return pcm, w.getframerate()


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: speech-cer.py WHISPER_CT2_DIR INDEX.tsv")
    model = WhisperModel(sys.argv[1], device="cpu", compute_type="int8", cpu_threads=1, num_workers=1)
    index = sys.argv[2]
    base = os.path.dirname(index)
    totals = {}
    with open(index, encoding="utf-8") as f:
        lines = f.read().splitlines()[1:]
    for n, line in enumerate(lines, 2):
        parts = line.split("\t")
        if len(parts) != 4:
            raise SystemExit(f"{index}:{n}: expected file<TAB>lang<TAB>voice<TAB>text")
        name, lang, voice, text = parts
        pcm, rate = read_wav(os.path.join(base, name))
        audio = soxr.resample(pcm, rate, 16000).astype(np.float32)  # Whisper listens at 16 kHz
        segments, _ = model.transcribe(
            audio, language=lang, beam_size=5, vad_filter=False, condition_on_previous_text=False
        )
        heard = "".join(s.text for s in segments).strip()
        ref, hyp = normalise(text, lang), normalise(heard, lang)
        errors = edit_distance(ref, hyp)
        total = totals.setdefault(voice, [0, 0])
        total[0] += errors
        total[1] += len(ref)
        print(f"{voice}\t{errors / max(1, len(ref)):.2f}\t{text}\t{heard}", flush=True)
    for voice, (errors, chars) in sorted(totals.items()):
        print(f"TOTAL\t{voice}\t{errors / max(1, chars):.3f}\t({errors}/{chars} characters)")


if __name__ == "__main__":
    main()
