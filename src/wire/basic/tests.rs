use base64::Engine as _;

use super::*;

/// What the `base64` crate reads as standard base64 with optional padding: the
/// reference for the Basic credentials decoder.
fn reference_basic_base64(text: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
    const INDIFFERENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    INDIFFERENT.decode(text).ok()
}

fn basic_base64(text: &str) -> Option<Vec<u8>> {
    let unpadded = basic_base64_unpadded(text)?;
    base64_simd::STANDARD_NO_PAD.decode_to_vec(unpadded).ok()
}

#[test]
fn basic_base64_agrees_with_the_base64_crate() {
    for text in [
        "", "QQ", "QQ=", "QQ==", "QQ===", "QUI", "QUI=", "QUI==", "QUJD", "QUJD=", "Q", "Q=",
        "QR==", "QUJ=", "=", "==", "QQ=A", "Q Q=", "QQ-_", "YTpi",
    ] {
        assert_eq!(basic_base64(text), reference_basic_base64(text), "{text:?}");
    }
}

proptest::proptest! {
    #[test]
    fn basic_base64_agrees_with_the_base64_crate_on_any_text(
        text in "[A-Za-z0-9+/=_ -]{0,24}"
    ) {
        proptest::prop_assert_eq!(basic_base64(&text), reference_basic_base64(&text));
    }
}
