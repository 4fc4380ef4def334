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
