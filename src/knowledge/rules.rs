//! Pattern rules curated as data: site junk (`junk.toml`). Each list compiles
//! once into a [`RuleSet`], so a bad pattern fails loading with its file and
//! line, and matching a line costs one pass.

use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use serde::Deserialize;

use super::source::SourceFile;
use crate::error::Result;

/// Regular expressions, each with the reason a curator gave for it.
#[derive(Debug, Clone)]
pub struct RuleSet {
    patterns: RegexSet,
    reasons: Vec<String>,
}

impl RuleSet {
    /// The reason of the first rule (in file order) that matches `text`.
    pub fn first_match(&self, text: &str) -> Option<&str> {
        // Most messages match nothing: the cheap check settles them without
        // searching for every pattern that matches.
        if !self.patterns.is_match(text) {
            return None;
        }
        let first = self.patterns.matches(text).into_iter().next()?;
        Some(&self.reasons[first])
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.reasons.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.reasons.is_empty()
    }
}

/// How to strip site junk from article bodies.
#[derive(Debug, Clone)]
pub struct JunkRules {
    /// A line matching one of these (case-insensitive) is dropped.
    pub drop_line: RuleSet,
    /// From the first line matching one of these, the rest of the article is dropped.
    pub cut_rest: RuleSet,
    /// Brand names the scraper glued to the next word; removed where glued.
    pub glued_brands: Vec<GluedBrand>,
}

/// A brand name glued to the next word ("FastlyHealarticle").
#[derive(Debug, Clone)]
pub struct GluedBrand {
    /// The brand as written.
    pub name: String,
    /// Matches the brand (and a following ".com") where a lower-case letter follows it.
    pub glued: Regex,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleEntry {
    reason: String,
    pattern: toml::Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BrandEntry {
    name: toml::Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JunkFile {
    #[serde(default)]
    drop_line: Vec<RuleEntry>,
    #[serde(default)]
    cut_rest: Vec<RuleEntry>,
    #[serde(default)]
    glued_brand: Vec<BrandEntry>,
}

impl JunkRules {
    /// Parses `junk.toml`.
    ///
    /// # Errors
    /// [`crate::Error::Malformed`] for bad TOML or a pattern that does not compile.
    pub(crate) fn parse(file: &SourceFile) -> Result<JunkRules> {
        let parsed: JunkFile = file.parse()?;
        let mut glued_brands = Vec::new();
        for brand in parsed.glued_brand {
            let located = file.locate(brand.name);
            if located.value.trim().is_empty() {
                return Err(located.error("a glued brand needs a name"));
            }
            let pattern = format!(r"(?i){}(?:\s?\.com)?(\p{{Ll}})", regex::escape(located.value.trim()));
            let glued = Regex::new(&pattern).map_err(|err| located.error(err.to_string()))?;
            glued_brands.push(GluedBrand { name: located.value, glued });
        }
        Ok(JunkRules {
            drop_line: compile(file, parsed.drop_line)?,
            cut_rest: compile(file, parsed.cut_rest)?,
            glued_brands,
        })
    }
}

/// Compiles all patterns into one set. Only when that fails are they compiled one
/// by one, to point at the bad one.
fn compile(file: &SourceFile, entries: Vec<RuleEntry>) -> Result<RuleSet> {
    // Junk lines are mixed case.
    let ignore_case = true;
    let built =
        RegexSetBuilder::new(entries.iter().map(|entry| entry.pattern.get_ref())).case_insensitive(ignore_case).build();
    match built {
        Ok(patterns) => Ok(RuleSet { patterns, reasons: entries.into_iter().map(|entry| entry.reason).collect() }),
        Err(set_error) => {
            for entry in entries {
                let located = file.locate(entry.pattern);
                if let Err(err) = RegexBuilder::new(&located.value).case_insensitive(ignore_case).build() {
                    return Err(located.error(format!("bad pattern: {err}")));
                }
            }
            // Each pattern compiles alone but the set does not (too large, say).
            Err(file.malformed_at(0, format!("the patterns do not compile together: {set_error}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    fn file(text: &'static str) -> SourceFile {
        SourceFile { path: "junk.toml".into(), text: Cow::Borrowed(text), trusted: false }
    }

    #[test]
    fn first_matching_rule_gives_its_reason() {
        let rules = JunkRules::parse(&file(
            "[[drop_line]]\nreason = \"a\"\npattern = 'share post'\n[[drop_line]]\nreason = \"b\"\npattern = 'share'\n",
        ))
        .unwrap();
        assert_eq!(rules.drop_line.first_match("Share post:"), Some("a"));
        assert_eq!(rules.drop_line.first_match("share it"), Some("b"));
        assert_eq!(rules.drop_line.first_match("asleep"), None);
    }

    #[test]
    fn a_bad_pattern_names_its_line() {
        let err = JunkRules::parse(&file(
            "[[cut_rest]]\nreason = \"a\"\npattern = 'ok'\n[[cut_rest]]\nreason = \"b\"\npattern = '(unclosed'\n",
        ))
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("junk.toml:6:"), "{err}");
        assert!(err.contains("bad pattern"), "{err}");
    }
}
