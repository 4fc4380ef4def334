//! The resource server's validation outcomes, counted through the `metrics`
//! facade (feature `metrics`).

use crate::vocab::error::{ValidationError, variant_name};

/// Tokens checked by [`Validator::validate`](crate::Validator::validate):
/// a counter labelled `outcome` (`valid` or `refused`) and, for refusals,
/// `reason` (the [`ValidationError`] variant, e.g. `Expired`).
pub const VALIDATIONS: &str = "client_credentials_validations_total";

/// Counts one outcome: valid, or refused with `refused`.
pub(crate) fn count(refused: Option<&ValidationError>) {
    match refused {
        None => metrics::counter!(VALIDATIONS, "outcome" => "valid").increment(1),
        Some(e) => metrics::counter!(
            VALIDATIONS,
            "outcome" => "refused",
            "reason" => variant_name(e)
        )
        .increment(1),
    }
}
