//! The answered languages other than English (`voices/<id>.toml`): every text
//! a reply can hold, written in the language. English is the voice of the
//! other files (`texts.toml`, `topics.toml`, ...); a voice file gives the same
//! texts, by the same ids, in its language, and loading refuses a voice that
//! misses one or names an id the knowledge does not have. The passages stay
//! quoted in English, under the voice's `quoted_in_english` line.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::source::SourceFile;
use super::{
    ButtonLabels, CheckSpec, CheckTexts, Factor, Languages, Person, QuestionSays, SignKind, Signs, Texts, TopicSpec,
    TypedWords,
};
use crate::error::Result;

/// The folder of the voice files inside a knowledge folder.
pub const VOICES_DIR: &str = "voices/";

/// The id of English, whose voice is the knowledge's own files.
pub const ENGLISH: &str = "en";

/// A topic's texts in a voice.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicWords {
    /// Its short name, on buttons and in offers.
    pub label: String,
    /// How a person would ask for it.
    pub question: String,
    /// The lead: what the articles say, and no more.
    pub lead: String,
    /// The line of its Telegram shortcut, where the topic has one.
    #[serde(default)]
    pub command_help: Option<String>,
}

/// A factor's texts in a voice.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactorWords {
    /// How a reply names it.
    pub name: String,
    /// What the articles say about it.
    pub says: String,
}

/// A person's texts in a voice.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonWords {
    /// Said before the answer.
    pub caveat: String,
    /// When to see a doctor about this person, where the English has it.
    #[serde(default)]
    pub doctor: Option<String>,
}

/// A sign's name in a voice.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignWords {
    /// How a reply names it ("shida ya kupumua").
    pub label: String,
}

/// A `/check` question's texts in a voice.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionWords {
    /// The question.
    pub text: String,
    /// How the summary names a Yes.
    pub said: String,
    /// How the summary names a Not sure.
    pub unsure: String,
    /// When to see a doctor, where the English has it.
    #[serde(default)]
    pub when: Option<String>,
    /// What to say when the articles are silent, where the English has it.
    #[serde(default)]
    pub silent: Option<String>,
}

/// The `/check` flow in a voice.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckWords {
    /// Its fixed texts.
    pub texts: CheckTexts,
    /// Its buttons.
    pub buttons: ButtonLabels,
    /// The words typed for its buttons in `hypnic chat`.
    pub typed: TypedWords,
    /// Its questions, by id.
    pub questions: BTreeMap<String, QuestionWords>,
}

/// One answered language other than English.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Voice {
    /// Its id in `languages.toml` (`sw`).
    pub language: String,
    /// The fixed texts. Its `emergency` and `crisis` are the language's own in
    /// `languages.toml`, filled in on load.
    pub texts: Texts,
    /// The topics' texts, by topic id.
    pub topics: BTreeMap<String, TopicWords>,
    /// The factors' texts, by factor id.
    pub factors: BTreeMap<String, FactorWords>,
    /// The people's texts, by person id.
    pub people: BTreeMap<String, PersonWords>,
    /// The names of the English warning and emergency signs, by sign id.
    pub signs: BTreeMap<String, SignWords>,
    /// The warning-sign check.
    pub check: CheckWords,
}

/// What a voice must name: the ids of the knowledge it speaks for.
pub(crate) struct Speaks<'a> {
    pub topics: &'a [TopicSpec],
    pub factors: &'a [Factor],
    pub people: &'a [Person],
    pub signs: &'a Signs,
    pub check: &'a CheckSpec,
    pub languages: &'a Languages,
}

impl Voice {
    /// Parses a voice file and checks that it speaks for every id of the
    /// knowledge, and for no other, with the English placeholders.
    ///
    /// # Errors
    /// [`crate::Error::Malformed`] for bad TOML, a language that
    /// `languages.toml` does not list, a missing or unknown id, an empty text,
    /// or a placeholder the English text does not have.
    pub(crate) fn parse(file: &SourceFile, english: &Texts, speaks: &Speaks<'_>) -> Result<Voice> {
        let mut voice: Voice = file.parse()?;
        let Some(language) = speaks.languages.list.iter().find(|language| language.id == voice.language) else {
            let problem = format!("`{}` is not a language of `languages.toml`", voice.language);
            return Err(file.malformed_near("language", problem));
        };
        voice.texts.emergency.clone_from(&language.emergency);
        voice.texts.crisis.clone_from(&language.crisis);
        let expected = |kind: &str, ids: Vec<&str>, given: Vec<&String>| -> Result<()> {
            for id in &ids {
                if !given.iter().any(|given| given == id) {
                    return Err(file.malformed_near(&format!("[{kind}"), format!("no `[{kind}.{id}]`")));
                }
            }
            if let Some(extra) = given.iter().find(|given| !ids.contains(&given.as_str())) {
                let problem = format!("`[{kind}.{extra}]` is not in the English knowledge");
                return Err(file.malformed_near(&format!("[{kind}.{extra}]"), problem));
            }
            Ok(())
        };
        expected("topics", speaks.topics.iter().map(|spec| spec.topic.id()).collect(), voice.topics.keys().collect())?;
        expected(
            "factors",
            speaks.factors.iter().map(|factor| factor.id.as_str()).collect(),
            voice.factors.keys().collect(),
        )?;
        expected(
            "people",
            speaks.people.iter().map(|person| person.id.as_str()).collect(),
            voice.people.keys().collect(),
        )?;
        expected("signs", named_signs(speaks.signs).collect(), voice.signs.keys().collect())?;
        expected(
            "check.questions",
            speaks.check.questions.iter().map(|question| question.id.as_str()).collect(),
            voice.check.questions.keys().collect(),
        )?;
        for (id, text, english_text) in voice.pairs(english, speaks) {
            if text.trim().is_empty() != english_text.trim().is_empty() && id != "texts.quoted_in_english" {
                return Err(file.malformed_near(&leaf(&id), format!("`{id}` is empty, or the English is")));
            }
            if placeholders(text) != placeholders(english_text) {
                let problem =
                    format!("`{id}` must have the placeholders of the English: {:?}", placeholders(english_text));
                return Err(file.malformed_near(&leaf(&id), problem));
            }
        }
        Ok(voice)
    }

    /// Every text of the voice beside its English, named by its TOML path.
    fn pairs<'v>(&'v self, english: &'v Texts, speaks: &'v Speaks<'_>) -> Vec<(String, &'v str, &'v str)> {
        let mut pairs = Vec::new();
        let texts = &self.texts;
        let fixed = [
            ("disclaimer", &texts.disclaimer, &english.disclaimer),
            ("crisis_line", &texts.crisis_line, &english.crisis_line),
            ("crisis_with_emergency", &texts.crisis_with_emergency, &english.crisis_with_emergency),
            ("after_emergency", &texts.after_emergency, &english.after_emergency),
            ("after_crisis", &texts.after_crisis, &english.after_crisis),
            ("not_reassured", &texts.not_reassured, &english.not_reassured),
            ("not_reassured_person", &texts.not_reassured_person, &english.not_reassured_person),
            ("medicine", &texts.medicine, &english.medicine),
            ("rules_request", &texts.rules_request, &english.rules_request),
            ("warning", &texts.warning, &english.warning),
            ("warning_again", &texts.warning_again, &english.warning_again),
            ("read_in_part", &texts.read_in_part, &english.read_in_part),
            ("sensation", &texts.sensation, &english.sensation),
            ("factor_named", &texts.factor_named, &english.factor_named),
            ("story_factor", &texts.story_factor, &english.story_factor),
            ("factor_silent", &texts.factor_silent, &english.factor_silent),
            ("factor_found", &texts.factor_found, &english.factor_found),
            ("person_found", &texts.person_found, &english.person_found),
            ("factors_found", &texts.factors_found, &english.factors_found),
            ("and_more", &texts.and_more, &english.and_more),
            ("about", &texts.about, &english.about),
            ("sources", &texts.sources, &english.sources),
            ("bot", &texts.bot, &english.bot),
            ("trust", &texts.trust, &english.trust),
            ("out_of_scope", &texts.out_of_scope, &english.out_of_scope),
            ("unreadable", &texts.unreadable, &english.unreadable),
            ("greeting", &texts.greeting, &english.greeting),
            ("also_offer", &texts.also_offer, &english.also_offer),
            ("quoted_in_english", &texts.quoted_in_english, &english.quoted_in_english),
            ("privacy", &texts.telegram.privacy, &english.telegram.privacy),
            ("feedback_thanks", &texts.telegram.feedback_thanks, &english.telegram.feedback_thanks),
        ];
        for (id, text, english_text) in fixed {
            pairs.push((format!("texts.{id}"), text.as_str(), english_text.as_str()));
        }
        for spec in speaks.topics {
            if let Some(words) = self.topics.get(spec.topic.id()) {
                let id = spec.topic.id();
                pairs.push((format!("topics.{id}.lead"), words.lead.as_str(), spec.lead.as_str()));
                pairs.push((format!("topics.{id}.label"), words.label.as_str(), spec.label.as_str()));
                pairs.push((format!("topics.{id}.question"), words.question.as_str(), spec.question.as_str()));
            }
        }
        for factor in speaks.factors {
            if let Some(words) = self.factors.get(&factor.id) {
                pairs.push((format!("factors.{}.says", factor.id), words.says.as_str(), factor.says.as_str()));
            }
        }
        for person in speaks.people {
            if let Some(words) = self.people.get(&person.id) {
                pairs.push((format!("people.{}.caveat", person.id), words.caveat.as_str(), person.caveat.as_str()));
            }
        }
        for question in &speaks.check.questions {
            if let Some(words) = self.check.questions.get(&question.id) {
                let id = format!("check.questions.{}", question.id);
                let (when, silent) = match &question.says {
                    QuestionSays::Doctor { when, .. } => (when.as_str(), ""),
                    QuestionSays::Silent(text) => ("", text.as_str()),
                };
                pairs.push((format!("{id}.text"), words.text.as_str(), question.text.as_str()));
                pairs.push((format!("{id}.said"), words.said.as_str(), question.said.as_str()));
                pairs.push((format!("{id}.unsure"), words.unsure.as_str(), question.unsure.as_str()));
                pairs.push((format!("{id}.when"), words.when.as_deref().unwrap_or_default(), when));
                pairs.push((format!("{id}.silent"), words.silent.as_deref().unwrap_or_default(), silent));
            }
        }
        pairs
    }

    /// The check of `english` with this voice's texts; the passages stay.
    pub fn check(&self, english: &CheckSpec) -> CheckSpec {
        let mut spec = english.clone();
        spec.texts = self.check.texts.clone();
        spec.buttons = self.check.buttons.clone();
        spec.typed = self.check.typed.clone();
        for question in &mut spec.questions {
            let Some(words) = self.check.questions.get(&question.id) else { continue };
            question.text.clone_from(&words.text);
            question.said.clone_from(&words.said);
            question.unsure.clone_from(&words.unsure);
            match &mut question.says {
                QuestionSays::Doctor { when, .. } => {
                    if let Some(words) = &words.when {
                        when.clone_from(words);
                    }
                }
                QuestionSays::Silent(text) => {
                    if let Some(words) = &words.silent {
                        text.clone_from(words);
                    }
                }
            }
        }
        spec
    }
}

/// The ids of the signs a reply may name: the English warning and emergency signs.
pub(crate) fn named_signs(signs: &Signs) -> impl Iterator<Item = &str> {
    signs
        .all
        .iter()
        .filter(|sign| sign.language == ENGLISH && matches!(sign.kind, SignKind::Warning | SignKind::Emergency))
        .map(|sign| sign.id.as_str())
}

/// The placeholders of a text, sorted: `{signs}`, `{lines}`...
fn placeholders(text: &str) -> Vec<&str> {
    let mut found: Vec<&str> = text
        .match_indices('{')
        .filter_map(|(start, _)| {
            let end = start + text[start..].find('}')?;
            let name = &text[start + 1..end];
            name.chars().all(|c| c.is_ascii_lowercase() || c == '_').then_some(&text[start..=end])
        })
        .collect();
    found.sort_unstable();
    found
}

/// The last part of a TOML path (`lead` of `topics.safety.lead`), to point at its line.
fn leaf(path: &str) -> String {
    let key = path.rsplit('.').next().unwrap_or(path);
    format!("{key} =")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_in_braces_only() {
        assert_eq!(placeholders("You mention {signs}. {signs}"), vec!["{signs}", "{signs}"]);
        assert_eq!(placeholders("no {Braces} or { here"), Vec::<&str>::new());
    }
}
