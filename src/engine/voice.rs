//! The replies in one answered language: English from the knowledge's own
//! files, and each voice of `voices/` by the same ids. The planner picks a
//! voice for each message and takes every text from it; the reading, the
//! decision and the quotes are the same in every language.

use std::sync::Arc;

use crate::check::Check;
use crate::knowledge::{ENGLISH, Knowledge, Texts, Voice as VoiceFile};

/// Every text a reply can hold, in one language, indexed like the engine's
/// topics, factors, people and signs.
pub struct Voice {
    /// The language's id (`en`, `sw`, `es`).
    pub id: Arc<str>,
    /// The fixed texts.
    pub texts: Texts,
    /// Ends every reply in this language.
    pub disclaimer: Arc<str>,
    /// The warning-sign check.
    pub check: Check,
    pub(super) leads: Vec<Arc<str>>,
    pub(super) labels: Vec<String>,
    pub(super) questions: Vec<String>,
    pub(super) shortcuts: Vec<Option<String>>,
    pub(super) factor_names: Vec<String>,
    pub(super) factor_says: Vec<String>,
    pub(super) caveats: Vec<String>,
    pub(super) doctors: Vec<Option<String>>,
    pub(super) sign_labels: Vec<String>,
}

impl Voice {
    /// The English voice: the knowledge's own texts.
    pub(super) fn english(knowledge: &Knowledge, check: Check) -> Voice {
        Voice {
            id: Arc::from(ENGLISH),
            texts: knowledge.texts.clone(),
            disclaimer: Arc::from(knowledge.texts.disclaimer.as_str()),
            check,
            leads: knowledge.topics.iter().map(|spec| Arc::from(spec.lead.as_str())).collect(),
            labels: knowledge.topics.iter().map(|spec| spec.label.clone()).collect(),
            questions: knowledge.topics.iter().map(|spec| spec.question.clone()).collect(),
            shortcuts: knowledge
                .topics
                .iter()
                .map(|spec| spec.command.as_ref().map(|c| c.description.clone()))
                .collect(),
            factor_names: knowledge.factors.iter().map(|factor| factor.name.clone()).collect(),
            factor_says: knowledge.factors.iter().map(|factor| factor.says.clone()).collect(),
            caveats: knowledge.people.iter().map(|person| person.caveat.clone()).collect(),
            doctors: knowledge.people.iter().map(|person| person.doctor.clone()).collect(),
            sign_labels: knowledge.signs.all.iter().map(|sign| knowledge.signs.named_as(sign).label.clone()).collect(),
        }
    }

    /// A voice of `voices/`, by the ids of the knowledge (loading checked that
    /// it has them all); a sign of another language keeps its English name.
    pub(super) fn translated(knowledge: &Knowledge, file: &VoiceFile, check: Check) -> Voice {
        let topic = |id: &str| &file.topics[id];
        Voice {
            id: Arc::from(file.language.as_str()),
            texts: file.texts.clone(),
            disclaimer: Arc::from(file.texts.disclaimer.as_str()),
            check,
            leads: knowledge.topics.iter().map(|spec| Arc::from(topic(spec.topic.id()).lead.as_str())).collect(),
            labels: knowledge.topics.iter().map(|spec| topic(spec.topic.id()).label.clone()).collect(),
            questions: knowledge.topics.iter().map(|spec| topic(spec.topic.id()).question.clone()).collect(),
            shortcuts: knowledge
                .topics
                .iter()
                .map(|spec| {
                    spec.command
                        .as_ref()
                        .map(|c| topic(spec.topic.id()).command_help.clone().unwrap_or_else(|| c.description.clone()))
                })
                .collect(),
            factor_names: knowledge.factors.iter().map(|factor| file.factors[&factor.id].name.clone()).collect(),
            factor_says: knowledge.factors.iter().map(|factor| file.factors[&factor.id].says.clone()).collect(),
            caveats: knowledge.people.iter().map(|person| file.people[&person.id].caveat.clone()).collect(),
            doctors: knowledge
                .people
                .iter()
                .map(|person| {
                    person
                        .doctor
                        .as_ref()
                        .map(|doctor| file.people[&person.id].doctor.clone().unwrap_or_else(|| doctor.clone()))
                })
                .collect(),
            sign_labels: knowledge
                .signs
                .all
                .iter()
                .map(|sign| knowledge.signs.named_as(sign))
                .map(|sign| file.signs.get(&sign.id).map_or_else(|| sign.label.clone(), |words| words.label.clone()))
                .collect(),
        }
    }

    /// Whether this is the English voice.
    pub fn is_english(&self) -> bool {
        &*self.id == ENGLISH
    }

    /// The lead of the topic in slot `slot`.
    pub(super) fn lead(&self, slot: usize) -> &Arc<str> {
        &self.leads[slot]
    }

    /// The label of the topic in slot `slot`.
    pub fn label(&self, slot: usize) -> &str {
        &self.labels[slot]
    }

    /// How a person would ask for the topic in slot `slot`.
    pub fn question(&self, slot: usize) -> &str {
        &self.questions[slot]
    }

    /// The line of the shortcut of the topic in slot `slot`, if it has one.
    pub fn shortcut(&self, slot: usize) -> Option<&str> {
        self.shortcuts[slot].as_deref()
    }

    /// The line before the quotes, when there are quotes and the reply is not in English.
    pub(super) fn quotes_intro(&self, has_quotes: bool) -> Option<Arc<str>> {
        let intro = self.texts.quoted_in_english.trim();
        (has_quotes && !intro.is_empty()).then(|| Arc::from(intro))
    }

    /// The name of the sign at `index` of the knowledge's signs.
    pub(super) fn sign_label(&self, index: usize) -> &str {
        &self.sign_labels[index]
    }

    /// The names of `signs`, each once ("a bitten tongue" told in English
    /// and in Spanish is one sign).
    pub(super) fn sign_names<'a>(&self, signs: impl Iterator<Item = &'a super::reading::SignFact>) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for sign in signs {
            let name = self.sign_label(sign.fact.index);
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }

    /// "a, b and c" in this language.
    pub(super) fn and_list<T: AsRef<str>>(&self, items: &[T]) -> String {
        crate::knowledge::join_list(items, &self.texts.and)
    }

    /// "a, b or c" in this language.
    pub(super) fn or_list<T: AsRef<str>>(&self, items: &[T]) -> String {
        crate::knowledge::join_list(items, &self.texts.or)
    }
}
