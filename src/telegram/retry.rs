//! When a failed Bot API call is tried again, and how long to wait first.
//!
//! Network errors and server errors (5xx) are retried with exponential backoff;
//! a 429 is retried after the `retry_after` Telegram asks for. Anything else (a
//! bad request, a blocked bot) would fail again and is not retried. Only the
//! failed call is repeated, never the handling of the update, so a question
//! gets at most one answer. (A network error after Telegram received the call,
//! a timeout say, can still duplicate a message: the Bot API has no
//! idempotency key.)

use std::future::Future;
use std::time::Duration;

use teloxide::{ApiError, RequestError};

/// How often and how patiently to retry a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; `1` never retries.
    pub max_attempts: u32,
    /// The wait before the first retry; it doubles on each retry.
    pub first_backoff: Duration,
    /// The longest wait between two attempts after a network or server error.
    pub max_backoff: Duration,
    /// A 429 asking to wait longer than this is not retried.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// Eight attempts, 0.5 s, 1 s, 2 s, 4 s, then 8 s apart; a 429 is honoured up
    /// to 30 s. A question is worth half a minute of patience with Telegram.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// How long to wait before attempt `attempt + 1`, after attempt `attempt`
    /// (1-based) failed with `error`; `None` to give up.
    pub fn delay_after(&self, error: &RequestError, attempt: u32) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        match error {
            RequestError::RetryAfter(seconds) => Some(seconds.duration()).filter(|wait| *wait <= self.max_retry_after),
            error if is_transient(error) => Some(self.backoff(attempt)),
            _ => None,
        }
    }

    /// The exponential backoff after attempt `attempt` (1-based), capped.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.first_backoff.saturating_mul(factor).min(self.max_backoff)
    }
}

/// Whether the error is a network failure or a server error (5xx), which may
/// succeed if tried again.
///
/// teloxide does not keep the HTTP status: a 5xx with a JSON body becomes an
/// unknown API error carrying the reason phrase, and a 5xx with an HTML page
/// (from a proxy) becomes invalid JSON.
pub fn is_transient(error: &RequestError) -> bool {
    const SERVER_ERRORS: [&str; 4] = ["internal server error", "bad gateway", "service unavailable", "gateway timeout"];
    match error {
        RequestError::Network(_) | RequestError::InvalidJson { .. } => true,
        RequestError::Api(ApiError::Unknown(description)) => {
            let description = description.to_ascii_lowercase();
            SERVER_ERRORS.iter().any(|phrase| description.contains(phrase))
        }
        _ => false,
    }
}

/// Runs `call` until it succeeds or `policy` gives up, waiting between attempts.
/// `on_retry(error, attempt, wait)` is told about each retry (to log it).
///
/// # Errors
/// The last error, when the policy gives up.
pub async fn with_retry<T, F, Fut>(
    policy: &RetryPolicy,
    mut call: F,
    mut on_retry: impl FnMut(&RequestError, u32, Duration),
) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RequestError>>,
{
    let mut attempt = 1;
    loop {
        let error = match call().await {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        let Some(wait) = policy.delay_after(&error, attempt) else { return Err(error) };
        on_retry(&error, attempt, wait);
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use teloxide::types::Seconds;

    use super::*;

    fn server_error() -> RequestError {
        RequestError::Api(ApiError::Unknown("Internal Server Error".into()))
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let policy = RetryPolicy { max_attempts: 10, ..RetryPolicy::default() };
        let waits: Vec<u64> = (1..=6).map(|a| policy.backoff(a).as_millis() as u64).collect();
        assert_eq!(waits, [500, 1000, 2000, 4000, 8000, 8000]);
    }

    #[test]
    fn what_is_retried() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay_after(&server_error(), 1), Some(Duration::from_millis(500)));
        let bad_gateway = RequestError::Api(ApiError::Unknown("Bad Gateway".into()));
        assert_eq!(policy.delay_after(&bad_gateway, 2), Some(Duration::from_secs(1)));
        let too_many = RequestError::RetryAfter(Seconds::from_seconds(3));
        assert_eq!(policy.delay_after(&too_many, 1), Some(Duration::from_secs(3)));
        let too_long = RequestError::RetryAfter(Seconds::from_seconds(3600));
        assert_eq!(policy.delay_after(&too_long, 1), None, "waiting an hour is giving up");
        assert_eq!(policy.delay_after(&RequestError::Api(ApiError::BotBlocked), 1), None);
        assert_eq!(policy.delay_after(&RequestError::Api(ApiError::MessageIsTooLong), 1), None);
        assert_eq!(policy.delay_after(&server_error(), policy.max_attempts), None, "attempts are bounded");
    }

    #[tokio::test]
    async fn a_call_is_retried_until_it_succeeds_and_only_while_allowed() {
        let policy = RetryPolicy {
            first_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(2),
            ..RetryPolicy::default()
        };
        let calls = AtomicU32::new(0);
        let mut retries = Vec::new();
        let result = with_retry(
            &policy,
            || async {
                match calls.fetch_add(1, Ordering::SeqCst) {
                    0 | 1 => Err(server_error()),
                    n => Ok(n),
                }
            },
            |_, attempt, wait| retries.push((attempt, wait)),
        )
        .await;
        assert_eq!(result.ok(), Some(2));
        assert_eq!(retries, [(1, Duration::from_millis(1)), (2, Duration::from_millis(2))]);

        let calls = AtomicU32::new(0);
        let result: Result<(), _> = with_retry(
            &policy,
            || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(server_error())
            },
            |_, _, _| {},
        )
        .await;
        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), policy.max_attempts);
    }
}
