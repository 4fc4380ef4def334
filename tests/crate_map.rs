//! The crate map in `src/lib.rs` names every public item: a type added to a
//! wing's `pub use` list without a line in the map fails here.

use std::fs;
use std::path::Path;

/// The names a `pub use` statement brings into a module, with `as` renames
/// resolved to the new name.
fn reexported_names(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    for statement in source.split("pub use ").skip(1) {
        let statement = &statement[..statement.find(';').expect("`pub use` ends with `;`")];
        let list = match (statement.find('{'), statement.rfind('}')) {
            (Some(open), Some(close)) => &statement[open + 1..close],
            _ => statement,
        };
        for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let name = item.rsplit(" as ").next().unwrap_or(item);
            names.push(name.rsplit("::").next().unwrap_or(name).trim().to_owned());
        }
    }
    names
}

#[test]
fn every_reexported_item_is_in_the_crate_map() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = fs::read_to_string(src.join("lib.rs")).unwrap();
    let heading = lib
        .find("//! # Map of the crate")
        .expect("lib.rs has a crate map");
    let map: String = lib[heading..]
        .lines()
        .take_while(|line| line.starts_with("//!"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut missing = Vec::new();
    for wing in [
        "lib.rs",
        "jose.rs",
        "store.rs",
        "audit.rs",
        "issuer.rs",
        "resource.rs",
        "testing.rs",
        "client.rs",
        "store/postgres.rs",
        "store/redis.rs",
    ] {
        let text = fs::read_to_string(src.join(wing)).unwrap();
        for name in reexported_names(&text) {
            if !map.contains(&format!("{name}`")) {
                missing.push(format!("{wing}: {name}"));
            }
        }
    }
    assert!(missing.is_empty(), "not in the crate map: {missing:?}");
}

#[test]
fn the_reader_sees_grouped_and_single_reexports() {
    let text = "pub use crate::a::{B, c::D, E as F};\npub use self::g::H;\n";
    assert_eq!(reexported_names(text), ["B", "D", "F", "H"]);
}

/// Which wings each wing may import: the order of the request's path, with
/// the resource server's side kept apart from the token endpoint.
const MAY_IMPORT: &[(&str, &[&str])] = &[
    ("vocab", &[]),
    ("wire", &["vocab"]),
    ("jose", &["vocab", "wire"]),
    ("store", &["vocab", "wire", "jose"]),
    ("audit", &["vocab"]),
    ("issuer", &["vocab", "wire", "jose", "store", "audit"]),
    ("resource", &["vocab", "wire", "jose", "store"]),
    ("testing", &["vocab", "wire", "jose", "store"]),
    ("client", &["vocab", "wire", "jose"]),
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn wings_import_only_the_wings_before_them() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let wings: Vec<&str> = MAY_IMPORT.iter().map(|(w, _)| *w).collect();
    let mut breaches = Vec::new();
    for (wing, allowed) in MAY_IMPORT {
        let mut files = vec![src.join(format!("{wing}.rs"))];
        if src.join(wing).is_dir() {
            rust_files(&src.join(wing), &mut files);
        }
        for file in files
            .iter()
            .filter(|f| f.file_name().unwrap() != "tests.rs")
        {
            let text = fs::read_to_string(file).unwrap();
            for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for other in wings.iter().filter(|w| *w != wing && !allowed.contains(w)) {
                    if line.contains(&format!("crate::{other}::")) {
                        breaches.push(format!("{}: {}", file.display(), line.trim()));
                    }
                }
            }
        }
    }
    assert!(
        breaches.is_empty(),
        "imports against the layering: {breaches:#?}"
    );
}
