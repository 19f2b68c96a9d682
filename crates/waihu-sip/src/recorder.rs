//! Two-channel call recording streamed to disk: left = robot (what we send),
//! right = callee (what we play out of the jitter buffer), one 20 ms frame of
//! each per media tick, so the channels stay time-aligned. Only a small
//! write buffer is held in memory.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use crate::SipError;

/// An open recording.
pub struct Recorder {
    writer: hound::WavWriter<BufWriter<File>>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder").finish_non_exhaustive()
    }
}

impl Recorder {
    /// Create (truncate) the WAV file.
    pub fn create(path: &Path) -> Result<Recorder, SipError> {
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: crate::audio::RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let file = BufWriter::with_capacity(4096, File::create(path)?);
        Ok(Recorder {
            writer: hound::WavWriter::new(file, spec)?,
        })
    }

    /// Append one frame of each side; a missing side is silence.
    pub fn write_frame(&mut self, robot: &[i16], callee: &[i16]) -> Result<(), SipError> {
        let n = robot.len().max(callee.len());
        for i in 0..n {
            self.writer
                .write_sample(robot.get(i).copied().unwrap_or(0))?;
            self.writer
                .write_sample(callee.get(i).copied().unwrap_or(0))?;
        }
        Ok(())
    }

    /// Finish the header and close the file.
    pub fn finish(self) -> Result<(), SipError> {
        self.writer.finalize()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_two_aligned_channels() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.wav");
        let mut r = Recorder::create(&path).unwrap();
        r.write_frame(&[100; 160], &[]).unwrap();
        r.write_frame(&[0; 160], &[-200; 160]).unwrap();
        r.finish().unwrap();
        let mut rd = hound::WavReader::open(&path).unwrap();
        assert_eq!(rd.spec().channels, 2);
        let s: Vec<i16> = rd.samples::<i16>().map(|s| s.unwrap()).collect();
        assert_eq!(s.len(), 640);
        assert_eq!((s[0], s[1]), (100, 0));
        assert_eq!((s[320], s[321]), (0, -200));
    }
}
