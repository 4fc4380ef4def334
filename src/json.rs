//! JSON values appended to a reused buffer on the hot path. `serde_json` writes
//! each value (its escaping, its integers); the object around them is written
//! by the caller, member by member, without building values or a serializer
//! for the whole.

/// Appends `value` as a JSON string.
pub(crate) fn push_str(out: &mut Vec<u8>, value: &str) {
    serde_json::to_writer(out, value).expect("writing to a Vec cannot fail");
}

/// Appends `value` as a JSON integer.
pub(crate) fn push_u64(out: &mut Vec<u8>, value: u64) {
    serde_json::to_writer(out, &value).expect("writing to a Vec cannot fail");
}
