//! The axum example's `/metrics`: after a token is issued and one refused,
//! a Prometheus scrape shows the crate's counters.

mod fixtures;

use std::net::SocketAddr;

use client_credentials_examples::axum_server::{metrics, routes};
use client_credentials_examples::demo;
use fixtures::{bind, bounded, http_client, token_basic};

/// The value of the sample of `name` whose labels include every one of
/// `labels` (`key="value"`), in the text format.
fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter(|line| {
            line.starts_with(&format!("{name}{{")) || line.starts_with(&format!("{name} "))
        })
        .find(|line| labels.iter().all(|l| line.contains(l)))
        .and_then(|line| line.rsplit(' ').next()?.parse().ok())
}

#[tokio::test]
async fn a_scrape_after_issuing_sees_the_counters() {
    bounded(async {
        let handle = metrics::prometheus();
        let (listener, addr) = bind().await;
        let demo = demo::Demo::new(addr).unwrap();
        let app = metrics::with_metrics(routes::router(demo.issuer.clone()), handle)
            .into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(axum::serve(listener, app).into_future());
        let base = format!("http://{addr}");

        let (status, body) = token_basic(
            &base,
            demo::CLIENT_ID,
            demo.secret.expose_secret(),
            "demo:read",
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let (status, _) = token_basic(&base, demo::CLIENT_ID, "not-the-secret", "demo:read").await;
        assert_eq!(status, 401);

        let scrape = http_client()
            .get(format!("{base}/metrics"))
            .send()
            .await
            .unwrap();
        assert_eq!(scrape.status(), 200);
        let content_type = scrape.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(content_type.starts_with("text/plain"), "{content_type}");
        let text = scrape.text().await.unwrap();
        assert_eq!(
            sample(
                &text,
                "client_credentials_tokens_issued_total",
                &[r#"auth_method="client_secret_basic""#]
            ),
            Some(1.0),
            "{text}"
        );
        assert_eq!(
            sample(
                &text,
                "client_credentials_refusals_total",
                &[r#"reason="WrongSecret""#, r#"error="invalid_client""#]
            ),
            Some(1.0),
            "{text}"
        );
        assert!(!text.contains(demo.secret.expose_secret()));
    })
    .await;
}
