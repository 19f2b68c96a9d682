//! Integration tests of waihu-speech: real espeak-ng synthesis, the VAD on
//! synthesised speech, WAV reading/writing including hostile files, the
//! OpenAI-compatible ASR and TTS adapters against local servers, the prompt
//! library (WAV and MP3 uploads, bad input, the store), and (ignored unless
//! asked for) the Whisper engine with the real model.
//! Needs the `espeak-ng` program (Debian package `espeak-ng`); the ignored
//! tests need `WAIHU_ASR_MODEL` (see `scripts/fetch-asr-model.sh`).

#[cfg(feature = "whisper")]
mod asr;
mod audio;
mod http_stub;
mod openai;
mod prompts;
mod tts;
mod tts_http;
mod vad;
mod wav;
