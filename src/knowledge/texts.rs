//! Every fixed text a user can see (`texts.toml`), so wording changes need no Rust.

use serde::Deserialize;

use super::source::SourceFile;
use crate::error::Result;

/// The user-visible texts. Topic answers are in [`super::TopicSpec`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    /// Ends every reply, byte for byte.
    pub disclaimer: String,
    /// The urgent reply for an emergency described now.
    pub emergency: String,
    /// The reply to a question that is not about sleep spasms.
    pub out_of_scope: String,
    /// The reply to a message with no readable question in it.
    pub unreadable: String,
    /// Put before an answer to a message that was cut to its beginning.
    pub truncated: String,
    /// Reply to a greeting.
    pub greeting: String,
    /// Reply to thanks.
    pub thanks: String,
    /// Reply to a goodbye.
    pub goodbye: String,
    /// Reply to "who are you?" or "help".
    pub about: String,
    /// Offer of a second topic; `{label}` and `{question}` are filled in.
    pub also_offer: String,
    /// Heading of a list of the articles.
    pub sources_heading: String,
    /// Terminal chat: the first line.
    pub chat_welcome: String,
    /// Terminal chat: `/help`.
    pub chat_help: String,
    /// Terminal chat: said on `/quit`.
    pub chat_goodbye: String,
}

impl Texts {
    /// Parses `texts.toml`.
    ///
    /// # Errors
    /// [`crate::Error::Malformed`] for bad TOML, a missing text, or an empty one.
    pub(crate) fn parse(file: &SourceFile) -> Result<Texts> {
        let texts: Texts = file.parse()?;
        let named = [
            ("disclaimer", &texts.disclaimer),
            ("emergency", &texts.emergency),
            ("out_of_scope", &texts.out_of_scope),
            ("unreadable", &texts.unreadable),
            ("greeting", &texts.greeting),
            ("also_offer", &texts.also_offer),
        ];
        for (name, text) in named {
            if text.trim().is_empty() {
                return Err(file.malformed_near(&format!("{name} ="), format!("`{name}` is empty")));
            }
        }
        Ok(texts)
    }
}
