//! The resource server's validation outcomes, counted through the `metrics`
//! facade (feature `metrics`).

use crate::resource::validator::VerifiedToken;
use crate::vocab::error::{ValidationError, variant_name};

/// Tokens checked by [`Validator::validate`](crate::Validator::validate):
/// a counter labelled `outcome` (`valid` or `refused`) and, for refusals,
/// `reason` (the [`ValidationError`] variant, e.g. `Expired`).
pub const VALIDATIONS: &str = "client_credentials_validations_total";

/// Counts one outcome.
pub(crate) fn count(result: &Result<VerifiedToken, ValidationError>) {
    match result {
        Ok(_) => metrics::counter!(VALIDATIONS, "outcome" => "valid").increment(1),
        Err(e) => metrics::counter!(
            VALIDATIONS,
            "outcome" => "refused",
            "reason" => variant_name(e)
        )
        .increment(1),
    }
}
