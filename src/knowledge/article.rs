//! An article as published: title, publisher and the raw body, junk included.

use serde::Deserialize;

use super::source::SourceFile;
use crate::error::Result;

/// One article from `knowledge/articles/`, before cleaning.
#[derive(Debug, Clone)]
pub struct Article {
    /// The file name without `.toml`; stable across runs.
    pub id: String,
    /// The article's title.
    pub title: String,
    /// Who published it (the site), named beside every quote.
    pub publisher: String,
    /// The body as scraped, site junk included.
    pub body: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArticleFile {
    title: toml::Spanned<String>,
    publisher: toml::Spanned<String>,
    /// Which file of the scraped seeds this came from; kept for provenance only.
    #[allow(dead_code)]
    seed: Option<String>,
    body: toml::Spanned<String>,
}

impl Article {
    /// Parses one article file.
    ///
    /// # Errors
    /// [`crate::Error::Malformed`] for bad TOML or an empty title, publisher or body.
    pub(crate) fn parse(file: &SourceFile) -> Result<Article> {
        let parsed: ArticleFile = file.parse()?;
        for (name, field) in [("title", &parsed.title), ("publisher", &parsed.publisher), ("body", &parsed.body)] {
            if field.get_ref().trim().is_empty() {
                return Err(file.locate(field.clone()).error(format!("`{name}` is empty")));
            }
        }
        let id = file.path.rsplit('/').next().unwrap_or(&file.path).trim_end_matches(".toml").to_string();
        Ok(Article {
            id,
            title: parsed.title.into_inner().trim().to_string(),
            publisher: parsed.publisher.into_inner().trim().to_string(),
            body: parsed.body.into_inner(),
        })
    }
}
