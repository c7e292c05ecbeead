//! Network helpers shared by every listener of a host or provider (the
//! host's admin endpoint, the httpserver provider).

use std::time::Duration;

/// First pause after a failed `accept`.
pub const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(5);
/// Longest pause between failed `accept`s.
pub const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

/// Exponential back-off for an accept loop. An `accept` that fails (out of
/// file descriptors, a network error) usually fails again at once; retrying
/// immediately spins a core and floods the log. Each failure doubles the
/// pause (from [`ACCEPT_BACKOFF_MIN`] up to [`ACCEPT_BACKOFF_MAX`]); a
/// success resets it.
#[derive(Debug, Clone)]
pub struct AcceptBackoff {
    next: Duration,
}

impl Default for AcceptBackoff {
    fn default() -> Self {
        AcceptBackoff {
            next: ACCEPT_BACKOFF_MIN,
        }
    }
}

impl AcceptBackoff {
    /// An accept succeeded: the next failure pauses the minimum again.
    pub fn succeeded(&mut self) {
        self.next = ACCEPT_BACKOFF_MIN;
    }

    /// An accept failed with `error`: logs it and returns how long to pause
    /// before the next attempt (doubling each time).
    pub fn failed(&mut self, what: &str, error: &std::io::Error) -> Duration {
        let pause = self.next;
        self.next = (self.next * 2).min(ACCEPT_BACKOFF_MAX);
        tracing::warn!(error = %error, pause_ms = pause.as_millis() as u64, "{what}: accept failed; pausing");
        pause
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_up_to_the_cap_and_reset_on_success() {
        let mut b = AcceptBackoff::default();
        let e = std::io::Error::other("EMFILE");
        let pauses: Vec<Duration> = (0..12).map(|_| b.failed("t", &e)).collect();
        assert_eq!(pauses[0], ACCEPT_BACKOFF_MIN);
        assert_eq!(pauses[1], ACCEPT_BACKOFF_MIN * 2);
        assert!(pauses.windows(2).all(|w| w[1] >= w[0]));
        assert_eq!(*pauses.last().unwrap(), ACCEPT_BACKOFF_MAX);
        b.succeeded();
        assert_eq!(b.failed("t", &e), ACCEPT_BACKOFF_MIN);
    }
}
