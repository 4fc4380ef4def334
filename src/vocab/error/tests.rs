use super::*;
use crate::vocab::grant_refusal::GrantRefusal;

const ALL: &[Reason] = &[
    Reason::MethodNotAllowed,
    Reason::UnsupportedContentType,
    Reason::BodyTooLarge,
    Reason::MalformedBody,
    Reason::RepeatedParameter("scope"),
    Reason::MissingGrantType,
    Reason::CredentialsInUri,
    Reason::MultipleAuthMethods,
    Reason::MalformedAuthorization,
    Reason::RepeatedAuthorization,
    Reason::SecretWithoutClientId,
    Reason::UnsupportedGrantType,
    Reason::UnsupportedAuthScheme,
    Reason::ClientIdMismatch,
    Reason::NoClientAuthentication,
    Reason::UnknownClient,
    Reason::WrongSecret,
    Reason::AuthMethodNotAllowed,
    Reason::PublicClient,
    Reason::Throttled,
    Reason::ClientDisabled,
    Reason::GrantNotAllowed,
    Reason::CredentialRevoked,
    Reason::MalformedScope,
    Reason::ScopeNotAllowed,
    Reason::NoScope,
    Reason::MalformedResource,
    Reason::ResourceNotAllowed,
    Reason::TooManyResources,
    Reason::NoAudience,
    Reason::MissingToken,
    Reason::TokenNotOwned,
    Reason::StoreUnavailable,
    Reason::SigningFailed,
    Reason::AssertionIncomplete,
    Reason::AssertionTypeUnsupported,
    Reason::MalformedAssertion,
    Reason::AssertionUnsigned,
    Reason::AssertionAlgorithmNotAllowed,
    Reason::AssertionTypeHeaderRefused,
    Reason::AssertionCriticalHeader,
    Reason::AssertionIssuerMismatch,
    Reason::AssertionAudienceMismatch,
    Reason::AssertionMissingExpiry,
    Reason::AssertionExpired,
    Reason::AssertionLifetimeTooLong,
    Reason::AssertionNotYetValid,
    Reason::AssertionStale,
    Reason::AssertionMissingJti,
    Reason::AssertionUnknownKey,
    Reason::AssertionBadSignature,
    Reason::AssertionReplayed,
    Reason::ClientJwksUnavailable,
    Reason::ReplayQuotaExceeded,
    Reason::ReplayGuardUnavailable,
    Reason::IntrospectionNotAllowed,
    Reason::ExtraClaimsRefused,
    Reason::SlowHashUnavailable,
    Reason::MissingAssertion,
    Reason::InvalidGrant(GrantRefusal::Malformed),
    Reason::InvalidGrant(GrantRefusal::UntrustedIssuer),
    Reason::InvalidGrant(GrantRefusal::NoMatchingRule),
];

const GRANT_REFUSALS: &[GrantRefusal] = &[
    GrantRefusal::Malformed,
    GrantRefusal::UntrustedIssuer,
    GrantRefusal::IssuerKeysUnavailable,
    GrantRefusal::Unsigned,
    GrantRefusal::AlgorithmNotAllowed,
    GrantRefusal::TypeRefused,
    GrantRefusal::CriticalHeader,
    GrantRefusal::UnknownKey,
    GrantRefusal::BadSignature,
    GrantRefusal::MalformedClaims,
    GrantRefusal::MissingClaim,
    GrantRefusal::AudienceMismatch,
    GrantRefusal::Expired,
    GrantRefusal::NotYetValid,
    GrantRefusal::LifetimeTooLong,
    GrantRefusal::NoMatchingRule,
    GrantRefusal::ClientMismatch,
    GrantRefusal::Revoked,
    GrantRefusal::MissingJti,
    GrantRefusal::Replayed,
    GrantRefusal::ReplayQuotaExceeded,
];

#[test]
fn c142_every_grant_refusal_is_the_same_invalid_grant_400() {
    for g in GRANT_REFUSALS {
        let r = Reason::InvalidGrant(*g);
        assert_eq!(r.code(), ErrorCode::InvalidGrant, "{r:?}");
        assert_eq!(r.status(), 400, "{r:?}");
        assert_eq!(
            r.error_description(),
            Reason::InvalidGrant(GrantRefusal::Malformed).error_description()
        );
        assert!(!r.is_outage());
        assert!(r.to_string().contains(&g.to_string()));
    }
    assert_eq!(Reason::MissingAssertion.code(), ErrorCode::InvalidRequest);
    assert_eq!(ErrorCode::InvalidGrant.as_str(), "invalid_grant");
}

#[test]
fn c33_descriptions_are_nqschar() {
    for r in ALL {
        let d = r.error_description();
        assert!(!d.is_empty());
        assert!(
            d.bytes()
                .all(|b| matches!(b, 0x20 | 0x21 | 0x23..=0x5B | 0x5D..=0x7E)),
            "{r:?}: {d:?}"
        );
    }
}

#[test]
fn c28_c139_every_invalid_client_is_401() {
    for r in ALL {
        if r.code() == ErrorCode::InvalidClient && *r != Reason::Throttled {
            assert_eq!(r.status(), 401, "{r:?}");
        }
    }
    assert_eq!(Reason::Throttled.status(), 429);
    assert_eq!(Reason::MalformedAuthorization.status(), 401);
    assert_eq!(Reason::MissingGrantType.status(), 400);
    assert_eq!(Reason::StoreUnavailable.status(), 503);
    assert_eq!(
        TokenError::new(Reason::StoreUnavailable).retry_after_secs(),
        Some(1)
    );
    assert_eq!(Reason::SigningFailed.status(), 500);
    assert_eq!(
        TokenError::new(Reason::SigningFailed).retry_after_secs(),
        None
    );
}

#[test]
fn authentication_failures_look_alike_on_the_wire() {
    assert_eq!(
        Reason::UnknownClient.error_description(),
        Reason::WrongSecret.error_description()
    );
}

#[test]
fn c48_c139_every_assertion_failure_is_the_same_invalid_client_401() {
    let assertion_failures = ALL.iter().filter(|r| {
        let name = format!("{r:?}");
        (name.contains("Assertion") || name.contains("Jwks"))
            && !matches!(r, Reason::AssertionIncomplete | Reason::MissingAssertion)
    });
    let mut count = 0;
    for r in assertion_failures {
        count += 1;
        assert_eq!(r.code(), ErrorCode::InvalidClient, "{r:?}");
        assert_eq!(r.status(), 401, "{r:?}");
        assert_eq!(
            r.error_description(),
            Reason::WrongSecret.error_description(),
            "{r:?}"
        );
    }
    assert_eq!(count, 18);
    assert_eq!(
        Reason::AssertionIncomplete.code(),
        ErrorCode::InvalidRequest
    );
    assert_eq!(Reason::ReplayGuardUnavailable.status(), 503);
}

#[test]
fn store_error_keeps_its_source() {
    let e = StoreError::msg("connection refused");
    assert!(e.to_string().contains("connection refused"));
    assert!(e.source().is_some());
}

#[test]
fn exactly_the_client_authentication_failures_share_one_description() {
    for r in ALL {
        let uniform = r.code() == ErrorCode::InvalidClient
            && !matches!(r, Reason::MalformedAuthorization | Reason::Throttled);
        assert_eq!(
            r.error_description() == "client authentication failed",
            uniform,
            "{r:?}"
        );
    }
}

#[test]
fn every_reason_has_a_row_on_the_operations_page() {
    let page = include_str!("../../manual/operations.rs");
    for r in ALL {
        let name = format!("{r:?}");
        let name = name.split('(').next().unwrap();
        assert!(page.contains(&format!("//! | `{name}` |")), "{name}");
    }
}
