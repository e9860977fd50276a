//! One knowledge file as text, and parsing it as TOML with errors that name the
//! file, the line and the column.

use std::borrow::Cow;

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// The text of one knowledge file, named by its path relative to the knowledge folder.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the knowledge folder, with `/` separators (`articles/x.toml`).
    pub path: String,
    /// The file's text.
    pub text: Cow<'static, str>,
    /// Embedded in the binary and checked whole by the test suite: its patterns
    /// are compiled when a message first needs them, not when it loads.
    pub trusted: bool,
}

impl SourceFile {
    /// Parses the whole file as TOML into `T`.
    ///
    /// # Errors
    /// [`Error::Malformed`] with the line and column of the first problem.
    pub(crate) fn parse<T: DeserializeOwned>(&self) -> Result<T> {
        toml::from_str(&self.text).map_err(|err| {
            let offset = err.span().map_or(0, |span| span.start);
            self.malformed_at(offset, err.message().trim().to_string())
        })
    }

    /// An [`Error::Malformed`] for the byte `offset` of this file.
    pub(crate) fn malformed_at(&self, offset: usize, reason: impl Into<String>) -> Error {
        let (line, column) = line_and_column(&self.text, offset);
        Error::Malformed { file: self.path.clone(), line, column, reason: reason.into() }
    }

    /// An [`Error::Malformed`] at the first place `needle` occurs (or line 1).
    pub(crate) fn malformed_near(&self, needle: &str, reason: impl Into<String>) -> Error {
        let offset = self.text.find(needle).unwrap_or(0);
        self.malformed_at(offset, reason)
    }

    /// The 1-based line of byte `offset`.
    pub(crate) fn line_at(&self, offset: usize) -> usize {
        line_and_column(&self.text, offset).0
    }

    /// Wraps a value parsed from this file with the place it came from.
    pub(crate) fn locate<T>(&self, spanned: toml::Spanned<T>) -> Located<T> {
        let (line, column) = line_and_column(&self.text, spanned.span().start);
        Located { value: spanned.into_inner(), file: self.path.clone(), line, column }
    }
}

/// A value from a knowledge file, with the place it was written, so a later check
/// (a backing passage not found in the articles, say) can point a curator to it.
#[derive(Debug, Clone)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// The file, relative to the knowledge folder.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl<T> Located<T> {
    /// An [`Error::Malformed`] pointing at this value.
    pub fn error(&self, reason: impl Into<String>) -> Error {
        Error::Malformed { file: self.file.clone(), line: self.line, column: self.column, reason: reason.into() }
    }
}

/// The 1-based line and column (in characters) of byte `offset` in `text`.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &'static str) -> SourceFile {
        SourceFile { path: "x.toml".into(), text: Cow::Borrowed(text), trusted: false }
    }

    #[test]
    fn line_and_column_are_one_based() {
        assert_eq!(line_and_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_and_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_and_column("é\nx", 1), (1, 1), "inside a char rounds down");
    }

    #[test]
    fn malformed_toml_names_file_line_and_reason() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Doc {
            a: String,
        }
        let err = file("# comment\na = \"ok\"\nb = [\n").parse::<Doc>().unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("x.toml:"), "{text}");
        match err {
            Error::Malformed { line, .. } => assert!(line >= 3, "line {line}"),
            other => panic!("unexpected {other:?}"),
        }
    }
}
