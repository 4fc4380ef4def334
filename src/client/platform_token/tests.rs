use std::path::PathBuf;

use super::PlatformTokenFile;
use crate::client::error::TokenSourceError;

/// A fresh file path under the system's temporary directory.
fn temp_path(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    std::env::temp_dir().join(format!("cc-platform-{name}-{}-{nanos}", std::process::id()))
}

#[test]
fn the_file_is_read_again_when_it_changes() {
    let path = temp_path("rotate");
    std::fs::write(&path, "first.token.value\n").unwrap();
    let file = PlatformTokenFile::new(&path);
    assert_eq!(file.read().unwrap().as_str(), "first.token.value");

    // The platform writes the next token beside it and renames it over (as
    // kubelet's atomic writer does): another inode, another length.
    let next = temp_path("rotate-next");
    std::fs::write(&next, "second.token.value.longer").unwrap();
    std::fs::rename(&next, &path).unwrap();
    assert_eq!(file.read().unwrap().as_str(), "second.token.value.longer");
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn an_unchanged_file_is_not_read_again() {
    let path = temp_path("same");
    std::fs::write(&path, "token-a").unwrap();
    let file = PlatformTokenFile::new(&path);
    let first = file.read().unwrap();
    let second = file.read().unwrap();
    assert!(
        std::sync::Arc::ptr_eq(&first, &second),
        "served from memory"
    );
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn a_missing_or_empty_file_says_what_to_check() {
    let path = temp_path("missing");
    let file = PlatformTokenFile::new(&path);
    let Err(TokenSourceError::Credentials(message)) = file.read() else {
        panic!("a missing file is an error")
    };
    assert!(message.contains("check the path"), "{message}");

    std::fs::write(&path, "  \n").unwrap();
    assert!(matches!(file.read(), Err(TokenSourceError::Credentials(m)) if m.contains("empty")));
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn debug_shows_the_path_not_the_token() {
    let path = temp_path("debug");
    std::fs::write(&path, "platform-secret-token").unwrap();
    let file = PlatformTokenFile::new(&path);
    file.read().unwrap();
    let debug = format!("{file:?}");
    assert!(!debug.contains("platform-secret-token"), "{debug}");
    assert!(debug.contains("cc-platform-debug"), "{debug}");
    std::fs::remove_file(&path).unwrap();
}
