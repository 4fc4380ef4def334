use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Claims {
    #[serde(serialize_with = "serialize", deserialize_with = "deserialize")]
    aud: Vec<String>,
}

fn read(aud: &str) -> Option<Vec<String>> {
    serde_json::from_str::<Claims>(&format!(r#"{{"aud":{aud}}}"#))
        .ok()
        .map(|c| c.aud)
}

#[test]
fn a_string_or_an_array_of_strings() {
    assert_eq!(read(r#""https://a/""#).unwrap(), ["https://a/"]);
    assert_eq!(
        read(r#"["https://a/","https://b/"]"#).unwrap(),
        ["https://a/", "https://b/"]
    );
    assert_eq!(read("[]").unwrap(), Vec::<String>::new());
    assert_eq!(read(r#""a\"b""#).unwrap(), ["a\"b"]);
    for bad in ["1", "[1]", "null", "{}", r#"["a",null]"#] {
        assert_eq!(read(bad), None, "{bad}");
    }
}

#[test]
fn one_is_written_as_a_string_and_several_as_an_array() {
    let write = |aud: &[&str]| {
        serde_json::to_string(&Claims {
            aud: aud.iter().map(|a| a.to_string()).collect(),
        })
        .unwrap()
    };
    assert_eq!(write(&["https://a/"]), r#"{"aud":"https://a/"}"#);
    assert_eq!(write(&["a", "b"]), r#"{"aud":["a","b"]}"#);
    assert_eq!(write(&[]), r#"{"aud":[]}"#);
}

#[test]
fn an_optional_aud_reads_null_as_absent() {
    #[derive(Deserialize)]
    struct Optional {
        #[serde(default, deserialize_with = "option")]
        aud: Option<Vec<String>>,
    }
    let read = |json: &str| serde_json::from_str::<Optional>(json).ok().map(|o| o.aud);
    assert_eq!(read("{}"), Some(None));
    assert_eq!(read(r#"{"aud":null}"#), Some(None));
    assert_eq!(read(r#"{"aud":"a"}"#), Some(Some(vec!["a".to_owned()])));
    assert_eq!(read(r#"{"aud":[]}"#), Some(Some(vec![])));
    assert_eq!(read(r#"{"aud":1}"#), None);
}
