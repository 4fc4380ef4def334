//! Where slow hash work runs: [`SlowHashRunner`], the hook that moves PBKDF2
//! secret checks off the async worker thread.
//!
//! A PBKDF2 check with the default iterations costs about 100 ms of CPU. Run
//! inline inside [`Issuer::authenticate`](crate::Issuer::authenticate), it
//! blocks the async worker thread that polls it, and every other request that
//! worker holds waits. The crate does no I/O and knows no runtime, so it cannot
//! move the work itself: the application hands it a runner that does. Fast
//! (SHA-256) checks cost about 100 ns and always run inline.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

/// Runs slow hash work (PBKDF2 secret checks) away from the async worker
/// thread. Set one with
/// [`IssuerBuilder::slow_hash_runner`](crate::issuer::IssuerBuilder::slow_hash_runner);
/// without one, the work runs inline, on the thread that polls the
/// authentication.
///
/// With tokio, the runner is `spawn_blocking`:
///
/// ```
/// use std::future::Future;
/// use std::pin::Pin;
///
/// use client_credentials::issuer::{SlowHashRunner, SlowHashWork};
///
/// struct SpawnBlocking;
///
/// impl SlowHashRunner for SpawnBlocking {
///     fn run(&self, work: SlowHashWork) -> Pin<Box<dyn Future<Output = ()> + Send>> {
///         Box::pin(async move {
///             // A join error means the work did not finish: the issuer then
///             // answers `server_error`.
///             let _ = tokio::task::spawn_blocking(move || work.run()).await;
///         })
///     }
/// }
/// ```
pub trait SlowHashRunner: Send + Sync {
    /// Runs `work` to completion, on a thread where blocking is allowed, and
    /// resolves once it has run. If the returned future resolves before `work`
    /// ran (it was dropped, or its thread panicked), the authentication fails
    /// with `server_error`: the check is never skipped.
    fn run(&self, work: SlowHashWork) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

/// One slow hash check, handed to a [`SlowHashRunner`]: call
/// [`run`](Self::run) once, where blocking is allowed. It owns its inputs (a
/// copy of the presented secret, zeroized on drop), so it can move to another
/// thread.
pub struct SlowHashWork(Box<dyn FnOnce() + Send>);

impl SlowHashWork {
    /// Does the work: CPU only, no I/O.
    pub fn run(self) {
        (self.0)();
    }
}

impl fmt::Debug for SlowHashWork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SlowHashWork")
    }
}

/// Runs `check` through `runner`, or inline without one. `None` when the
/// runner resolved without running it.
pub(crate) async fn run_slow<T: Send + 'static>(
    runner: Option<&dyn SlowHashRunner>,
    check: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let Some(runner) = runner else {
        return Some(check());
    };
    let slot = Arc::new(Mutex::new(None));
    let filled = Arc::clone(&slot);
    let work = SlowHashWork(Box::new(move || {
        let outcome = check();
        *filled.lock().unwrap_or_else(|e| e.into_inner()) = Some(outcome);
    }));
    runner.run(work).await;
    slot.lock().unwrap_or_else(|e| e.into_inner()).take()
}
