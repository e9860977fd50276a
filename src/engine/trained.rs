//! The trained reader beside the rules: what the classifier of
//! `knowledge/reader.model` reads in a message, and when it decides. Its topic
//! replaces the rules' when it is confident; an emergency or a crisis is
//! answered when it is sure even if no rule matched; and reassurance needs it
//! to read the message as routine. The thresholds are the model's, chosen on
//! the dev writers by `hypnic train`.

use crate::error::{Error, Result};
use crate::learned::{Model, Prediction, Thresholds};
use crate::topic::Topic;

/// A second topic is named in `--explain` from this probability on.
const SHOWN_PROBABILITY: f32 = 0.05;

/// The classifier, with its classes resolved against the knowledge.
pub(crate) struct TrainedReader {
    model: Model,

    /// Per topic class: the topic it predicts.
    classes: Vec<Topic>,
}

/// The least probability of an emergency or a crisis ranked first that a
/// message the rules could not read is answered with: more than any other
/// topic is not enough when it is a fifth of the whole ("what does the bonus
/// pay?"); half of the whole is the reader's own majority.
pub(crate) const URGENT_FIRST_MIN: f32 = 0.5;
/// What the trained reader read in one message.
#[derive(Debug, Clone)]
pub(crate) struct TrainedReading {
    /// Per topic class, best first: the topic and its probability.
    pub ranked: Vec<(Topic, f32)>,
    /// Probabilities of routine, doctor, emergency and crisis.
    pub urgency: [f32; 4],
    /// The emergency score: the mean of both heads' emergency probabilities.
    pub emergency: f32,
    /// The crisis score, likewise.
    pub crisis: f32,
    /// The thresholds it was read with.
    pub thresholds: Thresholds,
    /// The rules read nothing but small talk ("goodbye", "thanks"): no
    /// emergency or crisis then.
    pub only_smalltalk: bool,
    /// Written in another language the reader learned (the rules read it
    /// through a glossary at best): its own thresholds apply.
    pub foreign: bool,
    /// The rules could not read it (no glossary, or read in part through one).
    pub unread: bool,
    /// Written in a language hypnic answers in (a voice of the knowledge):
    /// the reply is in it, so "about something else" may be said there.
    pub answered: bool,
}

impl TrainedReader {
    /// Resolves a model's classes against the knowledge's topics.
    ///
    /// # Errors
    /// [`Error::Malformed`] when the model predicts a topic the knowledge does
    /// not have: it was trained on other topics and needs `hypnic train`.
    pub fn new(model: Model, topic_by_id: impl Fn(&str) -> Option<Topic>) -> Result<TrainedReader> {
        let classes = model
            .header
            .topics
            .iter()
            .map(|id| {
                topic_by_id(id).ok_or_else(|| Error::Malformed {
                    file: crate::knowledge::MODEL_FILE.to_string(),
                    line: 1,
                    column: 1,
                    reason: format!(
                        "the model predicts topic `{id}`, which topics.toml does not have: run `hypnic train`"
                    ),
                })
            })
            .collect::<Result<_>>()?;
        Ok(TrainedReader { model, classes })
    }

    /// Whether it learned the language `id` (`en`, `sw`, ...).
    pub fn knows_language(&self, id: &str) -> bool {
        self.model.header.languages.iter().any(|known| known == id)
    }

    /// Reads a message.
    pub fn read(&self, message: &str) -> TrainedReading {
        let Prediction { topics, urgency, .. } = self.model.predict(message);
        let urgency = [urgency[0], urgency[1], urgency[2], urgency[3]];
        let (emergency, crisis) = self.urgent_scores(&topics, &urgency);
        let mut ranked: Vec<(Topic, f32)> = self.classes.iter().copied().zip(topics).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        TrainedReading {
            ranked,
            urgency,
            emergency,
            crisis,
            thresholds: self.model.header.thresholds,
            only_smalltalk: false,
            foreign: false,
            answered: false,
            unread: false,
        }
    }

    /// The emergency and crisis scores of one prediction: each the mean of
    /// both heads' probabilities, so that one head alone is never enough.
    fn urgent_scores(&self, topics: &[f32], urgency: &[f32]) -> (f32, f32) {
        let probability_of = |wanted: Topic| {
            self.classes.iter().zip(topics).find(|(topic, _)| **topic == wanted).map_or(0.0, |(_, p)| *p)
        };
        ((probability_of(Topic::EMERGENCY) + urgency[2]) / 2.0, (probability_of(Topic::CRISIS) + urgency[3]) / 2.0)
    }
}

impl TrainedReading {
    /// The emergency or crisis it is sure of, if any: the crisis when it is
    /// at least as sure of it.
    pub fn urgent(&self) -> Option<Topic> {
        if self.only_smalltalk {
            return None;
        }
        let crisis = self.crisis_sure();
        let emergency = self.emergency >= self.threshold(self.thresholds.emergency);
        match (emergency, crisis) {
            (_, true) if self.crisis >= self.emergency => Some(Topic::CRISIS),
            (true, _) => Some(Topic::EMERGENCY),
            (false, true) => Some(Topic::CRISIS),
            (false, false) => None,
        }
    }

    /// The emergency or crisis it ranks first among the topics, with at least
    /// half of its probability ([`URGENT_FIRST_MIN`]), if any: what
    /// a message the rules could not read gets, where the alternative is a
    /// request to ask again.
    pub fn ranks_urgent_first(&self) -> Option<Topic> {
        let (topic, probability) = self.ranked.first().filter(|_| !self.only_smalltalk)?;
        (topic.is_urgent() && *probability >= URGENT_FIRST_MIN).then_some(*topic)
    }

    /// Whether it leans to a crisis enough to confirm a crisis sign that
    /// leans ("a burden", "I can't keep doing this").
    pub fn leans_to_crisis(&self) -> bool {
        !self.only_smalltalk && self.crisis >= self.thresholds.crisis_lean
    }

    /// Whether it is sure of a crisis (beside an emergency, the crisis lines follow).
    pub fn crisis_sure(&self) -> bool {
        !self.only_smalltalk && self.crisis >= self.threshold(self.thresholds.crisis)
    }

    /// A threshold, or the one for another language, or for a message the
    /// rules could not read, when that is lower: there the alternative to
    /// the urgent reply is a reply that helps nobody.
    fn threshold(&self, threshold: f32) -> f32 {
        let mut threshold = threshold;
        if self.foreign {
            threshold = threshold.min(self.thresholds.urgent_foreign);
        }
        if self.unread {
            threshold = threshold.min(self.thresholds.urgent_unread);
        }
        threshold
    }

    /// The topic it decides, when that is an answerable topic, small talk or
    /// "about something else" (urgent outcomes go through
    /// [`TrainedReading::urgent`]). In a message in another language it
    /// learned, from its own threshold. In English, the scope is the rules' (about something
    /// else, small talk, or a question about sleep spasms: they know which
    /// words name what), and the reader swaps one answerable topic of the
    /// rules (`rules`, with `rules_confidence`) for another where the rules
    /// are not confident, or where it is sure; a message the rules place
    /// out of scope is small talk where it is sure of that (`smalltalk`), and
    /// one the rules answer is about something else where it is sure of
    /// that (`out_of_scope`).
    pub fn topic(&self, rules: Option<Topic>, rules_confidence: f32) -> Option<(Topic, f32)> {
        let (topic, p) = self.ranked.first().copied()?;
        let decidable = !topic.is_urgent() && topic != Topic::OTHER_LANGUAGE;
        let thresholds = &self.thresholds;
        let both_answers = !topic.is_fixed() && rules.is_some_and(|rules| !rules.is_fixed());
        // A message in a language hypnic does not answer in is never told it
        // is about something else; one in an answered language is, where the
        // reader is as sure as it must be in English.
        let decides = if self.foreign {
            let scope = topic != Topic::OUT_OF_SCOPE || self.answered && p >= thresholds.topic;
            scope && p >= thresholds.topic_foreign
        } else if both_answers {
            p >= thresholds.topic_sure || p >= thresholds.topic && rules_confidence < thresholds.rules_confident
        } else if rules == Some(Topic::OUT_OF_SCOPE) && topic == Topic::SMALLTALK {
            p >= thresholds.smalltalk
        } else if topic == Topic::OUT_OF_SCOPE && rules.is_some_and(|rules| !rules.is_fixed()) {
            p >= thresholds.out_of_scope
        } else {
            rules.is_none() && p >= thresholds.topic
        };
        (decidable && decides).then_some((topic, p))
    }

    /// Whether it reads the message as routine: nothing that warns. Routine
    /// must reach its threshold; in a message that tells a story (`story`),
    /// where the rules may miss a warning told in the writer's own words, it
    /// must also be at least as likely as "see a doctor": a reader nine parts
    /// sure of a doctor does not agree that nothing warns. A threshold of 0
    /// gives the reader no say.
    pub fn reads_routine(&self, story: bool) -> bool {
        let [routine, doctor, ..] = self.urgency;
        let threshold = self.thresholds.routine;
        threshold <= 0.0 || routine >= threshold && (!story || routine >= doctor)
    }

    /// Whether, in an answered language other than English, it is sure
    /// enough that the message is routine to vouch for the words the rules
    /// could not read.
    pub fn vouches_routine(&self) -> bool {
        self.foreign && self.answered && self.urgency[0] >= self.thresholds.routine_foreign
    }

    /// One line for `--explain`: the top topics and the urgency.
    pub fn describe(&self) -> String {
        let topics: Vec<String> = self
            .ranked
            .iter()
            .take(3)
            .filter(|(_, p)| *p >= SHOWN_PROBABILITY)
            .map(|(topic, p)| format!("`{topic}` {p:.2}"))
            .collect();
        let [routine, doctor, emergency, crisis] = self.urgency;
        format!(
            "trained reader: {}; urgency routine {routine:.2}, doctor {doctor:.2}, emergency {emergency:.2}, crisis {crisis:.2}",
            topics.join(", ")
        )
    }
}
