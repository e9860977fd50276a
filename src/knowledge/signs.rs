//! Signs (`signs.toml`): emergencies that need the urgent reply now, crisis
//! signs (thoughts of suicide, self-harm or hopelessness) that need a person
//! and a crisis line, and warning signs that need a doctor, each with its
//! patterns and its source.

use std::collections::BTreeMap;

use regex::Regex;
use serde::Deserialize;

use super::patterns::{Pattern, compile_pattern, compile_patterns};
use super::source::SourceFile;
use crate::error::Result;

/// Whether a sign calls for emergency services, a crisis line or a doctor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignKind {
    /// Happening now: call emergency services.
    Emergency,
    /// Thoughts of suicide, self-harm or hopelessness: a person and a crisis line.
    Crisis,
    /// A reason to see a doctor.
    Warning,
}

/// One sign, compiled.
#[derive(Debug, Clone)]
pub struct Sign {
    /// Short name, for explanations.
    pub id: String,
    /// How a reply names it ("trouble breathing").
    pub label: String,
    /// The guidance or article passage it follows.
    pub source: String,
    /// The language its patterns read (`en` for English).
    pub language: String,
    /// One first-aid line for the urgent reply (emergencies only).
    pub advice: Option<String>,
    /// Emergencies only: the message tells that help is already called, so
    /// the reply is the follow-up one (what to tell them, stay, get checked).
    pub after: bool,
    /// Emergencies only: whether the sign may be a passing sensation told as
    /// a habit or a possibility; a fall, an overdose or a racing heart with
    /// faintness never is.
    pub passing: bool,
    /// Crisis only: words that alone may be weariness or a figure of speech
    /// ("a burden", "I can't keep doing this"); the sign counts only when the
    /// trained reader leans to a crisis too.
    pub lean: bool,
    /// A warning of another language that is an English warning told in it
    /// (`same_as`, by index): a reply names it as that one.
    pub same_as: Option<usize>,
    /// Emergency or warning.
    pub kind: SignKind,
    /// The sign is found when one of these matches...
    pub patterns: Vec<Pattern>,
    /// ... and each of these matches somewhere in the message...
    pub with: Vec<Pattern>,
    /// ... and none of these matches the sentence of the match.
    pub unless: Vec<Pattern>,
}

/// What turns an English emergency sign into a habit or a sensation.
#[derive(Debug, Clone)]
pub struct Guards {
    /// "every time", "feel like": a habit or a sensation.
    pub habit: Pattern,
    /// "what if", "can it": a question about a possibility.
    pub hypothetical: Pattern,
    /// "I'm ok now", "it's gone now", "two days ago": told as over. An
    /// emergency only the trained reader sees is not called in a message
    /// that says this (and not that it is happening now).
    pub resolved: Pattern,
    /// "last year", "in 2019", "as a child": told as long past. An
    /// emergency sign in such a sentence (and not `now`) is history, whatever
    /// the sign, and whoever it is about.
    pub history: Pattern,
    /// "he is sweating", "she says": told in the present. Between a time long
    /// past and an emergency sign, it ends the history: "missed dialysis since
    /// last week, he is sweating and his chest is squeezing" is happening now.
    pub present: Pattern,
    /// "now", "help": happening now, whatever else the sentence says.
    pub now: Pattern,
    /// Matches text that ends with a negator ("no", "never"): what follows
    /// right after it is not told ("no vomiting", "never hit my head").
    pub negated_next: Pattern,
    /// Matches text that ends with a negator and at most one more word ("dont
    /// drink coffee"): for warnings, factors, people and symptoms, never for
    /// an emergency or a crisis.
    pub negated_near: Pattern,
}

/// Every sign of `signs.toml`.
#[derive(Debug, Clone)]
pub struct Signs {
    /// Habit, hypothesis and now markers.
    pub guards: Guards,
    /// Emergency signs, then crisis signs, then warning signs, in file order.
    pub all: Vec<Sign>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignsFile {
    guards: GuardsEntry,
    #[serde(default)]
    words: BTreeMap<String, Vec<String>>,
    emergency: Vec<SignEntry>,
    #[serde(default)]
    crisis: Vec<SignEntry>,
    warning: Vec<SignEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GuardsEntry {
    habit: toml::Spanned<String>,
    hypothetical: toml::Spanned<String>,
    resolved: toml::Spanned<String>,
    history: toml::Spanned<String>,
    present: toml::Spanned<String>,
    now: toml::Spanned<String>,
    negators: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignEntry {
    id: String,
    label: String,
    source: String,
    #[serde(default = "english")]
    language: String,
    #[serde(default)]
    advice: Option<String>,
    #[serde(default)]
    after: bool,
    #[serde(default = "passing")]
    passing: bool,
    #[serde(default)]
    lean: bool,
    #[serde(default)]
    same_as: Option<String>,
    patterns: Vec<toml::Spanned<String>>,
    #[serde(default)]
    with: Vec<toml::Spanned<String>>,
    #[serde(default)]
    unless: Vec<toml::Spanned<String>>,
}

fn passing() -> bool {
    true
}

fn english() -> String {
    "en".to_string()
}

impl Signs {
    /// Parses `signs.toml`.
    ///
    /// # Errors
    /// [`crate::Error::Malformed`] for bad TOML, a sign without patterns, an
    /// unknown `{word list}` or a pattern that does not compile.
    pub(crate) fn parse(file: &SourceFile) -> Result<Signs> {
        let parsed: SignsFile = file.parse()?;
        let words = &parsed.words;
        let guards = Guards {
            habit: compile_pattern(file, parsed.guards.habit, words)?,
            hypothetical: compile_pattern(file, parsed.guards.hypothetical, words)?,
            resolved: compile_pattern(file, parsed.guards.resolved, words)?,
            history: compile_pattern(file, parsed.guards.history, words)?,
            present: compile_pattern(file, parsed.guards.present, words)?,
            now: compile_pattern(file, parsed.guards.now, words)?,
            negated_next: negation(file, &parsed.guards.negators, "")?,
            negated_near: negation(file, &parsed.guards.negators, "( [a-z0-9]+)?")?,
        };
        let entries = parsed
            .emergency
            .into_iter()
            .map(|entry| (SignKind::Emergency, entry))
            .chain(parsed.crisis.into_iter().map(|entry| (SignKind::Crisis, entry)))
            .chain(parsed.warning.into_iter().map(|entry| (SignKind::Warning, entry)));
        let mut all = Vec::new();
        let mut same_as = Vec::new();
        for (kind, entry) in entries {
            if entry.patterns.is_empty() {
                return Err(file.malformed_near(&entry.id, format!("sign `{}` needs at least one pattern", entry.id)));
            }
            if entry.lean && kind != SignKind::Crisis {
                return Err(file.malformed_near(&entry.id, format!("sign `{}`: only a crisis sign can lean", entry.id)));
            }
            all.push(Sign {
                patterns: compile_patterns(file, entry.patterns, words)?,
                with: compile_patterns(file, entry.with, words)?,
                unless: compile_patterns(file, entry.unless, words)?,
                id: entry.id,
                label: entry.label,
                source: entry.source,
                language: entry.language,
                advice: entry.advice,
                after: entry.after,
                passing: entry.passing,
                lean: entry.lean,
                same_as: None,
                kind,
            });
            if let Some(english) = entry.same_as {
                same_as.push((all.len() - 1, english));
            }
        }
        for (index, english) in same_as {
            let found = all
                .iter()
                .position(|sign: &Sign| sign.id == english && sign.language == "en" && sign.kind == SignKind::Warning);
            let Some(found) = found.filter(|_| all[index].kind == SignKind::Warning) else {
                let id = &all[index].id;
                return Err(file.malformed_near(id, format!("sign `{id}`: `same_as` names no English warning sign")));
            };
            all[index].same_as = Some(found);
        }
        Ok(Signs { guards, all })
    }

    /// The sign a reply names for `sign`: the English warning a warning of
    /// another language is (`same_as`), else `sign` itself.
    pub fn named_as<'a>(&'a self, sign: &'a Sign) -> &'a Sign {
        sign.same_as.map_or(sign, |english| &self.all[english])
    }

    /// The plain words of the English emergency patterns (not of their `with`
    /// context), so spelling correction can reach them ("stoped" ->
    /// "stopped"). Crisis words are not among them: a correction must never
    /// turn a foreign word into one.
    pub fn emergency_words(&self) -> Vec<String> {
        let mut words: Vec<String> = self
            .all
            .iter()
            .filter(|sign| sign.kind == SignKind::Emergency && sign.language == "en")
            .flat_map(|sign| &sign.patterns)
            .flat_map(|pattern| literal_words(pattern.as_str()))
            .collect();
        words.sort();
        words.dedup();
        words
    }
}

/// A pattern that matches text ending with one of `negators`, then `gap`.
fn negation(file: &SourceFile, negators: &[String], gap: &str) -> Result<Pattern> {
    if negators.is_empty() {
        return Err(file.malformed_near("negators", "`negators` needs at least one word"));
    }
    let words: Vec<String> = negators.iter().map(|word| regex::escape(word.trim())).collect();
    let pattern = format!(r"\b(?:{}){gap} ?$", words.join("|"));
    Pattern::of(file, pattern)
        .map_err(|err| file.malformed_near("negators", format!("the negators do not compile: {err}")))
}

/// The plain words of a pattern, leaving out escapes, classes and repetitions.
fn literal_words(pattern: &str) -> Vec<String> {
    static NOISE: std::sync::LazyLock<Regex> =
        std::sync::LazyLock::new(|| Regex::new(r"\\.|\[[^\]]*\]|\{[^}]*\}").expect("a valid pattern"));
    let plain = NOISE.replace_all(pattern, " ");
    plain.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_words_skip_escapes() {
        assert_eq!(literal_words(r"\bnot breathing\b"), vec!["not", "breathing"]);
        assert_eq!(literal_words(r"\b(blue|grey)( [a-z]+){0,3} (stopped|not)"), vec!["blue", "grey", "stopped", "not"]);
    }
}
