//! Explanations for curators: how the engine read a message and why it chose its
//! answer (`hypnic ask --explain`).

use std::fmt;

use super::Engine;
use super::vocabulary::{Analysis, Meaning};
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
    /// The emergency rule that matched, if any.
    pub emergency: Option<String>,
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
        analysis: &Analysis,
        emergency: Option<&str>,
        hits: &[Hit],
        scores: &[f32; 9],
        answer: Answer,
    ) -> Explanation {
        let vocabulary = engine.vocabulary();
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
            emergency: emergency.map(str::to_string),
            search_stems: analysis.search_stems.clone(),
            hits: hits.iter().map(|hit| (hit.passage, hit.score)).collect(),
            scores: Topic::ANSWERABLE.iter().zip(scores).map(|(t, s)| (*t, *s)).collect(),
            answer,
        }
    }
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
        if let Some(reason) = &self.emergency {
            writeln!(f, "emergency:   {reason}")?;
        }
        writeln!(f, "searched:    {}", self.search_stems.join(" "))?;
        for (passage, score) in &self.hits {
            writeln!(f, "hit:         passage {passage} score {score:.2}")?;
        }
        let scores: Vec<String> =
            self.scores.iter().filter(|(_, s)| *s > 0.0).map(|(t, s)| format!("{t} {s:.2}")).collect();
        writeln!(f, "scores:      {}", scores.join(", "))?;
        write!(f, "answer:      {} ({:.2})", self.answer.topic, self.answer.confidence)
    }
}
