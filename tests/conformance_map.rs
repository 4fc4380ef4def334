//! The rule-to-test map (`src/manual/conformance.rs`) stays true to the code: every
//! rule id a test is named after (`c9_…`) has a row there, every test the map names
//! exists as a test in the file it names, and each id has exactly one row.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

const MAP: &str = "src/manual/conformance.rs";

/// The heading after which rows list the rules the crate does not hold.
const NOT_HELD: &str = "## Not held";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One table row of the map.
struct Row {
    line: usize,
    ids: Vec<u32>,
    held: bool,
    /// `(file, test function)` pairs named in the tests column.
    tests: Vec<(String, String)>,
}

/// `C7` → 7, `C102–C112` → 102..=112.
fn parse_ids(cell: &str) -> Option<Vec<u32>> {
    let id = |s: &str| s.strip_prefix('C')?.parse::<u32>().ok();
    match cell.split_once('–') {
        Some((first, last)) => {
            let (first, last) = (id(first)?, id(last)?);
            (first < last).then(|| (first..=last).collect())
        }
        None => Some(vec![id(cell)?]),
    }
}

fn is_snake_identifier(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The backticked names in a tests cell: a path ending in `.rs` names the file of
/// the test functions that follow it.
fn parse_tests(cell: &str, line: usize) -> Vec<(String, String)> {
    let mut file: Option<&str> = None;
    let mut tests = Vec::new();
    for span in cell.split('`').skip(1).step_by(2) {
        if span.ends_with(".rs") && span.contains('/') {
            file = Some(span);
        } else if is_snake_identifier(span) {
            let file =
                file.unwrap_or_else(|| panic!("{MAP}:{line}: `{span}` has no file before it"));
            tests.push((file.to_owned(), span.to_owned()));
        }
    }
    tests
}

fn map_rows() -> Vec<Row> {
    let text = fs::read_to_string(root().join(MAP)).unwrap();
    let mut held = true;
    let mut rows = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        let Some(doc) = line.strip_prefix("//!") else {
            continue;
        };
        let doc = doc.trim();
        if doc.starts_with(NOT_HELD) {
            held = false;
        }
        if !doc.starts_with("| C") {
            continue;
        }
        let cells: Vec<&str> = doc.split('|').map(str::trim).collect();
        let ids = parse_ids(cells[1])
            .unwrap_or_else(|| panic!("{MAP}:{line_no}: `{}` is not a rule id", cells[1]));
        let tests = if held {
            parse_tests(cells[cells.len() - 2], line_no)
        } else {
            Vec::new()
        };
        rows.push(Row {
            line: line_no,
            ids,
            held,
            tests,
        });
    }
    rows
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The name of the function a line defines, if it defines one.
fn defined_fn(line: &str) -> Option<&str> {
    let mut rest = line.trim_start();
    for prefix in ["pub(crate) ", "pub ", "async "] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest);
    }
    let rest = rest.strip_prefix("fn ")?;
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

/// The test functions (`#[test]`, `#[tokio::test]`, proptest's `#[test]`) of a file.
fn test_functions(text: &str) -> Vec<String> {
    let mut tests = Vec::new();
    let mut attributed = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[test]") || trimmed.starts_with("#[tokio::test") {
            attributed = true;
        } else if let Some(name) = defined_fn(line) {
            if attributed {
                tests.push(name.to_owned());
            }
            attributed = false;
        }
    }
    tests
}

/// Every test function under `src/` and `tests/`, as `(path from the root, name)`.
fn all_tests() -> BTreeSet<(String, String)> {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    rust_files(&root().join("tests"), &mut files);
    rust_files(&root().join("examples/src"), &mut files);
    rust_files(&root().join("examples/tests"), &mut files);
    let mut tests = BTreeSet::new();
    for path in files {
        let relative = path.strip_prefix(root()).unwrap();
        let relative = relative.to_str().unwrap().replace('\\', "/");
        for name in test_functions(&fs::read_to_string(&path).unwrap()) {
            tests.insert((relative.clone(), name));
        }
    }
    tests
}

/// The rule ids a test name cites: its `c<N>` segments, as in `c21_c22_…` or
/// `decision_c19_…`.
fn cited_ids(name: &str) -> impl Iterator<Item = u32> + '_ {
    name.split('_').filter_map(|segment| {
        let digits = segment.strip_prefix('c')?;
        (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse().ok())
            .flatten()
    })
}

#[test]
fn every_rule_a_test_is_named_after_has_a_row() {
    let held: BTreeSet<u32> = map_rows()
        .iter()
        .filter(|row| row.held)
        .flat_map(|row| row.ids.iter().copied())
        .collect();
    let missing: Vec<String> = all_tests()
        .iter()
        .flat_map(|(file, name)| {
            cited_ids(name)
                .filter(|id| !held.contains(id))
                .map(move |id| format!("{file}: `{name}` cites C{id}"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a row in {MAP}:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_test_the_map_names_exists() {
    let tests = all_tests();
    let mut missing = Vec::new();
    for row in map_rows() {
        if row.held && row.tests.is_empty() {
            missing.push(format!("{MAP}:{}: the row names no test", row.line));
        }
        for (file, name) in row.tests {
            if !tests.contains(&(file.clone(), name.clone())) {
                missing.push(format!("{MAP}:{}: no test `{name}` in {file}", row.line));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn each_id_has_exactly_one_row_and_none_is_skipped() {
    let mut seen = BTreeSet::new();
    for row in map_rows() {
        for id in row.ids {
            assert!(
                seen.insert(id),
                "{MAP}:{}: C{id} has a row already",
                row.line
            );
        }
    }
    let last = *seen.last().expect("the map has rows");
    let skipped: Vec<u32> = (1..=last).filter(|id| !seen.contains(id)).collect();
    assert!(skipped.is_empty(), "ids with no row in {MAP}: {skipped:?}");
}

#[test]
fn the_parsers_read_what_the_map_writes() {
    assert_eq!(parse_ids("C7"), Some(vec![7]));
    assert_eq!(parse_ids("C102–C104"), Some(vec![102, 103, 104]));
    assert_eq!(parse_ids("C7a"), None);
    assert_eq!(
        parse_tests("`tests/a.rs`: `c1_x`, `c2_y`; `src/b.rs`: `z`", 1),
        [
            ("tests/a.rs".to_owned(), "c1_x".to_owned()),
            ("tests/a.rs".to_owned(), "c2_y".to_owned()),
            ("src/b.rs".to_owned(), "z".to_owned()),
        ]
    );
    assert_eq!(
        cited_ids("decision_c21_c22_refuse_c1x_sc3").collect::<Vec<_>>(),
        [21, 22]
    );
    let text = "#[test]\nfn a() {}\nfn helper() {}\n#[tokio::test(flavor = \"multi_thread\")]\n/// doc\nasync fn b() {}\n";
    assert_eq!(test_functions(text), ["a", "b"]);
}
