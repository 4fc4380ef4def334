use serde::Deserialize;

use super::*;

#[derive(Deserialize)]
struct Dates {
    #[serde(deserialize_with = "deserialize")]
    strict: UnixTime,
    #[serde(deserialize_with = "deserialize_clamped")]
    clamped: UnixTime,
}

fn read(strict: &str, clamped: &str) -> Option<(u64, u64)> {
    let json = format!(r#"{{"strict":{strict},"clamped":{clamped}}}"#);
    let dates: Dates = serde_json::from_str(&json).ok()?;
    Some((dates.strict.as_secs(), dates.clamped.as_secs()))
}

#[test]
fn integers_are_read_by_both_rules() {
    assert_eq!(read("0", "0"), Some((0, 0)));
    assert_eq!(
        read("1700000000", "1700000000"),
        Some((1_700_000_000, 1_700_000_000))
    );
    assert_eq!(
        read("18446744073709551615", "18446744073709551615"),
        Some((u64::MAX, u64::MAX))
    );
}

#[test]
fn fractions_round_down_and_huge_values_saturate_only_when_clamped() {
    assert_eq!(read("0", "1700000000.9"), Some((0, 1_700_000_000)));
    assert_eq!(read("0", "1e30"), Some((0, u64::MAX)));
    assert_eq!(read("1.5", "0"), None);
    assert_eq!(read("1e30", "0"), None);
    assert_eq!(read("18446744073709551616", "0"), None);
}

#[test]
fn negative_values_are_refused_or_clamped() {
    assert_eq!(read("-1", "0"), None);
    assert_eq!(read("-0.5", "0"), None);
    assert_eq!(read("0", "-5"), Some((0, 0)));
    assert_eq!(read("0", "-0.5"), Some((0, 0)));
    assert_eq!(read("0", "-1e30"), Some((0, 0)));
}

#[test]
fn only_numbers_are_dates() {
    for bad in [r#""2""#, "null", "true", "[1]", "{}"] {
        assert_eq!(read(bad, "0"), None, "{bad}");
        assert_eq!(read("0", bad), None, "{bad}");
    }
}

#[test]
fn written_as_whole_seconds() {
    let mut out = Vec::new();
    serialize(
        &UnixTime::from_secs(42),
        &mut serde_json::Serializer::new(&mut out),
    )
    .unwrap();
    assert_eq!(out, b"42");
}

#[test]
fn an_optional_clamped_date_reads_null_as_absent() {
    #[derive(Deserialize)]
    struct Optional {
        #[serde(default, deserialize_with = "option_clamped")]
        exp: Option<UnixTime>,
    }
    let read = |json: &str| {
        serde_json::from_str::<Optional>(json)
            .ok()
            .map(|o| o.exp.map(UnixTime::as_secs))
    };
    assert_eq!(read("{}"), Some(None));
    assert_eq!(read(r#"{"exp":null}"#), Some(None));
    assert_eq!(read(r#"{"exp":-3}"#), Some(Some(0)));
    assert_eq!(read(r#"{"exp":"1"}"#), None);
}
