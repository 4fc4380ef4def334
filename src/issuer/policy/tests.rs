use std::time::Duration;

use super::*;
use crate::issuer::token_request::TokenRequest;
use crate::store::client::Client;
use crate::vocab::ids::ClientId;
use crate::wire::request::RequestParts;

fn client() -> Client {
    Client::builder(ClientId::new("c1").unwrap())
        .allowed_scopes(ScopeSet::from_strs(["mcp:read", "mcp:write"]).unwrap())
        .default_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .allowed_audience(Audience::new("https://mcp.example.com/mcp").unwrap())
        .allowed_audience(Audience::new("https://mcp2.example.com/mcp").unwrap())
        .default_audience(Audience::new("https://mcp.example.com/mcp").unwrap())
        .build()
        .unwrap()
}

fn request(extra: &str) -> TokenRequest {
    let body = format!("grant_type=client_credentials&client_id=c1&client_secret=x{extra}");
    TokenRequest::parse(&RequestParts::form_post(body.as_bytes()), 4096).unwrap()
}

#[test]
fn c19_default_scope_or_invalid_scope() {
    let g = Policy::default().grant(&client(), &request("")).unwrap();
    assert_eq!(g.scope.to_string(), "mcp:read");
    let bare = Client::builder(ClientId::new("c2").unwrap())
        .allowed_scopes(ScopeSet::from_strs(["a"]).unwrap())
        .default_audience(Audience::new("https://x.example").unwrap())
        .build()
        .unwrap();
    assert_eq!(
        Policy::default().grant(&bare, &request("")).unwrap_err(),
        Reason::NoScope
    );
}

#[test]
fn c21_refuse_by_default_downscope_when_chosen() {
    let req = request("&scope=mcp%3Aread+admin");
    assert_eq!(
        Policy::default().grant(&client(), &req).unwrap_err(),
        Reason::ScopeNotAllowed
    );
    let down = Policy {
        scope_policy: ScopePolicy::Downscope,
        ..Policy::default()
    };
    assert_eq!(
        down.grant(&client(), &req).unwrap().scope.to_string(),
        "mcp:read"
    );
    let nothing = request("&scope=admin");
    assert_eq!(
        down.grant(&client(), &nothing).unwrap_err(),
        Reason::ScopeNotAllowed
    );
}

#[test]
fn c20_case_matters() {
    let req = request("&scope=MCP%3AREAD");
    assert_eq!(
        Policy::default().grant(&client(), &req).unwrap_err(),
        Reason::ScopeNotAllowed
    );
}

#[test]
fn c57_c58_c68_c73_audiences() {
    let p = Policy::default();
    assert_eq!(
        p.grant(&client(), &request("")).unwrap().audiences[0].as_str(),
        "https://mcp.example.com/mcp"
    );
    let upper = request("&resource=HTTPS%3A%2F%2FMCP.EXAMPLE.COM%2Fmcp");
    assert_eq!(
        p.grant(&client(), &upper).unwrap().audiences[0].as_str(),
        "https://mcp.example.com/mcp",
        "the registered spelling goes into aud (C135)"
    );
    let unknown = request("&resource=https%3A%2F%2Funknown.example%2Fmcp");
    assert_eq!(
        p.grant(&client(), &unknown).unwrap_err(),
        Reason::ResourceNotAllowed
    );
    let no_default = Client::builder(ClientId::new("c3").unwrap())
        .allowed_scopes(ScopeSet::from_strs(["a"]).unwrap())
        .default_scopes(ScopeSet::from_strs(["a"]).unwrap())
        .build()
        .unwrap();
    assert_eq!(
        p.grant(&no_default, &request("")).unwrap_err(),
        Reason::NoAudience
    );
}

#[test]
fn c70_c59_one_resource_by_default_several_when_allowed() {
    let two = request(
        "&resource=https%3A%2F%2Fmcp.example.com%2Fmcp&resource=https%3A%2F%2Fmcp2.example.com%2Fmcp",
    );
    assert_eq!(
        Policy::default().grant(&client(), &two).unwrap_err(),
        Reason::TooManyResources
    );
    let multi = Policy {
        max_resources_per_token: 4,
        ..Policy::default()
    };
    assert_eq!(multi.grant(&client(), &two).unwrap().audiences.len(), 2);
}

#[test]
fn c124_lifetimes_default_short_and_capped() {
    let p = Policy::default();
    assert!(p.default_token_lifetime <= Duration::from_secs(3600));
    assert_eq!(
        p.grant(&client(), &request("")).unwrap().lifetime,
        p.default_token_lifetime
    );
    let long = Client::builder(ClientId::new("c4").unwrap())
        .allowed_scopes(ScopeSet::from_strs(["a"]).unwrap())
        .default_scopes(ScopeSet::from_strs(["a"]).unwrap())
        .default_audience(Audience::new("https://x.example").unwrap())
        .token_lifetime(Duration::from_secs(86_400))
        .build()
        .unwrap();
    assert_eq!(
        p.grant(&long, &request("")).unwrap().lifetime,
        p.max_token_lifetime
    );
}

#[test]
fn c18_a_disabled_client_or_one_without_the_grant_gets_nothing() {
    let base = || {
        Client::builder(ClientId::new("c1").unwrap())
            .allowed_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
            .default_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
            .default_audience(Audience::new("https://mcp.example.com/mcp").unwrap())
    };
    let disabled = base().enabled(false).build().unwrap();
    assert_eq!(
        Policy::default()
            .grant(&disabled, &request(""))
            .unwrap_err(),
        Reason::ClientDisabled
    );
    let no_grant = base().client_credentials_grant(false).build().unwrap();
    assert_eq!(
        Policy::default()
            .grant(&no_grant, &request(""))
            .unwrap_err(),
        Reason::GrantNotAllowed
    );
    assert!(
        Policy::default()
            .grant(&base().build().unwrap(), &request(""))
            .is_ok()
    );
}
