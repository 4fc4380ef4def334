//! The one CSPRNG handle of the crate: for keys, secrets, salts and token ids.

use std::sync::LazyLock;

use ring::rand::SystemRandom;

/// `SystemRandom` is stateless; sharing one just avoids re-creating it on the
/// hot path.
static RNG: LazyLock<SystemRandom> = LazyLock::new(SystemRandom::new);

/// The process-wide CSPRNG handle.
pub(crate) fn system_random() -> &'static SystemRandom {
    &RNG
}
