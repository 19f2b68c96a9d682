//! WAV input/output. `hound` reads PCM and float WAV; we mix to mono and
//! resample to 8 kHz. (hound cannot read G.711 WAV; prompts are PCM.)

use std::path::Path;

use super::{resample, RATE};
use crate::SipError;

/// Load a WAV prompt as 8 kHz mono 16-bit PCM.
pub fn load_wav_8k(path: &Path) -> Result<Vec<i16>, SipError> {
    let mut reader = hound::WavReader::open(path)?;
    let spec = reader.spec();
    let channels = spec.channels.max(1) as usize;
    let interleaved: Vec<i32> = match spec.sample_format {
        hound::SampleFormat::Int => {
            let shift = spec.bits_per_sample as i32 - 16;
            reader
                .samples::<i32>()
                .map(|s| s.map(|v| if shift >= 0 { v >> shift } else { v << -shift }))
                .collect::<Result<_, _>>()?
        }
        hound::SampleFormat::Float => reader
            .samples::<f32>()
            .map(|s| s.map(|v| (v.clamp(-1.0, 1.0) * 32767.0) as i32))
            .collect::<Result<_, _>>()?,
    };
    let mono: Vec<i16> = interleaved
        .chunks(channels)
        .map(|c| (c.iter().sum::<i32>() / c.len() as i32).clamp(-32768, 32767) as i16)
        .collect();
    Ok(resample(&mono, spec.sample_rate, RATE))
}

/// Write 8 kHz mono PCM as a WAV file.
pub fn write_wav_mono(path: &Path, samples: &[i16]) -> Result<(), SipError> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec)?;
    for &s in samples {
        w.write_sample(s)?;
    }
    w.finalize()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_stereo_16k_as_8k_mono() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.wav");
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 16000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&path, spec).unwrap();
        for i in 0..16000 {
            let v =
                ((i as f64 * 2.0 * std::f64::consts::PI * 500.0 / 16000.0).sin() * 8000.0) as i16;
            w.write_sample(v).unwrap();
            w.write_sample(v).unwrap();
        }
        w.finalize().unwrap();
        let pcm = load_wav_8k(&path).unwrap();
        assert_eq!(pcm.len(), 8000);
        assert!(pcm.iter().map(|s| s.unsigned_abs()).max().unwrap() > 7000);
    }

    #[test]
    fn missing_file_is_an_error() {
        assert!(load_wav_8k(Path::new("/nonexistent/x.wav")).is_err());
    }
}
