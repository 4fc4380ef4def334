use super::*;

#[test]
fn algorithm_names_round_trip_and_none_is_refused() {
    for alg in Algorithm::ALL {
        assert_eq!(alg.as_str().parse::<Algorithm>().unwrap(), alg);
        assert_eq!(alg.to_string(), alg.as_str());
    }
    for bad in ["none", "es256", "EDDSA", "RS512", ""] {
        assert!(bad.parse::<Algorithm>().is_err(), "{bad:?}");
    }
    assert!(Algorithm::HS256.is_symmetric());
    assert!(!Algorithm::ES256.is_symmetric());
}

#[test]
fn jwk_algorithms_match_the_jose_names() {
    for alg in Algorithm::ALL {
        assert_eq!(alg.jwk_algorithm().to_string(), alg.as_str());
    }
}
