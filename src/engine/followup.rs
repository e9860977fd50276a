//! Reading a message as a follow-up of the chat's last answer.
//!
//! A message is first read alone. Then, when the chat remembers an earlier
//! answer (a [`crate::ChatContext`]), these rules apply in order; an emergency
//! or another language is never changed:
//! 1. a short reply of `lexicon.toml`'s `[followup]`: "yes" answers the topic
//!    the last answer offered (else its topic again), "tell me more" its
//!    topic again, "no" closes;
//! 2. a message refused alone for want of a subject is about the chat's
//!    subject when it is tied to the chat: a warning sign, a factor, a person,
//!    a pronoun pointing back ("she", "it"), or a plain topic cue;
//!    a short message that was refused or matched no topic, with no unknown
//!    word ("what about my kid?", "and at night?"), is asked about the last
//!    topic; one with topic cues ("and for kids, dangerous?") about its own;
//! 3. a message that names nobody new keeps the person of the chat (a baby
//!    stays a baby) and the warning signs told before (an injury is not
//!    forgotten by "so is it dangerous?").
//!
//! A message with unknown words that was refused ("who won the football
//! yesterday?") changes the subject and stays refused.

use std::collections::HashSet;

use super::classify::{Decision, Evidence, MIN_IMPLICIT_CUE, TopicTable, Verdict};
use super::reading::{Fact, FactorFact, Reading, SignFact};
use super::words::words;
use crate::knowledge::{FollowupWords, SignKind, SmalltalkKind};
use crate::topic::Topic;

/// A message of at most this many words may lean on the last answer.
const MAX_FOLLOWUP_WORDS: usize = 10;

/// A message tied to the chat only by its topic cues may hold at most this
/// many unknown words ("best stroller under 300 bucks?" holds two).
const MAX_UNKNOWN_WITH_CUE: usize = 1;

/// A message tied to the chat only by a pronoun may hold at most this many
/// unknown words ("she seems fine otherwise, eats well, smiles. so its ok
/// right?" holds two; a question about a song holds more).
const MAX_UNKNOWN_WITH_PRONOUN: usize = 2;

/// Confidence of a topic taken from the chat rather than from the message.
const FOLLOWUP_CONFIDENCE: f32 = 0.5;

/// How the facts carried from the chat are shown by `--explain`.
pub(crate) const FROM_THE_CHAT: &str = "earlier in this chat";

/// A chat's context, resolved against the knowledge: ids the knowledge no
/// longer has are dropped.
#[derive(Debug, Clone, Default)]
pub(crate) struct Recalled {
    /// The last curated topic answered.
    pub topic: Option<Topic>,
    /// The kind of person, by index in `people.toml`.
    pub person: Option<usize>,
    /// The last factor, by index in `factors.toml`, with its name.
    pub factor: Option<(usize, String)>,
    /// The topic the last answer offered.
    pub offer: Option<Topic>,
    /// Warning signs told before, by index in `signs.toml`.
    pub signs: Vec<usize>,
    /// The emergency or crisis the chat told, if any.
    pub urgent: Option<Topic>,
}

/// A reply that makes sense only after an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ShortReply {
    Yes,
    More,
    No,
}

/// The follow-up word lists of `lexicon.toml`, split into words.
#[derive(Debug, Clone, Default)]
pub(crate) struct FollowupReader {
    yes: Vec<Vec<String>>,
    more: Vec<Vec<String>>,
    no: Vec<Vec<String>>,
    /// Phrases that turn to the writer ("what about me").
    writer: Vec<Vec<String>>,
    /// Words that name someone else ("husband").
    people: HashSet<String>,
    /// Words that point back to someone already spoken of ("she").
    pronouns: HashSet<String>,
    about_it: Vec<Vec<String>>,
}

impl FollowupReader {
    /// Splits the curated lists into words, as messages are.
    pub fn new(lists: &FollowupWords) -> FollowupReader {
        let split = |phrases: &[String]| phrases.iter().map(|phrase| words(phrase)).collect();
        FollowupReader {
            yes: split(&lists.yes),
            more: split(&lists.more),
            no: split(&lists.no),
            writer: split(&lists.writer),
            people: lists.people.iter().flat_map(|phrase| words(phrase)).collect(),
            pronouns: lists.pronouns.iter().flat_map(|phrase| words(phrase)).collect(),
            about_it: split(&lists.about_it),
        }
    }

    fn short_reply(&self, message: &[String]) -> Option<ShortReply> {
        let is = |phrases: &[Vec<String>]| phrases.iter().any(|phrase| phrase.as_slice() == message);
        if is(&self.yes) {
            Some(ShortReply::Yes)
        } else if is(&self.more) {
            Some(ShortReply::More)
        } else if is(&self.no) {
            Some(ShortReply::No)
        } else {
            None
        }
    }

    /// Whether the message turns to the writer or names another person
    /// ("what about me?", "my husband").
    fn names_someone(&self, message: &[String]) -> bool {
        message.iter().any(|word| self.people.contains(word))
            || self.writer.iter().any(|phrase| message.windows(phrase.len()).any(|window| window == phrase.as_slice()))
    }

    /// Whether a message refused alone is tied to a chat about sleep spasms:
    /// it tells a warning sign, names a factor or a person, refers back, or
    /// asks plainly for a topic ("what about alcohol, I have a couple of beers
    /// every night"). One with none of these ("who won the football?")
    /// changes the subject.
    pub fn ties_to_the_chat(
        &self,
        reading: &Reading,
        evidence: &Evidence,
        decision: &Decision,
        recalled: &Recalled,
    ) -> bool {
        let unknown = reading.analysis.foreign.len();
        let names_facts =
            reading.warnings().next().is_some() || !reading.factors.is_empty() || reading.person.is_some();
        let refused = match decision.verdict {
            Verdict::OutOfScope { .. } => true,
            // "my 2 yo does it too" is no greeting, whatever "yo" says.
            // "so its ok right" asks, whatever "ok" says.
            Verdict::Smalltalk(_) => names_facts || reading.asks,
            _ => false,
        };
        recalled.topic.is_some()
            && refused
            && reading.emergency().is_none()
            && !reading.not_english
            && !closes(reading, evidence)
            && (names_facts
                || self.names_someone(&reading.analysis.words)
                || unknown <= MAX_UNKNOWN_WITH_PRONOUN
                    && reading.analysis.words.iter().any(|word| self.pronouns.contains(word))
                || evidence.cue_strength() >= MIN_IMPLICIT_CUE && unknown <= MAX_UNKNOWN_WITH_CUE)
    }

    /// Reads `reading`, already decided alone, as a follow-up of `recalled`
    /// (`tied`: [`FollowupReader::ties_to_the_chat`] held, and it was decided again):
    /// may change the verdict and add the chat's person and warning signs.
    /// Returns what it did, for `--explain`.
    pub fn apply(
        &self,
        reading: &mut Reading,
        evidence: &Evidence,
        decision: &mut Decision,
        recalled: &Recalled,
        table: &TopicTable,
        tied: bool,
    ) -> Vec<String> {
        let mut notes = Vec::new();
        if reading.emergency().is_some() || reading.not_english || reading.analysis.words.is_empty() {
            return notes;
        }
        let message = &reading.analysis.words;
        let mut force = |topic: Topic, why: &str, decision: &mut Decision| {
            notes.push(format!("follow-up: {why}, answered on `{topic}`"));
            decision.verdict = Verdict::Answer { topic, confidence: FOLLOWUP_CONFIDENCE, runner_up: None };
        };
        match (self.short_reply(message), recalled.offer, recalled.topic) {
            (Some(ShortReply::Yes), Some(offer), _) => force(offer, "yes to the offer", decision),
            (Some(ShortReply::Yes | ShortReply::More), _, Some(last)) => {
                force(last, "more of the last topic", decision);
            }
            (Some(ShortReply::No), _, _) if recalled.offer.is_some() || recalled.topic.is_some() => {
                notes.push("follow-up: no to the offer".to_string());
                decision.verdict = Verdict::Smalltalk(SmalltalkKind::Declined);
                return notes;
            }
            _ => {
                let refused = matches!(decision.verdict, Verdict::OutOfScope { .. });
                let no_topic = matches!(decision.verdict, Verdict::Answer { .. })
                    && decision.scores.iter().all(|score| *score <= 0.0);
                // Short and plain, or tied to the chat by a fact ("and during pregnancy?").
                let leans = message.len() <= MAX_FOLLOWUP_WORDS && (tied || reading.analysis.foreign.is_empty());
                if (refused || no_topic) && leans && !closes(reading, evidence) {
                    match (evidence.strongest_cue(), recalled.topic) {
                        (Some(slot), _) if refused => {
                            force(table.topics[slot], "its own cue, about the chat's subject", decision)
                        }
                        (None, Some(last)) => force(last, "a short question with no topic of its own", decision),
                        _ => {}
                    }
                }
            }
        }
        if !matches!(decision.verdict, Verdict::Answer { .. }) || closes(reading, evidence) {
            return notes;
        }
        // "does it make them worse?" after a message about coffee asks about coffee.
        if let Some((factor, name)) = &recalled.factor
            && reading.factors.is_empty()
            && message.len() <= MAX_FOLLOWUP_WORDS
            && self.about_it.iter().any(|opening| message.starts_with(opening))
            && evidence.asks_what_makes_them_worse(table)
        {
            notes.push(format!("follow-up: asks about the factor of the chat, `{name}`"));
            reading.factors.push(FactorFact { fact: Fact { index: *factor, words: name.clone() }, asked: true });
        }
        if self.names_someone(message) || reading.person.is_some() {
            return notes;
        }
        if let Some(person) = recalled.person {
            notes.push("follow-up: about the same person as before".to_string());
            reading.person = Some(Fact { index: person, words: FROM_THE_CHAT.to_string() });
        }
        for &sign in &recalled.signs {
            if !reading.signs.iter().any(|told| told.fact.index == sign) {
                reading.signs.push(SignFact {
                    fact: Fact { index: sign, words: FROM_THE_CHAT.to_string() },
                    kind: SignKind::Warning,
                    sensation: None,
                    leaning: false,
                });
            }
        }
        notes
    }
}

/// Whether the message closes the chat: thanks or a goodbye that asks nothing
/// ("ok thanks, that helps"), unlike "so its ok right?".
fn closes(reading: &Reading, evidence: &Evidence) -> bool {
    evidence.closing().is_some() && !reading.asks
}
