//! Tells what an uploaded file really is from its first bytes, never from
//! its name: operators rename files, browsers guess MIME types. Recognises
//! the two formats we decode (WAV, MP3) and names the common ones we do not,
//! so the error can say "this is an M4A file, convert it to WAV or MP3".

/// An audio container we can decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    /// RIFF/WAVE: PCM 8/16/24/32-bit, float, μ-law or A-law.
    Wav,
    /// MPEG-1/2/2.5 audio layer III.
    Mp3,
}

impl SourceFormat {
    /// Upper-case display name ("WAV", "MP3").
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Wav => "WAV",
            SourceFormat::Mp3 => "MP3",
        }
    }
}

/// The bytes are neither WAV nor MP3; the text says what they seem to be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UnsupportedFormat(pub String);

/// The format of `bytes`, or a description of what they are instead.
pub fn detect_format(bytes: &[u8]) -> Result<SourceFormat, UnsupportedFormat> {
    if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WAVE" {
        return Ok(SourceFormat::Wav);
    }
    if bytes.starts_with(b"ID3") || mpeg_layer(bytes) == Some(3) {
        return Ok(SourceFormat::Mp3);
    }
    Err(UnsupportedFormat(describe_other(bytes)))
}

/// The MPEG audio layer (1–3) if `bytes` start with a plausible MPEG audio
/// frame header, else `None`.
pub(crate) fn mpeg_layer(bytes: &[u8]) -> Option<u8> {
    let [b0, b1, b2, ..] = *bytes else {
        return None;
    };
    let sync = b0 == 0xFF && b1 & 0xE0 == 0xE0;
    let version_ok = (b1 >> 3) & 0x03 != 0x01;
    let layer = match (b1 >> 1) & 0x03 {
        0b01 => 3,
        0b10 => 2,
        0b11 => 1,
        _ => return None,
    };
    let bitrate = b2 >> 4;
    let rate_ok = (b2 >> 2) & 0x03 != 0x03;
    (sync && version_ok && bitrate != 0 && bitrate != 0x0F && rate_ok).then_some(layer)
}

/// Names what a non-WAV, non-MP3 file seems to be.
fn describe_other(bytes: &[u8]) -> String {
    const CONVERT: &str = "; convert it to WAV or MP3";
    if bytes.is_empty() {
        return "the file is empty".into();
    }
    let named = |what: &str| format!("it is {what}{CONVERT}");
    if bytes.starts_with(b"OggS") {
        return named("an Ogg file (Vorbis/Opus)");
    }
    if bytes.starts_with(b"fLaC") {
        return named("a FLAC file");
    }
    if bytes.len() >= 8 && &bytes[4..8] == b"ftyp" {
        return named("an MP4/M4A (AAC) file");
    }
    if bytes.starts_with(b"#!AMR") {
        return named("an AMR file");
    }
    if bytes.starts_with(b"FORM") {
        return named("an AIFF file");
    }
    if bytes.starts_with(b"RIFF") {
        let kind = String::from_utf8_lossy(bytes.get(8..12).unwrap_or_default()).into_owned();
        return named(&format!("a RIFF file of type {kind:?}, not WAVE"));
    }
    if bytes.len() >= 2 && bytes[0] == 0xFF && bytes[1] & 0xF6 == 0xF0 {
        return named("AAC audio (ADTS)");
    }
    if let Some(layer @ (1 | 2)) = mpeg_layer(bytes) {
        return format!("it is MPEG audio layer {layer}; only layer 3 (MP3) is accepted{CONVERT}");
    }
    let head = &bytes[..bytes.len().min(512)];
    let is_text = |s: &str| s.chars().all(|c| !c.is_control() || c.is_whitespace());
    let texty = match std::str::from_utf8(head) {
        Ok(s) => is_text(s),
        // A multi-byte character cut off at 512 bytes is still text.
        Err(e) => {
            e.error_len().is_none()
                && std::str::from_utf8(&head[..e.valid_up_to()]).is_ok_and(is_text)
        }
    };
    if texty {
        return "it looks like a text file, not audio".into();
    }
    let hex: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("unknown content (starts with {})", hex.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_what_we_decode() {
        assert_eq!(
            detect_format(b"RIFF\0\0\0\0WAVEfmt "),
            Ok(SourceFormat::Wav)
        );
        assert_eq!(detect_format(b"ID3\x04\0\0"), Ok(SourceFormat::Mp3));
        // MPEG-1 layer III, 128 kbit/s, 44.1 kHz.
        assert_eq!(
            detect_format(&[0xFF, 0xFB, 0x90, 0x64]),
            Ok(SourceFormat::Mp3)
        );
    }

    #[test]
    fn names_what_we_do_not() {
        let cases: [(&[u8], &str); 8] = [
            (b"", "empty"),
            (b"OggS\0\x02", "Ogg"),
            (b"fLaC\0\0", "FLAC"),
            (b"\0\0\0\x20ftypM4A ", "M4A"),
            (b"RIFF\0\0\0\0AVI LIST", "AVI"),
            (b"hello, this is not audio\n", "text"),
            (&[0xFF, 0xFD, 0x90, 0x64], "layer 2"),
            (&[0x00, 0x01, 0x02, 0x03, 0x80], "00 01 02 03"),
        ];
        for (bytes, expect) in cases {
            let err = detect_format(bytes).unwrap_err();
            assert!(err.0.contains(expect), "{bytes:?}: {err}");
            assert_eq!(err.to_string(), err.0);
        }
        // Free-format and bad-bitrate MPEG headers are not taken for MP3.
        assert!(detect_format(&[0xFF, 0xFB, 0x00, 0x64]).is_err());
        assert!(detect_format(&[0xFF, 0xFB, 0xF0, 0x64]).is_err());
    }
}
