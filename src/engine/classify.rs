//! Deciding what a question is about: small talk, out of scope, or one of the
//! answerable topics with a confidence. (Emergencies are read before, as signs
//! of `signs.toml`.) In a message of several sentences, the question's phrases
//! choose the topic and the whole message decides the scope.
//!
//! Topic scores add up the cue weights of the phrases found (each phrase once,
//! none right after a negator such as "without") and a vote from the search:
//! the best passages vote for the topics they back.
//!
//! Scope comes from the subject. A question that names sleep spasms is in
//! scope. An everyday movement word ("twitch") names them when the question
//! places it in sleep, and refers to them like "they" when it places it
//! nowhere; placed outside sleep ("during the day") it is not about them. One
//! that names something unknown and not sleep spasms is not. One
//! that names nothing ("are they dangerous?") is about sleep spasms. One whose
//! subject is a thing the articles discuss (caffeine, epilepsy) is in scope only
//! for the topics where the articles discuss it: "does caffeine make it worse"
//! is, "is epilepsy dangerous" is not.

use super::vocabulary::{Analysis, Vocabulary};
use crate::index::Hit;
use crate::knowledge::SmalltalkKind;
use crate::topic::Topic;

/// The search vote of the best passage, in cue-weight units.
const SEARCH_VOTE: f32 = 1.0;

/// Bonus for the topics where an entity is discussed, when it is the subject.
const ENTITY_HOME_BONUS: f32 = 0.5;

/// A negator cancels the cue of a phrase that starts at most this many words
/// after it: "without pills" and "no more coffee" are negated, "apart from
/// sleeping more, what can I do" is not.
const NEGATION_REACH: usize = 2;

/// A second topic is offered when it scores at least this share of the best...
const RUNNER_UP_SHARE: f32 = 0.6;

/// ... and at least this much.
const RUNNER_UP_MIN_SCORE: f32 = 2.0;

/// Without a subject, an anaphor or an entity, a question must carry at least
/// this much cue weight to be read as about sleep spasms ("dangerous?" is;
/// "what's 17 times 23" is not).
pub(crate) const MIN_IMPLICIT_CUE: f32 = 2.0;

/// Unknown words may stand beside an anaphor ("how do I make them go away
/// naturally") up to this share of the content words; above it, they are what
/// the question is about.
const MAX_FOREIGN_SHARE: f32 = 0.25;

/// Beside an entity the share may be higher ("nicotine patches"): an entity
/// question is only answered on the entity's own topics anyway.
const MAX_FOREIGN_SHARE_WITH_ENTITY: f32 = 0.5;

/// A message of at least this many words that names a movement, and places it
/// nowhere else, describes sleep spasms.
const STORY_WORDS: usize = 8;

/// Confidence grows with the best score on this scale (score 2.5 -> 0.63).
const CONFIDENCE_SCALE: f32 = 2.5;

/// Confidence given to an in-scope question that matches no topic cue.
const DEFAULT_TOPIC_CONFIDENCE: f32 = 0.3;

/// The curated topics as the classifier sees them. A topic's slot is its
/// place in `topics.toml`; every per-topic score is indexed by it.
#[derive(Debug, Clone)]
pub(crate) struct TopicTable {
    /// The topics by slot; an earlier slot wins an exact tie.
    pub topics: Vec<Topic>,
    /// Per slot: whether the topic needs sleep spasms named or referred to.
    pub needs_subject: Vec<bool>,
    /// The slots whose cues ask what makes spasms happen or worse.
    pub about_factors: Vec<usize>,
    /// The slot that answers an in-scope question matching no cue.
    pub fallback: usize,
    /// Per passage: the slots of the topics it backs.
    pub backs: Vec<Vec<usize>>,
}

/// A topic that answers another topic's questions when they open a certain way:
/// "**when** are they dangerous?" asks for the warning signs, not for safety.
#[derive(Debug, Clone)]
pub(crate) struct Opening {
    /// The opening words, lower case.
    pub words: Vec<String>,
    /// The slot of the topic that answers.
    pub to: usize,
    /// The slots of the topics whose cues it takes.
    pub from: Vec<usize>,
}

/// What the engine decided a message is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Verdict {
    /// No words in it.
    Unreadable,
    /// Only small talk.
    Smalltalk(SmalltalkKind),
    /// Not about sleep spasms.
    OutOfScope {
        /// How sure the engine is, in [0, 1].
        confidence: f32,
    },
    /// One of the answerable topics.
    Answer {
        /// The best topic.
        topic: Topic,
        /// How sure the engine is, in [0, 1].
        confidence: f32,
        /// A close second topic, if any.
        runner_up: Option<Topic>,
    },
}

/// A verdict with the topic scores behind it (all zero when none were needed).
#[derive(Debug, Clone)]
pub(crate) struct Decision {
    /// The verdict.
    pub verdict: Verdict,
    /// Final score per topic slot (empty when no scores were needed).
    pub scores: Vec<f32>,
    /// The trained reader decided the verdict, not the rules.
    pub trained: bool,
    /// When the trained reader decided: the topic the rules had chosen, if any.
    pub rules_topic: Option<Topic>,
}

/// What the phrases of a question say, gathered once.
#[derive(Debug, Default)]
pub(crate) struct Evidence {
    /// Names sleep spasms: a subject, or a movement placed in sleep.
    has_subject: bool,
    /// The first phrase is small talk ("thank you, I will call my doctor").
    opens_with_smalltalk: bool,
    /// The message asks something (a question mark or a question opening).
    pub asks: bool,
    /// Places a movement outside sleep spasms, and names no subject.
    placed_elsewhere: bool,
    /// Has a context phrase (body, sensation, sleep time).
    has_context: bool,
    /// Names a sudden movement ("jerk", "twitch"), wherever it is placed.
    has_movement: bool,
    /// Names an animal.
    has_animal: bool,
    /// Has a word that places things in sleep ("night", "doze off").
    has_sleep_time: bool,
    has_anaphor: bool,
    has_entity: bool,
    addressed: bool,
    /// Phrases that carry meaning: not just general words.
    content_phrases: usize,
    smalltalk: Option<SmalltalkKind>,
    only_smalltalk: bool,
    /// The slots of the topics an entity named is discussed under.
    entity_topics: Vec<usize>,
    /// Per topic slot: the weight of the cues found.
    cue_scores: Vec<f32>,
    /// Per topic slot: the weight of the cues carried by entities.
    entity_scores: Vec<f32>,
}

impl Evidence {
    /// Gathers the evidence of an analysed question.
    pub fn gather(analysis: &Analysis, vocabulary: &Vocabulary) -> Evidence {
        let mut evidence = Evidence {
            only_smalltalk: analysis.foreign.is_empty(),
            cue_scores: vec![0.0; vocabulary.topic_count()],
            entity_scores: vec![0.0; vocabulary.topic_count()],
            ..Evidence::default()
        };
        let mut anaphors = 0;
        let (mut movement, mut sleep_time, mut elsewhere) = (false, false, false);
        let mut counted = Vec::with_capacity(analysis.phrases.len());
        let mut negated_until: Option<usize> = None;
        for (order, &id) in analysis.phrases.iter().enumerate() {
            let meaning = &vocabulary.phrase(id).meaning;
            evidence.has_subject |= meaning.subject;
            movement |= meaning.movement;
            sleep_time |= meaning.sleep_time;
            elsewhere |= meaning.elsewhere;
            evidence.has_context |= meaning.context;
            evidence.has_animal |= meaning.animal;
            anaphors += usize::from(meaning.anaphor);
            evidence.has_entity |= meaning.entity;
            evidence.addressed |= meaning.addressee;
            if evidence.smalltalk.is_none() {
                evidence.smalltalk = meaning.smalltalk;
                evidence.opens_with_smalltalk = order == 0 && meaning.smalltalk.is_some();
            }
            let names = meaning.subject || meaning.movement || meaning.entity;
            let plain_general = meaning.general && meaning.cues.is_empty() && !names;
            let plain_context = meaning.context && meaning.cues.is_empty() && !names;
            if meaning.smalltalk.is_none() && !plain_general && !plain_context {
                evidence.only_smalltalk = false;
            }
            if !plain_general && meaning.smalltalk.is_none() && !meaning.anaphor && !meaning.negator {
                evidence.content_phrases += 1;
            }
            if meaning.negator {
                negated_until = analysis.spans.get(order).map(|&(_, end)| end + NEGATION_REACH);
                continue;
            }
            let start = analysis.spans.get(order).map_or(0, |&(start, _)| start);
            if negated_until.is_some_and(|last| start < last) || counted.contains(&id) {
                continue;
            }
            counted.push(id);
            for &(slot, weight) in &meaning.cues {
                if meaning.entity {
                    evidence.entity_scores[slot] += weight;
                    if !evidence.entity_topics.contains(&slot) {
                        evidence.entity_topics.push(slot);
                    }
                } else {
                    evidence.cue_scores[slot] += weight;
                }
            }
        }
        evidence.has_movement = movement;
        evidence.has_sleep_time = sleep_time;
        evidence.placed_elsewhere = elsewhere && movement && !sleep_time && !evidence.has_subject;
        // "It woke my cat" does not make the writer's jerk the cat's: an animal
        // is the subject only when no "I" tells the story.
        evidence.has_animal &= !analysis.words.iter().any(|word| word == "i" || word == "im");
        // A movement placed in sleep names sleep spasms, and so does one that a
        // story describes without placing it elsewhere ("I started a new
        // antidepressant and the jerks got worse"); placed nowhere in a short
        // question, it refers to them the way "they" does. An animal's
        // movements are not a person's sleep spasms.
        let story = analysis.words.len() >= STORY_WORDS;
        evidence.has_subject |= movement && !evidence.has_animal && (sleep_time || story && !elsewhere);
        evidence.has_anaphor = anaphors > dummy_its(&analysis.words) || movement && !evidence.has_subject;
        evidence
    }

    /// Moves the cue weight of a question that opens like one of `openings` to
    /// the topic that answers it.
    pub fn apply_openings(&mut self, analysis: &Analysis, openings: &[Opening]) {
        let Some(opening) = openings.iter().find(|opening| analysis.words.starts_with(&opening.words)) else {
            return;
        };
        let to = opening.to;
        for &from in &opening.from {
            self.cue_scores[to] += self.cue_scores[from];
            self.cue_scores[from] = 0.0;
        }
    }

    /// Whether the message names sleep spasms or a sudden movement, placed
    /// anywhere: a warning sign in it is about them.
    pub fn names_a_movement(&self) -> bool {
        self.has_subject || self.has_movement
    }

    /// Whether the message places what it tells in sleep, and nowhere else: a
    /// story of the night, whose unknown words are scenery, not the subject.
    pub fn places_in_sleep(&self) -> bool {
        self.has_sleep_time && !self.placed_elsewhere && !self.has_animal
    }

    /// Takes sleep spasms as the subject, named earlier in the chat: a
    /// follow-up ("what about alcohol, I have a couple of beers at night")
    /// need not name them again.
    pub fn assume_subject(&mut self) {
        self.has_subject = true;
    }

    /// Whether the message refers back to something ("they", "it").
    pub fn refers_back(&self) -> bool {
        self.has_anaphor
    }

    /// Whether the cues ask what causes the spasms or makes them worse.
    pub fn asks_what_makes_them_worse(&self, table: &TopicTable) -> bool {
        table.about_factors.iter().any(|&slot| self.cue_scores[slot] > 0.0)
    }

    /// The topic slot the cues ask for most, if any cue was found.
    pub fn strongest_cue(&self) -> Option<usize> {
        self.cue_scores
            .iter()
            .zip(&self.entity_scores)
            .map(|(c, e)| c + e)
            .enumerate()
            .filter(|(_, score)| *score > 0.0)
            .fold(None, |best: Option<(usize, f32)>, (slot, score)| match best {
                Some((_, top)) if top >= score => best,
                _ => Some((slot, score)),
            })
            .map(|(slot, _)| slot)
    }

    /// How strongly the cues ask for any one topic.
    pub fn cue_strength(&self) -> f32 {
        self.cue_scores.iter().zip(&self.entity_scores).map(|(c, e)| c + e).fold(0.0, f32::max)
    }

    /// Thanks or a goodbye said by a message that names no subject: "thank u
    /// that calmed me down, gonna try to sleep now" closes a conversation.
    pub fn closing(&self) -> Option<SmalltalkKind> {
        self.smalltalk
            .filter(|kind| matches!(kind, SmalltalkKind::Thanks | SmalltalkKind::Goodbye) && !self.has_subject)
    }

    /// Whether the message opens with small talk ("thanks, I'll call my doctor").
    pub fn opens_with_smalltalk(&self) -> bool {
        self.opens_with_smalltalk
    }

    /// Whether the phrases are small talk and nothing else ("can I trust you?").
    pub fn is_smalltalk(&self) -> bool {
        self.only_smalltalk && self.smalltalk.is_some()
    }

    /// Takes the topic cues of `question`, the sentence that asks: the story
    /// around it keeps deciding the scope, but not the topic.
    pub fn take_topic_cues(&mut self, question: &Evidence) {
        self.cue_scores.clone_from(&question.cue_scores);
        self.entity_scores.clone_from(&question.entity_scores);
        self.entity_topics.clone_from(&question.entity_topics);
        self.smalltalk = question.smalltalk;
        self.only_smalltalk = question.only_smalltalk;
    }

    /// Whether the search is worth running: the question may be answered.
    pub fn needs_search(&self, analysis: &Analysis) -> bool {
        !self.is_smalltalk() && (analysis.foreign.is_empty() || self.has_subject)
    }
}

/// Counts the "it" that stands for a clause, not for sleep spasms: "is it safe
/// **to** drive tired?" is about driving tired, while "is it safe?" is about them.
fn dummy_its(words: &[String]) -> usize {
    words.windows(3).filter(|w| w[0] == "it" && w[2] == "to").count()
}

/// Decides the verdict for a question that is not an emergency.
///
/// `hits` are the search results; `table` says which passages back which topics
/// and which topics need sleep spasms named or referred to.
pub(crate) fn decide(analysis: &Analysis, evidence: &Evidence, hits: &[Hit], table: &TopicTable) -> Decision {
    let verdict = |verdict| Decision { verdict, scores: Vec::new(), trained: false, rules_topic: None };
    if analysis.words.is_empty() {
        return verdict(Verdict::Unreadable);
    }
    // How strongly the question asks for any one topic.
    let cue_strength = evidence.cue_strength();
    let foreign = analysis.foreign.len();
    // Small talk, or small talk with at most a weak cue and nothing named:
    // "thanks, that really helped" is thanks, not a question about treatment.
    let weak_cue_only =
        !evidence.has_subject && !evidence.has_entity && foreign == 0 && cue_strength < MIN_IMPLICIT_CUE;
    if let Some(kind) = evidence.smalltalk.filter(|_| evidence.only_smalltalk || weak_cue_only) {
        return verdict(Verdict::Smalltalk(kind));
    }
    let names_something = evidence.has_subject || evidence.has_anaphor || evidence.has_entity;
    // "Who made you?" is about the bot; "is it better to sleep on your back?"
    // asks about sleep with a generic "your".
    if evidence.addressed && !names_something && foreign == 0 && evidence.content_phrases == 0 {
        return verdict(Verdict::Smalltalk(SmalltalkKind::About));
    }
    let out_of_scope = |share: f32| verdict(Verdict::OutOfScope { confidence: (0.6 + 0.4 * share).min(1.0) });
    if evidence.placed_elsewhere || evidence.has_animal && !evidence.has_subject {
        return out_of_scope(0.5);
    }
    let foreign_share = foreign as f32 / (foreign + evidence.content_phrases).max(1) as f32;
    if foreign > 0 && !evidence.has_subject {
        let tolerated = if evidence.has_entity {
            MAX_FOREIGN_SHARE_WITH_ENTITY
        } else if evidence.has_anaphor {
            MAX_FOREIGN_SHARE
        } else {
            0.0
        };
        if foreign_share > tolerated {
            return out_of_scope(foreign_share);
        }
    }
    // The subject is an entity when nothing else is named, or when unknown words
    // stand beside it ("nicotine patches"): then only the entity's topics answer.
    let entity_is_subject = !evidence.has_subject && (!evidence.has_anaphor || foreign > 0) && evidence.has_entity;
    if !names_something && cue_strength < MIN_IMPLICIT_CUE || !evidence.has_subject && cue_strength <= 0.0 {
        return verdict(Verdict::OutOfScope { confidence: 0.5 });
    }

    // Only cues and function words: "dangerous??", "causes?", "rare or common?".
    let bare = foreign == 0 && analysis.common_words == 0 && !evidence.has_context && !evidence.has_entity;
    let mut scores = evidence.cue_scores.clone();
    // An entity named alone ("epilepsy??") is asked about on its own topics.
    let own_cues = evidence.cue_scores.iter().any(|score| *score > 0.0);
    if entity_is_subject && own_cues {
        for &slot in &evidence.entity_topics {
            scores[slot] += ENTITY_HOME_BONUS;
        }
    } else {
        for (score, entity) in scores.iter_mut().zip(&evidence.entity_scores) {
            *score += entity;
        }
    }
    // A story with no word that asks for a topic ("my husband jerks loads when
    // he's falling asleep") is answered with what sleep spasms are, not with
    // whatever passage its story words happen to find.
    if cue_strength > 0.0 || evidence.asks {
        add_search_votes(&mut scores, hits, &table.backs);
    }

    let ranked = rank(&scores);
    let (best, best_score) = ranked[0];
    let verdict = if best_score <= 0.0 {
        let topic = table.topics[table.fallback];
        Verdict::Answer { topic, confidence: DEFAULT_TOPIC_CONFIDENCE, runner_up: None }
    } else if entity_is_subject
        && !(evidence.entity_topics.contains(&best)
            || evidence.entity_topics.is_empty() && table.about_factors.contains(&best))
    {
        // An entity is answered on its own topics; a factor with none ("is
        // alcohol a trigger?") only on what makes spasms worse.
        Verdict::OutOfScope { confidence: 0.6 }
    } else if table.needs_subject[best]
        && !evidence.has_subject
        && !entity_is_subject
        && (foreign > 0 || !evidence.has_anaphor && !bare)
    {
        // Never call something benign (or 70% common) unless it is clearly sleep
        // spasms: named, referred back to ("are they dangerous?"), or asked with
        // nothing else at all ("dangerous??"). "Is high pressure dangerous?" and
        // "is it safe to drive tired?" are not.
        Verdict::OutOfScope { confidence: 0.6 }
    } else {
        let (second, second_score) = ranked[1];
        let strength = 1.0 - (-best_score / CONFIDENCE_SCALE).exp();
        let margin = (best_score - second_score) / best_score;
        let confidence = (strength * (0.5 + 0.5 * margin)).clamp(0.0, 1.0);
        let close = second_score >= RUNNER_UP_SHARE * best_score && second_score >= RUNNER_UP_MIN_SCORE;
        Verdict::Answer { topic: table.topics[best], confidence, runner_up: close.then(|| table.topics[second]) }
    };
    Decision { verdict, scores, trained: false, rules_topic: None }
}

/// Each of the best passages votes, in proportion to its score, for the topics it
/// backs; a topic keeps its strongest vote.
fn add_search_votes(scores: &mut [f32], hits: &[Hit], backs: &[Vec<usize>]) {
    let Some(top) = hits.first().map(|hit| hit.score).filter(|s| *s > 0.0) else { return };
    let mut votes = vec![0.0f32; scores.len()];
    for hit in hits {
        let vote = SEARCH_VOTE * hit.score / top;
        for &slot in backs.get(hit.passage).map_or(&[][..], Vec::as_slice) {
            votes[slot] = votes[slot].max(vote);
        }
    }
    for (score, vote) in scores.iter_mut().zip(votes) {
        *score += vote;
    }
}

/// Topic slots by score, best first; an exact tie goes to the earlier slot.
/// There is always a second entry, scored zero when there is one topic only.
fn rank(scores: &[f32]) -> Vec<(usize, f32)> {
    let mut ranked: Vec<(usize, f32)> = scores.iter().copied().enumerate().collect();
    // A stable sort keeps the file's order among equal scores.
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    ranked.resize(ranked.len().max(2), (0, 0.0));
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_go_to_the_earlier_topic() {
        let scores = [0.0, 2.0, 0.0, 2.0];
        assert_eq!(rank(&scores)[0], (1, 2.0));
        assert_eq!(rank(&scores)[1], (3, 2.0));
        assert_eq!(rank(&[1.0]).len(), 2);
    }

    #[test]
    fn search_votes_keep_the_strongest_vote_per_topic() {
        let mut scores = [0.0; 3];
        let hits = [Hit { passage: 0, score: 4.0 }, Hit { passage: 1, score: 2.0 }, Hit { passage: 9, score: 1.0 }];
        let backs = [vec![0], vec![0, 2]];
        add_search_votes(&mut scores, &hits, &backs);
        assert_eq!(scores, [SEARCH_VOTE, 0.0, SEARCH_VOTE / 2.0]);
    }
}
