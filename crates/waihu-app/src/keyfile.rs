//! Key files: small `name=value` text files holding secrets, created with mode 0600
//! and refused when group or others may read them (a key readable by any local user
//! protects nothing). Shared by the PII keys and the audit key.

use crate::{AppError, AppResult};
use std::io::Write;
use std::path::Path;

/// Refuses `path` if group or others have any permission on it (Unix), with the
/// command that fixes it.
pub fn check_private(path: &Path) -> AppResult<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta =
            std::fs::metadata(path).map_err(|e| AppError::io("cannot read key file", path, e))?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(AppError::Config(format!(
                "key file {} is accessible to group or others (mode {mode:04o}); \
                 restrict it with: chmod 600 {}",
                path.display(),
                path.display()
            )));
        }
    }
    Ok(())
}

/// Reads a key file after checking its permissions.
pub fn read_private(path: &Path) -> AppResult<String> {
    check_private(path)?;
    std::fs::read_to_string(path).map_err(|e| AppError::io("cannot read key file", path, e))
}

/// The value of the first `name=value` line, trimmed.
pub fn value<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.lines()
        .map(str::trim)
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == name)
        .map(|(_, v)| v.trim())
}

/// Creates `path` with mode 0600 holding `text`, unless it exists (then `false`:
/// another process created it first, and its keys are the ones to use).
pub fn create_private(path: &Path, text: &str) -> AppResult<bool> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| AppError::io("cannot create", dir, e))?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(mut f) => {
            f.write_all(text.as_bytes())
                .and_then(|()| f.sync_all())
                .map_err(|e| AppError::io("cannot write key file", path, e))?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(AppError::io("cannot create key file", path, e)),
    }
}

/// Replaces `path` with `text` atomically (a 0600 temporary file renamed over it),
/// so a crash leaves either the old or the new file, never half of one.
pub fn replace_private(path: &Path, text: &str) -> AppResult<()> {
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    create_private(&tmp, text)?;
    std::fs::rename(&tmp, path).map_err(|e| AppError::io("cannot replace key file", path, e))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn created_0600_and_group_readable_refused_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.key");
        assert!(create_private(&path, "a=1\n").unwrap());
        assert!(
            !create_private(&path, "a=2\n").unwrap(),
            "existing file kept"
        );
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(value(&read_private(&path).unwrap(), "a"), Some("1"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = read_private(&path).unwrap_err().to_string();
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(err.contains("chmod 600"), "{err}");
        replace_private(&path, "a=3\n").unwrap();
        assert_eq!(value(&read_private(&path).unwrap(), "a"), Some("3"));
    }
}
