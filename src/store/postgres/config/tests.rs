use super::PostgresConfig;

#[test]
fn debug_never_shows_a_password() {
    for url in [
        "postgres://app:hunter2-secret@db.example.com:5432/registry",
        "postgres://app:hunter2-secret@db.example.com/registry?sslmode=require",
        "postgres://db.example.com/registry?password=hunter2-secret",
        "host=db.example.com user=app password=hunter2-secret dbname=registry",
    ] {
        let shown = format!("{:?}", PostgresConfig::new(url));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("db.example.com"), "{shown}");
    }
}

#[test]
fn schema_names_are_checked_before_they_reach_sql() {
    let ok = PostgresConfig::new("postgres://h/db").schema("tenant_1");
    assert_eq!(ok.quoted_schema().unwrap(), "\"tenant_1\"");
    for bad in ["", "1abc", "a\"b", "a b", "a;drop", &"x".repeat(64)] {
        let config = PostgresConfig::new("postgres://h/db").schema(bad);
        assert!(config.quoted_schema().is_err(), "{bad:?}");
    }
}
