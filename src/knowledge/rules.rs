//! Pattern rules curated as data: site junk (`junk.toml`) and emergencies
//! (`safety.toml`). Regexes are compiled once, here, so a bad one fails loading
//! with its file and line.

use regex::{Regex, RegexBuilder};
use serde::Deserialize;

use super::source::SourceFile;
use crate::error::Result;

/// A regular expression with the reason a curator gave for it.
#[derive(Debug, Clone)]
pub struct LineRule {
    /// Why text matching the rule is treated specially ("promo line").
    pub reason: String,
    /// The compiled, case-insensitive pattern.
    pub regex: Regex,
}

/// How to strip site junk from article bodies.
#[derive(Debug, Clone)]
pub struct JunkRules {
    /// A line matching one of these is dropped.
    pub drop_line: Vec<LineRule>,
    /// From the first line matching one of these, the rest of the article is dropped.
    pub cut_rest: Vec<LineRule>,
    /// Brand names the scraper glued to the next word; removed where glued.
    pub glued_brands: Vec<GluedBrand>,
}

/// A brand name glued to the next word ("FastlyHealarticle").
#[derive(Debug, Clone)]
pub struct GluedBrand {
    /// The brand as written.
    pub name: String,
    /// Matches the brand (and a following ".com") where a letter follows it directly.
    pub glued: Regex,
}

/// The emergency patterns from `safety.toml`.
#[derive(Debug, Clone)]
pub struct SafetyRules {
    /// A message matching any of these describes an emergency.
    pub emergency: Vec<LineRule>,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SafetyFile {
    emergency: Vec<RuleEntry>,
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
            drop_line: compile_all(file, parsed.drop_line)?,
            cut_rest: compile_all(file, parsed.cut_rest)?,
            glued_brands,
        })
    }
}

impl SafetyRules {
    /// Parses `safety.toml`.
    ///
    /// # Errors
    /// [`crate::Error::Malformed`] for bad TOML, no rules, or a pattern that does not compile.
    pub(crate) fn parse(file: &SourceFile) -> Result<SafetyRules> {
        let parsed: SafetyFile = file.parse()?;
        if parsed.emergency.is_empty() {
            return Err(file.malformed_at(0, "safety.toml needs at least one [[emergency]] rule"));
        }
        Ok(SafetyRules { emergency: compile_all(file, parsed.emergency)? })
    }
}

fn compile_all(file: &SourceFile, entries: Vec<RuleEntry>) -> Result<Vec<LineRule>> {
    entries
        .into_iter()
        .map(|entry| {
            let located = file.locate(entry.pattern);
            let regex = RegexBuilder::new(&located.value)
                .case_insensitive(true)
                .build()
                .map_err(|err| located.error(format!("bad pattern: {err}")))?;
            Ok(LineRule { reason: entry.reason, regex })
        })
        .collect()
}
