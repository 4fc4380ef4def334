use super::*;

#[test]
fn arithmetic_saturates() {
    let t = UnixTime::from_secs(10);
    assert_eq!(
        t.saturating_sub(Duration::from_secs(20)),
        UnixTime::from_secs(0)
    );
    assert_eq!(
        UnixTime::from_secs(u64::MAX).saturating_add(Duration::from_secs(1)),
        UnixTime::from_secs(u64::MAX)
    );
    assert_eq!(
        UnixTime::from_secs(30).duration_since(t),
        Duration::from_secs(20)
    );
    assert_eq!(t.duration_since(UnixTime::from_secs(30)), Duration::ZERO);
}

#[test]
fn converts_from_system_time() {
    let st = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    assert_eq!(UnixTime::from(st).as_secs(), 1_700_000_000);
    assert_eq!(
        UnixTime::from(UNIX_EPOCH - Duration::from_secs(1)).as_secs(),
        0
    );
}

#[cfg(feature = "time")]
#[test]
fn converts_to_and_from_offset_date_time() {
    let odt = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
    assert_eq!(UnixTime::from(odt).as_secs(), 1_700_000_000);
    assert_eq!(
        time::OffsetDateTime::from(UnixTime::from_secs(1_700_000_000)),
        odt
    );
    let before_epoch = time::OffsetDateTime::from_unix_timestamp(-5).unwrap();
    assert_eq!(UnixTime::from(before_epoch), UnixTime::from_secs(0));
    let far = time::OffsetDateTime::from(UnixTime::from_secs(u64::MAX));
    assert_eq!(far.year(), 9999);
}

#[test]
fn ceil_secs_rounds_up_and_saturates() {
    assert_eq!(ceil_secs(Duration::from_secs(3)), 3);
    assert_eq!(ceil_secs(Duration::from_millis(3001)), 4);
    assert_eq!(ceil_secs(Duration::from_nanos(1)), 1);
    assert_eq!(ceil_secs(Duration::ZERO), 0);
    assert_eq!(ceil_secs(Duration::MAX), u64::MAX);
}
