//! Keeping secrets and people's words out of the log. Every error string is
//! passed through a [`Redactor`] that removes the bot token and the webhook
//! secret (reqwest errors carry the request URL, and the URL carries the
//! token), and Telegram errors are described without the raw response body
//! (which can echo a message's text).

use std::sync::Arc;

use teloxide::RequestError;

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Removes the given secrets from text. Cheap to clone.
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Arc<[String]>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

impl Redactor {
    /// A redactor for these secrets. A bot token `id:secret` is also removed by
    /// its secret half alone, in case something prints only that part.
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Redactor {
        let mut all: Vec<String> = Vec::new();
        for secret in secrets.into_iter().filter(|s| !s.is_empty()) {
            all.push(secret.to_string());
            if let Some((_, half)) = secret.split_once(':').filter(|(_, half)| half.len() >= 8) {
                all.push(half.to_string());
            }
        }
        // Longest first, so a token is replaced whole before its half is looked for.
        all.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
        Redactor { secrets: all.into() }
    }

    /// `text` without any of the secrets.
    pub fn text(&self, text: &str) -> String {
        self.secrets.iter().fold(text.to_string(), |text, secret| redact(&text, secret))
    }

    /// A Telegram error, described safely and without secrets.
    pub fn error(&self, error: &RequestError) -> String {
        self.text(&describe(error))
    }

    /// Any error with its chain (`{:#}`), without secrets.
    pub fn chain(&self, error: &anyhow::Error) -> String {
        self.text(&format!("{error:#}"))
    }
}

/// `text` with every occurrence of `secret` replaced by [`REDACTED`].
pub fn redact(text: &str, secret: &str) -> String {
    if secret.is_empty() { text.to_string() } else { text.replace(secret, REDACTED) }
}

/// A description of a Telegram error that never includes a response body:
/// `InvalidJson` carries the raw body (which can contain a message's text), and
/// serde's message can quote a value from it, so only the position is kept.
pub fn describe(error: &RequestError) -> String {
    match error {
        RequestError::InvalidJson { source, .. } => format!(
            "Telegram sent a response that is not the expected JSON ({:?} error at line {}, column {})",
            source.classify(),
            source.line(),
            source.column()
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    const TOKEN: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ";

    #[test]
    fn the_token_and_its_secret_half_are_removed_everywhere() {
        let redactor = Redactor::new([TOKEN, "webhook-secret"]);
        let text = format!(
            "error sending request for url (https://api.telegram.org/bot{TOKEN}/getMe); \
             half AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ; header webhook-secret"
        );
        let clean = redactor.text(&text);
        assert!(!clean.contains(TOKEN) && !clean.contains("AAHdqTcv") && !clean.contains("webhook-secret"));
        assert_eq!(clean.matches(REDACTED).count(), 3, "{clean}");
        assert!(clean.contains("/bot[redacted]/getMe"));
    }

    #[test]
    fn an_empty_secret_changes_nothing() {
        assert_eq!(redact("abc", ""), "abc");
        assert_eq!(Redactor::new([""]).text("abc"), "abc");
        assert_eq!(Redactor::default().text("abc"), "abc");
    }

    #[test]
    fn invalid_json_is_described_without_the_body() {
        let body = r#"{"ok":true,"result":{"text":"my private question"}}"#;
        let source = serde_json::from_str::<u32>(r#""my private question""#).unwrap_err();
        let error = RequestError::InvalidJson { source: Arc::new(source), raw: body.into() };
        let text = describe(&error);
        assert!(!text.contains("private"), "{text}");
        assert!(text.contains("line 1"), "{text}");
    }

    #[test]
    fn debug_output_shows_no_secret() {
        let redactor = Redactor::new([TOKEN]);
        assert!(!format!("{redactor:?}").contains("AAH"));
    }
}
