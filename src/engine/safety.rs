//! Safety that is designed in, not detected: reassurance only when it is
//! earned, a lead about the person the message is about, and the medicine
//! plan (no number and no yes) for questions about doses, doubling, sharing,
//! stopping, buying, or giving a medicine to a child.

use std::sync::Arc;

use super::classify::{Decision, Verdict};
use super::plan::{Planned, Reasons};
use super::reading::{Fact, Reading};
use super::{Engine, Voice};
use crate::answer::Answer;
use crate::index::Hit;
use crate::knowledge::TopicRole;

impl Engine {
    /// Why a reply to `reading` may not reassure, one line each; empty when
    /// reassurance is earned: plain sleep-onset jerks in an adult, with no
    /// person of `people.toml`, no alarming sensation, no symptom or condition
    /// that nothing places, no medicine named, and nothing left unread by a
    /// glossary. (Warning
    /// signs block it too; the plan leads with a doctor for them.)
    /// `vouched`: the trained reader vouches for the words the rules could not read.
    pub(super) fn reassurance_blocks(&self, reading: &Reading, read_in_part: bool, vouched: bool) -> Vec<String> {
        let reader = &self.inner.reader;
        let mut blocks = Vec::new();
        if let Some(person) = &reading.person {
            blocks.push(format!("person `{}` ('{}')", reader.people()[person.index].id, person.words));
        }
        for sign in reading.sensations() {
            blocks.push(format!("sensation `{}` ('{}')", reader.signs()[sign.fact.index].id, sign.fact.words));
        }
        if !reading.unplaced.is_empty() {
            blocks.push(format!("not placed: '{}'", reading.unplaced.join("', '")));
        }
        if let Some(medicine) = &reading.medicine_named {
            blocks.push(format!("a medicine named ('{medicine}')"));
        }
        let unknown = if vouched { Vec::new() } else { self.unknown_words(reading) };
        if !unknown.is_empty() {
            blocks.push(format!("words not understood: '{}'", unknown.join("', '")));
        }
        if read_in_part {
            blocks.push("read in part through a glossary".to_string());
        }
        if let Some(trained) =
            reading.trained.as_ref().filter(|trained| !trained.reads_routine(reading.tells_a_story()))
        {
            blocks.push(format!("the trained reader does not read it as routine ({:.2})", trained.urgency[0]));
        }
        blocks
    }

    /// The lead of `topic` for this message: the person's own doctor lead in
    /// place of the seek-care one ("see a doctor about your child's jerks"),
    /// and a neutral lead in place of a reassuring one when reassurance is not
    /// `earned`.
    pub(super) fn lead_about(&self, voice: &Voice, topic: crate::Topic, reading: &Reading, earned: bool) -> String {
        let texts = &voice.texts;
        let person = reading.person.as_ref().map(|fact| fact.index);
        if topic == self.topic_with_role(TopicRole::Warning)
            && let Some(doctor) = person.and_then(|person| voice.doctors[person].as_ref())
        {
            return doctor.clone();
        }
        let reassuring = self.topic(topic).is_some_and(|spec| spec.reassuring);
        if earned || !reassuring {
            return self.lead(voice, topic).to_string();
        }
        if person.is_some() {
            return texts.not_reassured_person.clone();
        }
        let mut what: Vec<String> = reading.unplaced.iter().map(|words| format!("“{words}”")).collect();
        what.extend(self.unknown_words(reading).into_iter().map(|word| format!("“{word}”")));
        what.extend(reading.sensations().map(|sign| voice.sign_label(sign.fact.index).to_string()));
        if what.is_empty() {
            // Read in part through a glossary: what was not read is not known.
            what.push(texts.read_in_part_what.clone());
        }
        texts.not_reassured.replace("{what}", &voice.or_list(&what))
    }

    /// The reply to a question about a dose, doubling, sharing, stopping,
    /// buying or giving a medicine to a child: the medicine plan leads (no
    /// number, no yes; the prescriber or a pharmacist today; never stop a
    /// prescribed medicine alone; never an adult's medicine for a child), then
    /// the person's caveat, the warning signs told, and what the articles say
    /// about treatment. Never reassurance.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn medicine_plan(
        &self,
        voice: &Voice,
        reading: &Reading,
        request: &Fact,
        decision: &Decision,
        hits: &[Hit],
        notice: Option<String>,
        mut reasons: Reasons,
    ) -> Planned {
        let inner = &*self.inner;
        let texts = &voice.texts;
        let reader = &inner.reader;
        let spec = &reader.requests().medicine[request.index];
        reasons.push(|| format!("medicine request `{}` matched '{}' ({})", spec.id, request.words, spec.source));
        let mut paragraphs = vec![texts.medicine.clone()];
        if let Some(person) = &reading.person {
            paragraphs.push(voice.caveats[person.index].clone());
        }
        let warnings = voice.sign_names(reading.warnings());
        if !warnings.is_empty() {
            paragraphs.push(texts.warning_again.replace("{signs}", &voice.and_list(&warnings)));
        }
        let treatment = self.topic_with_role(TopicRole::Treatment);
        let in_scope = !matches!(decision.verdict, Verdict::OutOfScope { .. });
        let mut quotes = Vec::new();
        if in_scope {
            paragraphs.push(self.lead(voice, treatment).to_string());
            quotes = self.quote_ids(treatment, hits);
            quotes.retain(|&id| !inner.reassuring_passages[id]);
        }
        if !reading.rules_requests.is_empty() {
            paragraphs.push(texts.rules_request.clone());
        }
        let quotes = self.take_quotes(&quotes);
        let answer = Answer {
            topic: treatment,
            confidence: 1.0,
            notice,
            lead: Arc::from(paragraphs.join("\n\n")),
            quotes_intro: voice.quotes_intro(!quotes.is_empty()),
            quotes,
            also: None,
            related: self.related(voice, self.topic(treatment).map_or(self.starter_topics(), |spec| &spec.related)),
            disclaimer: Arc::clone(&voice.disclaimer),
            lang: Arc::clone(&voice.id),
            language: None,
        };
        Planned { answer, reasons: reasons.into_lines() }
    }
}

impl Engine {
    /// The words of a message that no list knows, when there are enough of
    /// them to hide what it is about: at least [`MIN_UNKNOWN_WORDS`], and at
    /// least a [`MAX_UNKNOWN_SHARE`] of its words. None otherwise.
    fn unknown_words<'r>(&self, reading: &'r Reading) -> Vec<&'r str> {
        let analysis = &reading.analysis;
        let unknown = analysis.foreign.len();
        if unknown < MIN_UNKNOWN_WORDS || (unknown as f32) < MAX_UNKNOWN_SHARE * analysis.words.len() as f32 {
            return Vec::new();
        }
        analysis.foreign.iter().map(|&position| analysis.words[position].as_str()).collect()
    }
}

/// A message with at least this many unknown words...
const MIN_UNKNOWN_WORDS: usize = 2;

/// ... making at least this share of its words, is not understood well
/// enough to reassure: "what's the plot of the horror movie Spasms".
const MAX_UNKNOWN_SHARE: f32 = 0.25;
