//! Deleting the recording files that erasure and retention report. Only files
//! under the data directory are touched (a path elsewhere is reported, never
//! deleted); a file already gone counts as missing, not as an error.

use std::path::{Path, PathBuf};

/// What happened to the files.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FileReport {
    /// Deleted.
    pub deleted: Vec<String>,
    /// Already gone.
    pub missing: Vec<String>,
    /// Outside the data directory: left alone.
    pub refused: Vec<String>,
    /// Could not be deleted (path and error).
    pub failed: Vec<String>,
}

/// Deletes each recording file (relative paths are under `data_dir`).
pub fn delete_recordings<'a>(
    data_dir: &Path,
    paths: impl IntoIterator<Item = &'a str>,
) -> FileReport {
    let mut report = FileReport::default();
    let root = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    for p in paths {
        let path = PathBuf::from(p);
        let path = if path.is_absolute() {
            path
        } else {
            data_dir.join(path)
        };
        let resolved = match std::fs::canonicalize(&path) {
            Ok(r) => r,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                report.missing.push(p.to_string());
                continue;
            }
            Err(e) => {
                report.failed.push(format!("{p}: {e}"));
                continue;
            }
        };
        if !resolved.starts_with(&root) {
            tracing::warn!(path = p, "recording outside the data directory left alone");
            report.refused.push(p.to_string());
            continue;
        }
        match std::fs::remove_file(&resolved) {
            Ok(()) => {
                tracing::info!(path = p, "recording deleted");
                report.deleted.push(p.to_string());
            }
            Err(e) => report.failed.push(format!("{p}: {e}")),
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletes_inside_the_data_dir_only() {
        let data = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(data.path().join("recordings")).unwrap();
        let inside = data.path().join("recordings/a.wav");
        std::fs::write(&inside, b"RIFF").unwrap();
        std::fs::write(data.path().join("recordings/b.wav"), b"RIFF").unwrap();
        let foreign = outside.path().join("c.wav");
        std::fs::write(&foreign, b"RIFF").unwrap();
        let inside_s = inside.display().to_string();
        let foreign_s = foreign.display().to_string();
        let report = delete_recordings(
            data.path(),
            [
                inside_s.as_str(),
                "recordings/b.wav",
                "recordings/gone.wav",
                foreign_s.as_str(),
            ],
        );
        assert_eq!(
            report.deleted,
            vec![inside_s, "recordings/b.wav".to_string()]
        );
        assert_eq!(report.missing, vec!["recordings/gone.wav".to_string()]);
        assert_eq!(report.refused, vec![foreign_s]);
        assert!(!inside.exists() && foreign.exists());
    }
}
