#!/usr/bin/env python3
"""Convert a CTranslate2 Whisper model directory to a whisper.cpp ggml file.

Usage: ct2_to_ggml.py [--q8_0] CT2_DIR OUT_FILE

CT2_DIR holds model.bin (CTranslate2 binary format version 6, spec
"WhisperSpec", float16 or float32 weights) and vocabulary.txt (one
byte-level BPE token per line), as published by faster-whisper. The output is
the legacy ggml format that whisper.cpp's loader reads: hyper-parameters, the
80-band mel filterbank, the 50,257 text tokens as raw bytes, then the tensors
under the names of OpenAI's PyTorch checkpoint (what whisper.cpp's own
convert-pt-to-ggml.py writes).

Two layout differences are undone here: CTranslate2 fuses the self-attention
query/key/value projections into one matrix (and cross-attention key/value
into another), with a zero bias for the key, which Whisper does not have.
The conversion is deterministic, so its output can be pinned by SHA-256.

With --q8_0 the 2-D weight matrices are stored in ggml's Q8_0 format
(blocks of 32 int8 values with one float16 scale, exactly as whisper.cpp's
quantize tool writes them): half the size, faster on CPU.

Needs numpy. Run it in a virtual environment (scripts/fetch-asr-model.sh
makes one).
"""

import json
import os
import struct
import sys

import numpy as np

# CTranslate2 DataType enum values (include/ctranslate2/types.h).
CT2_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}
GGML_MAGIC = 0x67676D6C
# ggml type and file-type codes (ggml.h), and the quantization version that
# whisper.cpp's quantize tool folds into the file type.
GGML_TYPE_F32, GGML_TYPE_F16, GGML_TYPE_Q8_0 = 0, 1, 8
GGML_FTYPE_MOSTLY_F16, GGML_FTYPE_MOSTLY_Q8_0 = 1, 7
GGML_QNT_VERSION, GGML_QNT_VERSION_FACTOR = 2, 1000
QK8_0 = 32
# Whisper's front end: 16 kHz audio, 400-point FFT, 80 mel bands.
SAMPLE_RATE = 16000
N_FFT = 400
# Regular (non-special) tokens in the multilingual tokenizer; whisper.cpp
# names the special tokens itself.
N_TEXT_TOKENS = 50257


def read_ct2(path):
    """Returns {name: numpy array} with aliases resolved, and the spec name."""
    with open(path, "rb") as f:
        data = f.read()
    pos = 0

    def take(fmt):
        nonlocal pos
        values = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return values

    def string():
        nonlocal pos
        (n,) = take("H")
        s = data[pos : pos + n - 1].decode("utf-8")  # stored with a NUL
        pos += n
        return s

    (version,) = take("I")
    if version != 6:
        raise SystemExit(f"unsupported CTranslate2 binary version {version}")
    spec = string()
    take("I")  # spec revision
    (count,) = take("I")
    variables = {}
    for _ in range(count):
        name = string()
        (rank,) = take("B")
        shape = take("I" * rank)
        dtype_id, nbytes = take("BI")
        if dtype_id not in CT2_DTYPES:
            raise SystemExit(f"{name}: unsupported CTranslate2 dtype {dtype_id}")
        array = np.frombuffer(data, dtype=CT2_DTYPES[dtype_id], count=nbytes // np.dtype(CT2_DTYPES[dtype_id]).itemsize, offset=pos)
        variables[name] = array.reshape(shape)
        pos += nbytes
    (aliases,) = take("I")
    for _ in range(aliases):
        alias, target = string(), string()
        variables[alias] = variables[target]
    if pos != len(data):
        raise SystemExit(f"trailing bytes in {path}")
    return spec, variables


def hz_to_mel(f):
    """Slaney mel scale (librosa's default, which Whisper used)."""
    f = np.asanyarray(f, dtype=np.float64)
    f_sp = 200.0 / 3
    mels = f / f_sp
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, mels)


def mel_to_hz(m):
    m = np.asanyarray(m, dtype=np.float64)
    f_sp = 200.0 / 3
    freqs = f_sp * m
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), freqs)


def mel_filters(n_mels):
    """librosa.filters.mel(sr=16000, n_fft=400, n_mels=n_mels): Slaney
    scale, area-normalised triangles; shape (n_mels, 201)."""
    fftfreqs = np.linspace(0, SAMPLE_RATE / 2, 1 + N_FFT // 2)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(SAMPLE_RATE / 2), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    weights = np.zeros((n_mels, len(fftfreqs)))
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    enorm = 2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels])
    weights *= enorm[:, np.newaxis]
    return weights.astype(np.float32)


def byte_decoder():
    """Inverse of GPT-2's bytes_to_unicode table."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


def read_tokens(path):
    decoder = byte_decoder()
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    tokens = lines[:N_TEXT_TOKENS]
    if len(tokens) != N_TEXT_TOKENS:
        raise SystemExit(f"{path}: expected at least {N_TEXT_TOKENS} tokens")
    out = []
    for t in tokens:
        if all(c in decoder for c in t):
            out.append(bytes(decoder[c] for c in t))
        else:
            out.append(t.encode("utf-8"))
    return out


def tensors(v, n_enc, n_dec):
    """Yields (ggml name, array) in the order whisper.cpp's converter writes."""

    def attn(prefix, ct2, fused_qkv):
        w = v[f"{ct2}/linear_0/weight"]
        b = v[f"{ct2}/linear_0/bias"]
        if fused_qkv:
            q, k, val = np.split(w, 3)
            qb, _kb, vb = np.split(b, 3)
            out = f"{ct2}/linear_1"
            yield f"{prefix}.query.weight", q
            yield f"{prefix}.query.bias", qb
            yield f"{prefix}.key.weight", k
            yield f"{prefix}.value.weight", val
            yield f"{prefix}.value.bias", vb
        else:
            k, val = np.split(v[f"{ct2}/linear_1/weight"], 2)
            _kb, vb = np.split(v[f"{ct2}/linear_1/bias"], 2)
            out = f"{ct2}/linear_2"
            yield f"{prefix}.query.weight", w
            yield f"{prefix}.query.bias", b
            yield f"{prefix}.key.weight", k
            yield f"{prefix}.value.weight", val
            yield f"{prefix}.value.bias", vb
        yield f"{prefix}.out.weight", v[f"{out}/weight"]
        yield f"{prefix}.out.bias", v[f"{out}/bias"]

    def ln(name, ct2):
        yield f"{name}.weight", v[f"{ct2}/gamma"]
        yield f"{name}.bias", v[f"{ct2}/beta"]

    def mlp(prefix, ct2):
        yield from ln(f"{prefix}.mlp_ln", f"{ct2}/ffn/layer_norm")
        yield f"{prefix}.mlp.0.weight", v[f"{ct2}/ffn/linear_0/weight"]
        yield f"{prefix}.mlp.0.bias", v[f"{ct2}/ffn/linear_0/bias"]
        yield f"{prefix}.mlp.2.weight", v[f"{ct2}/ffn/linear_1/weight"]
        yield f"{prefix}.mlp.2.bias", v[f"{ct2}/ffn/linear_1/bias"]

    yield "encoder.positional_embedding", v["encoder/position_encodings/encodings"]
    for i in (1, 2):
        yield f"encoder.conv{i}.weight", v[f"encoder/conv{i}/weight"]
        yield f"encoder.conv{i}.bias", v[f"encoder/conv{i}/bias"].reshape(-1, 1)
    for i in range(n_enc):
        p, c = f"encoder.blocks.{i}", f"encoder/layer_{i}"
        yield from ln(f"{p}.attn_ln", f"{c}/self_attention/layer_norm")
        yield from attn(f"{p}.attn", f"{c}/self_attention", True)
        yield from mlp(p, c)
    yield from ln("encoder.ln_post", "encoder/layer_norm")
    yield "decoder.positional_embedding", v["decoder/position_encodings/encodings"]
    yield "decoder.token_embedding.weight", v["decoder/embeddings/weight"]
    for i in range(n_dec):
        p, c = f"decoder.blocks.{i}", f"decoder/layer_{i}"
        yield from ln(f"{p}.attn_ln", f"{c}/self_attention/layer_norm")
        yield from attn(f"{p}.attn", f"{c}/self_attention", True)
        yield from ln(f"{p}.cross_attn_ln", f"{c}/attention/layer_norm")
        yield from attn(f"{p}.cross_attn", f"{c}/attention", False)
        yield from mlp(p, c)
    yield from ln("decoder.ln", "decoder/layer_norm")


def quantize_q8_0(data):
    """ggml's quantize_row_q8_0_ref over every row: per block of 32 values a
    float16 scale amax/127 and the values divided by it, rounded half away
    from zero (C roundf)."""
    x = np.ascontiguousarray(data, dtype=np.float32).reshape(-1, QK8_0)
    amax = np.abs(x).max(axis=1)
    d = amax / np.float32(127)
    inv = np.divide(np.float32(1), d, out=np.zeros_like(d), where=d != 0)
    scaled = x * inv[:, None]
    q = np.trunc(scaled + np.copysign(np.float32(0.5), scaled)).astype(np.int8)
    blocks = np.empty(x.shape[0], dtype=[("d", "<f2"), ("qs", "i1", (QK8_0,))])
    blocks["d"] = d.astype(np.float16)
    blocks["qs"] = q
    return blocks.tobytes()


def count_layers(v, side):
    n = 0
    while f"{side}/layer_{n}/ffn/linear_0/weight" in v:
        n += 1
    return n


def main():
    args = sys.argv[1:]
    q8 = "--q8_0" in args
    args = [a for a in args if a != "--q8_0"]
    if len(args) != 2:
        raise SystemExit(__doc__)
    src, out = args
    spec, v = read_ct2(os.path.join(src, "model.bin"))
    if spec != "WhisperSpec":
        raise SystemExit(f"not a Whisper model: spec {spec!r}")
    n_enc, n_dec = count_layers(v, "encoder"), count_layers(v, "decoder")
    n_vocab, n_state = v["decoder/embeddings/weight"].shape
    n_mels = v["encoder/conv1/weight"].shape[1]
    hparams = [
        n_vocab,
        v["encoder/position_encodings/encodings"].shape[0],  # n_audio_ctx
        n_state,
        int(v["encoder/num_heads"]),
        n_enc,
        v["decoder/position_encodings/encodings"].shape[0],  # n_text_ctx
        n_state,
        int(v["decoder/num_heads"]),
        n_dec,
        n_mels,
        # ftype: what the big matrices are stored in.
        GGML_QNT_VERSION * GGML_QNT_VERSION_FACTOR + GGML_FTYPE_MOSTLY_Q8_0 if q8 else GGML_FTYPE_MOSTLY_F16,
    ]
    tokens = read_tokens(os.path.join(src, "vocabulary.txt"))
    filters = mel_filters(n_mels)
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<i", GGML_MAGIC))
        f.write(struct.pack("<" + "i" * len(hparams), *hparams))
        f.write(struct.pack("<ii", *filters.shape))
        f.write(filters.astype("<f4").tobytes())
        f.write(struct.pack("<i", len(tokens)))
        for t in tokens:
            f.write(struct.pack("<i", len(t)))
            f.write(t)
        written = 0
        for name, data in tensors(v, n_enc, n_dec):
            # Like whisper.cpp's converter: matrices (except the positional
            # embeddings and conv biases) in float16, the rest float32.
            # whisper.cpp's quantize tool: only 2-D matrices are quantized
            # (the 3-D conv kernels stay float16).
            small = data.ndim < 2 or name.endswith(("conv1.bias", "conv2.bias", "positional_embedding"))
            if small:
                ttype, payload = GGML_TYPE_F32, np.ascontiguousarray(data, dtype="<f4").tobytes()
            elif q8 and data.ndim == 2:
                ttype, payload = GGML_TYPE_Q8_0, quantize_q8_0(data)
            else:
                ttype, payload = GGML_TYPE_F16, np.ascontiguousarray(data, dtype="<f2").tobytes()
            name_bytes = name.encode("utf-8")
            f.write(struct.pack("<iii", data.ndim, len(name_bytes), ttype))
            f.write(struct.pack("<" + "i" * data.ndim, *reversed(data.shape)))
            f.write(name_bytes)
            f.write(payload)
            written += 1
    os.replace(tmp, out)
    info = {"tensors": written, "hparams": hparams, "tokens": len(tokens)}
    print(json.dumps(info))


if __name__ == "__main__":
    main()
