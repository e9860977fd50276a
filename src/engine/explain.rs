//! Explanations for curators: how the engine read a message and why it chose its
//! answer (`hypnic ask --explain`).

use std::fmt;

use super::Engine;
use super::plan::Planned;
use super::reading::Reading;
use super::vocabulary::Meaning;
use crate::answer::Answer;
use crate::index::Hit;
use crate::topic::Topic;

/// How one message was read, step by step.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// The words after spelling correction.
    pub words: Vec<String>,
    /// Corrections made, as (typed, corrected).
    pub corrections: Vec<(String, String)>,
    /// Curated phrases found, each with what it means ("jerk: subject").
    pub phrases: Vec<String>,
    /// Words in no curated list.
    pub unknown_words: Vec<String>,
    /// The facts read: language, question sentence, signs, person, factors.
    pub facts: Vec<String>,
    /// The rules and facts that decided the reply, in order.
    pub reasons: Vec<String>,
    /// The stems searched for.
    pub search_stems: Vec<String>,
    /// Passages found, as (passage id, score).
    pub hits: Vec<(usize, f32)>,
    /// Final score per answerable topic.
    pub scores: Vec<(Topic, f32)>,
    /// The answer given.
    pub answer: Answer,
}

impl Explanation {
    pub(super) fn new(
        engine: &Engine,
        reading: &Reading,
        hits: &[Hit],
        scores: &[f32],
        planned: Planned,
    ) -> Explanation {
        let vocabulary = engine.vocabulary();
        let analysis = &reading.analysis;
        let phrases = analysis
            .phrases
            .iter()
            .map(|&id| {
                let phrase = vocabulary.phrase(id);
                format!("{}: {}", phrase.stems.join(" "), describe(&phrase.meaning))
            })
            .collect();
        Explanation {
            words: analysis.words.clone(),
            corrections: analysis.corrections.clone(),
            phrases,
            unknown_words: analysis.foreign.iter().map(|&i| analysis.words[i].clone()).collect(),
            facts: facts(engine, reading),
            reasons: planned.reasons,
            search_stems: analysis.search_stems.clone(),
            hits: hits.iter().map(|hit| (hit.passage, hit.score)).collect(),
            scores: engine.topics().iter().zip(scores).map(|(spec, s)| (spec.topic, *s)).collect(),
            answer: planned.answer,
        }
    }
}

/// The facts of a reading, one line each, naming the data entry and the words.
fn facts(engine: &Engine, reading: &Reading) -> Vec<String> {
    let reader = &engine.inner.reader;
    let mut facts = Vec::new();
    if let Some((index, markers)) = reading.language {
        let mixed = if reading.mixed_language { ", mixed with English: read in English" } else { "" };
        facts.push(format!("language {} ({markers} marker words){mixed}", reader.languages().list[index].name));
    } else if reading.not_english {
        facts.push("language: not English".to_string());
    }
    if let Some(question) = &reading.question {
        facts.push(format!("question '{}'", question.text));
    }
    for sign in &reading.signs {
        let spec = &reader.signs()[sign.fact.index];
        let kind = match (&sign.sensation, sign.kind) {
            (Some(guard), _) => format!("sensation (told with '{guard}')"),
            (None, crate::knowledge::SignKind::Emergency) => "emergency".to_string(),
            (None, crate::knowledge::SignKind::Crisis) if sign.leaning => {
                match reading.trained.as_ref().filter(|trained| trained.leans_to_crisis()) {
                    Some(trained) => format!("crisis (leaning; the trained reader leans too, {:.2})", trained.crisis),
                    None if reading.leaning_confirmed() => {
                        format!("crisis (leaning; {} leaning things told together)", reading.leaning_told)
                    }
                    None => "leaning crisis (not counted: the trained reader does not lean to a crisis)".to_string(),
                }
            }
            (None, crate::knowledge::SignKind::Crisis) => "crisis".to_string(),
            (None, crate::knowledge::SignKind::Warning) => "warning".to_string(),
        };
        facts.push(format!("{kind} sign `{}` matched '{}'", spec.id, sign.fact.words));
    }
    if let Some(person) = &reading.person {
        facts.push(format!("person `{}` matched '{}'", reader.people()[person.index].id, person.words));
    }
    for factor in &reading.factors {
        let place = if factor.asked { "asked" } else { "in the story" };
        facts.push(format!("factor `{}` {place}: '{}'", reader.factors()[factor.fact.index].id, factor.fact.words));
    }
    facts
}

/// What a phrase means, in a few words.
fn describe(meaning: &Meaning) -> String {
    let mut parts: Vec<String> = Vec::new();
    let flags = [
        (meaning.subject, "subject"),
        (meaning.movement, "movement"),
        (meaning.anaphor, "anaphor"),
        (meaning.addressee, "addressee"),
        (meaning.negator, "negator"),
        (meaning.entity, "entity"),
        (meaning.context && !meaning.sleep_time, "context"),
        (meaning.sleep_time, "sleep time"),
        (meaning.elsewhere, "elsewhere"),
        (meaning.animal, "animal"),
        (meaning.general, "general"),
    ];
    parts.extend(flags.iter().filter(|(on, _)| *on).map(|(_, name)| name.to_string()));
    if let Some(kind) = meaning.smalltalk {
        parts.push(format!("smalltalk {kind:?}").to_lowercase());
    }
    parts.extend(meaning.cues.iter().map(|(topic, weight)| format!("{topic} {weight}")));
    parts.join(", ")
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "words:       {}", self.words.join(" "))?;
        for (typed, corrected) in &self.corrections {
            writeln!(f, "corrected:   {typed} -> {corrected}")?;
        }
        for phrase in &self.phrases {
            writeln!(f, "phrase:      {phrase}")?;
        }
        if !self.unknown_words.is_empty() {
            writeln!(f, "unknown:     {}", self.unknown_words.join(" "))?;
        }
        for fact in &self.facts {
            writeln!(f, "fact:        {fact}")?;
        }
        writeln!(f, "searched:    {}", self.search_stems.join(" "))?;
        for (passage, score) in &self.hits {
            writeln!(f, "hit:         passage {passage} score {score:.2}")?;
        }
        let scores: Vec<String> =
            self.scores.iter().filter(|(_, s)| *s > 0.0).map(|(t, s)| format!("{t} {s:.2}")).collect();
        writeln!(f, "scores:      {}", scores.join(", "))?;
        for reason in &self.reasons {
            writeln!(f, "because:     {reason}")?;
        }
        write!(f, "answer:      {} ({:.2})", self.answer.topic, self.answer.confidence)
    }
}
