use super::*;

#[test]
fn fixed_clock_moves_only_when_told() {
    let c = FixedClock::new(UnixTime::from_secs(100));
    assert_eq!(c.now().as_secs(), 100);
    c.advance(Duration::from_secs(5));
    assert_eq!(c.now().as_secs(), 105);
    c.set(UnixTime::from_secs(7));
    assert_eq!(c.now().as_secs(), 7);
}
