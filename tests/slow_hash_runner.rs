//! PBKDF2 secret checks go through the `SlowHashRunner` set on the builder,
//! off the async worker thread; fast checks stay inline; a runner that does
//! not run the check makes the request fail, never pass.

mod fixtures;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use client_credentials::issuer::{SlowHashRunner, SlowHashWork};
use client_credentials::{ClientSecret, Reason};
use fixtures::*;

/// Runs the work inline and counts it.
#[derive(Clone, Default)]
struct Counting(Arc<AtomicUsize>);

impl SlowHashRunner for Counting {
    fn run(&self, work: SlowHashWork) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.0.fetch_add(1, Ordering::SeqCst);
        work.run();
        Box::pin(std::future::ready(()))
    }
}

/// Runs the work on tokio's blocking pool and records the thread it ran on.
#[derive(Clone, Default)]
struct SpawnBlocking(Arc<std::sync::Mutex<Vec<std::thread::ThreadId>>>);

impl SlowHashRunner for SpawnBlocking {
    fn run(&self, work: SlowHashWork) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        let threads = Arc::clone(&self.0);
        Box::pin(async move {
            let _ = tokio::task::spawn_blocking(move || {
                threads.lock().unwrap().push(std::thread::current().id());
                work.run();
            })
            .await;
        })
    }
}

/// Drops the work without running it.
struct Dropping;

impl SlowHashRunner for Dropping {
    fn run(&self, work: SlowHashWork) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        drop(work);
        Box::pin(std::future::ready(()))
    }
}

#[tokio::test]
async fn a_pbkdf2_check_goes_through_the_runner_and_a_fast_one_does_not() {
    let runner = Counting::default();
    let fx = Fixture::with(|b| b.slow_hash_runner(runner.clone()));

    assert_token(&fx.post_c1_basic(GRANT).await);
    assert_eq!(runner.0.load(Ordering::SeqCst), 1, "right PBKDF2 secret");
    assert_error(
        &fx.post_auth(&basic(C1, "wrong"), GRANT).await,
        401,
        "invalid_client",
    );
    assert_eq!(runner.0.load(Ordering::SeqCst), 2, "wrong PBKDF2 secret");

    let fast = fx.fast_secret.expose_secret().to_owned();
    assert_token(&fx.post_auth(&basic(FAST, &fast), GRANT).await);
    assert_error(
        &fx.post_auth(&basic(FAST, "wrong"), GRANT).await,
        401,
        "invalid_client",
    );
    assert_error(
        &fx.post_auth(&basic("nobody", "wrong"), GRANT).await,
        401,
        "invalid_client",
    );
    assert_eq!(
        runner.0.load(Ordering::SeqCst),
        2,
        "fast hashes and unknown ids stay inline"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn with_spawn_blocking_the_check_runs_off_the_worker_thread() {
    let runner = SpawnBlocking::default();
    let fx = Arc::new(Fixture::with(|b| b.slow_hash_runner(runner.clone())));
    let worker = {
        let fx = Arc::clone(&fx);
        tokio::spawn(async move {
            let response = fx.post_c1_basic(GRANT).await;
            (response, std::thread::current().id())
        })
    };
    let (response, worker_thread) = worker.await.unwrap();
    assert_token(&response);
    let threads = runner.0.lock().unwrap().clone();
    assert_eq!(threads.len(), 1);
    assert_ne!(threads[0], worker_thread);
}

#[tokio::test]
async fn a_runner_that_drops_the_check_fails_the_request() {
    let fx = Fixture::with(|b| b.slow_hash_runner(Dropping));
    assert_error(&fx.post_c1_basic(GRANT).await, 503, "server_error");
    let last = fx.audit.records().pop().unwrap();
    assert_eq!(
        last.outcome,
        client_credentials::audit::Outcome::Refused(Reason::SlowHashUnavailable)
    );
    // Fast checks do not need the runner.
    let fast = ClientSecret::new(fx.fast_secret.expose_secret());
    assert_token(
        &fx.post_auth(&basic(FAST, fast.expose_secret()), GRANT)
            .await,
    );
}
