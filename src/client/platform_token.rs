//! The platform's token for the JWT-bearer grant (RFC 7523 §2.1): a file the
//! platform rewrites as it rotates the token (a Kubernetes projected service
//! account token, a CI job's OIDC token, a workload identity file).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use zeroize::Zeroizing;

use crate::client::error::TokenSourceError;

/// A token file, read when first needed and read again whenever it changed
/// (its modification time, length or, on Unix, its inode differs: a rewrite
/// in place and a swapped symbolic link alike).
///
/// Its `Debug` shows the path, never the token.
#[derive(Clone)]
pub struct PlatformTokenFile {
    path: PathBuf,
    last: Arc<Mutex<Option<Read>>>,
}

/// The token last read, and the version of the file it came from.
type Read = (Stamp, Arc<Zeroizing<String>>);

/// What tells one version of the file from the next.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

impl PlatformTokenFile {
    /// The token in the file at `path` (surrounding whitespace is ignored).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            last: Arc::new(Mutex::new(None)),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The token now in the file: the one read before while the file is
    /// unchanged, else the file read again.
    ///
    /// # Errors
    /// [`TokenSourceError::Credentials`] when the file cannot be read or holds
    /// no token.
    pub(crate) fn read(&self) -> Result<Arc<Zeroizing<String>>, TokenSourceError> {
        let unreadable = |e: std::io::Error| {
            TokenSourceError::Credentials(format!(
                "the platform token file {} cannot be read ({e}); check the path and that the platform mounts it",
                self.path.display()
            ))
        };
        let stamp = stamp(&std::fs::metadata(&self.path).map_err(unreadable)?);
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((seen, token)) = last.as_ref()
            && *seen == stamp
        {
            return Ok(token.clone());
        }
        let text = Zeroizing::new(std::fs::read_to_string(&self.path).map_err(unreadable)?);
        let token = text.trim();
        if token.is_empty() {
            return Err(TokenSourceError::Credentials(format!(
                "the platform token file {} is empty",
                self.path.display()
            )));
        }
        let token = Arc::new(Zeroizing::new(token.to_owned()));
        *last = Some((stamp, token.clone()));
        Ok(token)
    }
}

fn stamp(metadata: &std::fs::Metadata) -> Stamp {
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(metadata);
    #[cfg(not(unix))]
    let inode = 0;
    Stamp {
        modified: metadata.modified().ok(),
        len: metadata.len(),
        inode,
    }
}

impl fmt::Debug for PlatformTokenFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlatformTokenFile")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
