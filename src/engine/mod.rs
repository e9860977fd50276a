//! The answer engine: one question in, one [`Answer`] out.
//!
//! The pipeline, in order:
//! 1. [`words`]: sanitize the message and split it into words;
//! 2. [`vocabulary`]: correct spelling, find the curated phrases, stem the rest;
//! 3. [`reading`]: read the message into facts: its sentences and the one that
//!    asks, its language, the emergency and warning signs it describes, who it
//!    is about and the factors it names;
//! 4. search the passage index with the stems of the question;
//! 5. [`classify`]: decide small talk, out of scope, or the topic the question
//!    asks for (the story around it decides the scope, not the topic);
//! 6. [`plan`]: plan the reply from the facts and the topic: the urgent reply,
//!    seeing a doctor first, a caveat for who it is about, the asked factor's
//!    line, the curated lead, the backing passages, the disclaimer.
//!
//! The engine knows nothing about terminals or Telegram. It is a cheap `Clone`
//! handle, built once and shared by every adapter and thread.

mod classify;
mod explain;
mod followup;
mod pattern_index;
mod plan;
mod reading;
mod retrieval;
mod safety;
mod sentences;
mod set_nfa;
mod spelling;
mod trained;
mod urgent;
mod vocabulary;
mod voice;
mod words;

use std::path::Path;
use std::sync::Arc;

pub use explain::Explanation;
pub use retrieval::PassageRoles;
pub use voice::Voice;
use words::words;
pub use words::{MAX_QUESTION_CHARS, Sanitized, sanitize};

use self::classify::{Decision, Evidence, Opening, TopicTable, Verdict, decide};
use self::followup::{FollowupReader, Recalled};
use self::plan::{Planned, Reasons};
use self::reading::{Reader, Reading};
use self::retrieval::{Curated, Retrieval};
use self::trained::TrainedReader;
use self::vocabulary::Vocabulary;
use crate::answer::{Answer, Offer, Quote, RelatedTopic};
use crate::check::Check;
use crate::cleaning::{Corpus, Passage, Source};
use crate::conversation::{ChatContext, MAX_REMEMBERED_SIGNS, Turn, Urgent};
use crate::error::Result;
use crate::index::{Hit, PassageIndex, score_of};
use crate::knowledge::{ENGLISH, Helpline, Knowledge, Located, SignKind, SmalltalkKind, Texts, TopicRole, TopicSpec};
use crate::topic::Topic;

/// How many passages a search returns; they vote for topics and rank quotes.
const SEARCH_LIMIT: usize = 8;

/// At most this many quotes follow a lead.
pub const MAX_QUOTES: usize = 3;

/// Quotes stop once their text passes this many characters (one is always kept).
pub const MAX_QUOTE_CHARS: usize = 650;

/// Which language a reply is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LangChoice<'a> {
    /// The message's own when the knowledge answers in it; English for a
    /// message in English, or in a language without a voice (after a line in
    /// that language); `otherwise` for a message that tells no language ("ok",
    /// an emoji, "112?").
    Auto {
        /// The language of a message that tells none, such as the chat's last one.
        otherwise: &'a str,
    },
    /// This one, whatever the message (English when the knowledge has no voice for it).
    Only(&'a str),
}

impl LangChoice<'_> {
    /// The message's own language, English otherwise.
    pub const AUTO: LangChoice<'static> = LangChoice::Auto { otherwise: ENGLISH };
}

/// A message read up to the decision; [`Engine::answer`] and [`Engine::explain`]
/// both start from it.
struct Assessment {
    reading: Reading,
    evidence: Evidence,
    hits: Vec<Hit>,
    decision: Decision,
    /// What reading it as a follow-up changed, for `--explain`.
    followup: Vec<String>,
    /// What the trained reader read, and which side decided the topic, for `--explain`.
    trained: Vec<String>,
    /// The emergency or crisis the chat told before this message, if any.
    urgent_before: Option<Topic>,
}

/// The answer engine. Cloning is cheap: clones share one built engine.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    place: String,
    corpus: Corpus,
    index: PassageIndex,
    vocabulary: Vocabulary,
    /// Signs, people, factors and languages, compiled.
    reader: Reader,
    /// The short replies and person words that follow-ups are read with.
    followup: FollowupReader,
    /// Per factor: the passage backing what the articles say of it, if they name it.
    factor_passages: Vec<Option<usize>>,
    /// The curated topics, by slot (their order in `topics.toml`).
    topics: Vec<TopicSpec>,
    /// The topics as the classifier sees them.
    table: TopicTable,
    /// Per topic slot: the backing passage ids, in curated order.
    backing: Vec<Vec<usize>>,
    /// The topics offered under replies that are not topic answers.
    starters: Vec<Topic>,
    /// Questions a topic takes from others by how they open.
    openings: Vec<Opening>,
    /// Per passage: its quote, ready to share, and its length in characters.
    quotes: Vec<(Quote, usize)>,
    /// Per passage: whether its words reassure (`reassurance.toml`); such a
    /// passage is quoted only when reassurance is earned.
    reassuring_passages: Vec<bool>,
    /// The answered languages: English first, then `voices/` in file order.
    voices: Vec<Voice>,
    /// Crisis lines by country.
    helplines: Vec<Helpline>,
    /// The trained reader, when the knowledge has a model.
    trained: Option<TrainedReader>,
    /// What the articles no curator has curated yet speak of, and which
    /// passages alarm.
    retrieval: Retrieval,
}

impl Engine {
    /// Builds the engine from loaded knowledge: cleans the articles, checks the
    /// backing passages, indexes the passages and compiles the vocabulary.
    ///
    /// # Errors
    /// [`crate::Error::Malformed`] when a backing fragment of `topics.toml` is not
    /// in exactly one cleaned passage; [`crate::Error::Index`] if tantivy fails.
    pub fn new(knowledge: Knowledge) -> Result<Engine> {
        Engine::with_index_dir(knowledge, None)
    }

    /// [`Engine::new`], searching the index that `hypnic index --build DIR`
    /// wrote into `index_dir` (opened memory-mapped) instead of indexing the
    /// passages in RAM; `None` indexes them in RAM.
    ///
    /// # Errors
    /// As [`Engine::new`], and as [`PassageIndex::open`] when the folder holds
    /// no index of the knowledge's passages.
    pub fn with_index_dir(knowledge: Knowledge, index_dir: Option<&Path>) -> Result<Engine> {
        let corpus = Corpus::clean(&knowledge.articles, &knowledge.junk);
        let mut backs = vec![Vec::new(); corpus.passages.len()];
        let mut backing = Vec::with_capacity(knowledge.topics.len());
        for (slot, spec) in knowledge.topics.iter().enumerate() {
            let mut ids = Vec::new();
            for fragment in &spec.backing {
                let id = find_passage(&corpus, fragment)?;
                if !ids.contains(&id) {
                    ids.push(id);
                }
                if !backs[id].contains(&slot) {
                    backs[id].push(slot);
                }
            }
            backing.push(ids);
        }
        let mut factor_passages = Vec::with_capacity(knowledge.factors.len());
        for factor in &knowledge.factors {
            factor_passages.push(match &factor.backing {
                Some(fragment) => Some(find_passage(&corpus, fragment)?),
                None => None,
            });
        }
        let quote_of = |fragment: &Located<String>| holding_passage(&corpus, fragment).map(|p| quote(&corpus, p));
        let english_check =
            Check::compile(knowledge.check.clone(), quote_of, Arc::from(knowledge.texts.disclaimer.as_str()))?;
        let mut voices = vec![Voice::english(&knowledge, english_check)];
        for file in &knowledge.voices {
            let check =
                Check::compile(file.check(&knowledge.check), quote_of, Arc::from(file.texts.disclaimer.as_str()))?;
            voices.push(Voice::translated(&knowledge, file, check));
        }
        let reassuring_passages: Vec<bool> = corpus
            .passages
            .iter()
            .map(|passage| knowledge.reassurance.reassuring.is_match(&passage.text.to_lowercase()))
            .collect();
        let (alarming, reassuring) = (knowledge.reassurance.alarming.clone(), knowledge.reassurance.reassuring.clone());
        let emergency_words = knowledge.signs.emergency_words();
        // The slowest steps are independent: the index and the reader's
        // pattern sets on one core, the vocabulary and its speller on the other.
        let lexicon = &knowledge.lexicon;
        let (index, reader, vocabulary) = std::thread::scope(|scope| {
            let (signs, people, factors) = (knowledge.signs, knowledge.people, knowledge.factors);
            let (languages, reassurance, requests) = (knowledge.languages, knowledge.reassurance, knowledge.requests);
            let passages = &corpus.passages;
            let index_and_reader = scope.spawn(move || {
                let index = match index_dir {
                    Some(dir) => PassageIndex::open(dir, passages),
                    None => PassageIndex::build(passages),
                };
                let reader = Reader::new(signs, people, factors, languages, lexicon, reassurance, requests);
                (index, reader)
            });
            let vocabulary =
                Vocabulary::build(lexicon, &knowledge.topics, &corpus, knowledge.dictionary, &emergency_words);
            let (index, reader) = index_and_reader.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (index, reader, vocabulary)
        });
        let (index, reader) = (index?, reader?);
        let topics = &knowledge.topics;
        let slot_of = |topic: Topic| topics.iter().position(|spec| spec.topic == topic).unwrap_or_default();
        let openings = topics
            .iter()
            .enumerate()
            .filter_map(|(to, spec)| spec.takes_over.as_ref().map(|take| (to, take)))
            .flat_map(|(to, take)| {
                let from: Vec<usize> = take.from.iter().map(|&topic| slot_of(topic)).collect();
                take.opened_by.iter().map(move |opening| Opening { words: words(opening), to, from: from.clone() })
            })
            .collect();
        let table = TopicTable {
            topics: topics.iter().map(|spec| spec.topic).collect(),
            needs_subject: topics.iter().map(|spec| spec.needs_subject).collect(),
            about_factors: topics.iter().enumerate().filter(|(_, spec)| spec.about_factors).map(|(s, _)| s).collect(),
            fallback: role_slot(topics, TopicRole::Fallback),
            backs,
        };
        let starters = topics.iter().filter(|spec| spec.starter).map(|spec| spec.topic).collect();
        let trained = knowledge
            .model
            .map(|model| {
                TrainedReader::new(model, |id| {
                    Topic::fixed(id).or_else(|| topics.iter().map(|spec| spec.topic).find(|topic| topic.id() == id))
                })
            })
            .transpose()?;
        let quotes =
            corpus.passages.iter().map(|passage| (quote(&corpus, passage), passage.text.chars().count())).collect();
        let curated =
            Curated { backing: &backing, factor_backing: &factor_passages, factor_topics: &table.about_factors };
        let retrieval = Retrieval::find(&corpus, &index, &reader, &curated, &alarming, &reassuring)?;
        Ok(Engine {
            inner: Arc::new(Inner {
                table,
                starters,
                openings,
                quotes,
                reassuring_passages,
                voices,
                place: knowledge.place,
                corpus,
                index,
                vocabulary,
                reader,
                factor_passages,
                followup: FollowupReader::new(&knowledge.lexicon.followup),
                topics: knowledge.topics,
                backing,
                helplines: knowledge.helplines,
                trained,
                retrieval,
            }),
        })
    }

    /// The engine over the knowledge embedded in the binary.
    ///
    /// # Errors
    /// As [`Engine::new`]; the test suite keeps the embedded knowledge valid.
    pub fn embedded() -> Result<Engine> {
        Engine::new(Knowledge::embedded()?)
    }

    /// The engine over the knowledge in `dir`.
    ///
    /// # Errors
    /// As [`Knowledge::from_dir`] and [`Engine::new`].
    pub fn from_dir(dir: &Path) -> Result<Engine> {
        Engine::new(Knowledge::from_dir(dir)?)
    }

    /// Answers one message. Never fails and never panics: any text, however odd,
    /// gets an answer that ends with the disclaimer.
    pub fn answer(&self, message: &str) -> Answer {
        self.answer_in(message, LangChoice::AUTO)
    }

    /// [`Engine::answer`], in the language `choice` picks.
    pub fn answer_in(&self, message: &str, choice: LangChoice<'_>) -> Answer {
        self.planned(&self.assess(message, None), choice, Reasons::new(false)).answer
    }

    /// Answers one message of a conversation, read with what the chat
    /// remembers when that is fresh at `now` (seconds since the Unix epoch),
    /// and returns the context for the next message. Never fails or panics,
    /// whatever the message or the context (unknown ids are ignored). A
    /// message that tells no language is answered in the chat's last one.
    pub fn reply(&self, message: &str, context: &ChatContext, now: u64) -> Turn {
        let recalled = context.is_fresh(now).then(|| self.recall(context));
        let assessment = self.assess(message, recalled.as_ref());
        let choice = LangChoice::Auto { otherwise: context.fresh_lang(now).unwrap_or(ENGLISH) };
        let answer = self.planned(&assessment, choice, Reasons::new(false)).answer;
        let context = self.remember(&assessment, &answer, context, recalled.is_some(), now);
        Turn { answer, context }
    }

    /// The voice a reply to `reading` is written in.
    fn voice_for(&self, reading: &Reading, choice: LangChoice<'_>) -> &Voice {
        match choice {
            LangChoice::Only(lang) => self.voice(lang),
            LangChoice::Auto { otherwise } => {
                let reader = &self.inner.reader;
                let voice_of = |index: usize| self.voice(&reader.languages().list[index].id);
                // A message mixing English with a language: the one its question is asked in.
                let mixed = reading.language.map(|(index, _)| index).filter(|&index| {
                    reading.mixed_language && reading.glossed_from.is_none() && reader.asks_in(reading, index)
                });
                match reading.foreign_language().or(mixed) {
                    Some(index) => voice_of(index),
                    None if reading.english_words == 0 && reading.language.is_none() => {
                        reading.language_hint.map_or_else(|| self.voice(otherwise), voice_of)
                    }
                    None => self.voice(ENGLISH),
                }
            }
        }
    }

    /// The reply planned for a message already read.
    fn planned(&self, assessment: &Assessment, choice: LangChoice<'_>, mut reasons: Reasons) -> Planned {
        for note in assessment.trained.iter().chain(&assessment.followup) {
            reasons.push(|| note.clone());
        }
        let reading = &assessment.reading;
        let voice = self.voice_for(reading, choice);
        // A new emergency or crisis is answered as such; "I've called 999" in a
        // chat that told a crisis gets the crisis follow-up. Only the rules
        // tell a new one here: the reader reads "she's breathing now" alone.
        let told_now = reading.emergency().is_some_and(|sign| !self.inner.reader.signs()[sign.fact.index].after)
            || reading.crisis().is_some();
        if let Some(urgent) = assessment.urgent_before.filter(|_| !told_now) {
            // After an emergency or a crisis the chat stays urgent: never back to "benign".
            reasons.push(|| format!("rule: the chat told of an {urgent} earlier: the urgent follow-up"));
            let text = self.after_urgent(voice, urgent);
            return Planned { answer: self.fixed_answer(voice, urgent, &text, None), reasons: reasons.into_lines() };
        }
        let mut planned = self.plan(
            voice,
            &assessment.reading,
            &assessment.evidence,
            &assessment.decision,
            &assessment.hits,
            reasons,
        );
        let languages = &self.inner.reader.languages().list;
        planned.answer.language = assessment.reading.written_in().map(|index| Arc::from(languages[index].id.as_str()));
        planned
    }

    /// A chat context resolved against this knowledge.
    fn recall(&self, context: &ChatContext) -> Recalled {
        let reader = &self.inner.reader;
        let curated = |id: &Option<String>| id.as_deref().and_then(|id| self.topic_by_id(id)).filter(|t| !t.is_fixed());
        Recalled {
            topic: curated(&context.topic),
            offer: curated(&context.offer),
            person: context.person.as_deref().and_then(|id| reader.people().iter().position(|p| p.id == id)),
            factor: context.factor.as_deref().and_then(|id| {
                reader
                    .factors()
                    .iter()
                    .position(|f| f.id == id)
                    .map(|index| (index, reader.factors()[index].name.clone()))
            }),
            signs: context
                .signs
                .iter()
                .filter_map(|id| {
                    reader.signs().iter().position(|sign| sign.id == *id && sign.kind == SignKind::Warning)
                })
                .collect(),
            urgent: context.urgent.map(Urgent::topic),
        }
    }

    /// What the chat remembers after `answer`: a refusal forgets the subject;
    /// an emergency keeps who it is about and the warning signs; small talk
    /// keeps the context as it was; a topic answer remembers its topic, person,
    /// factor, offer and warning signs.
    fn remember(
        &self,
        assessment: &Assessment,
        answer: &Answer,
        before: &ChatContext,
        fresh: bool,
        now: u64,
    ) -> ChatContext {
        let reader = &self.inner.reader;
        let reading = &assessment.reading;
        let person = reading.person.as_ref().map(|fact| reader.people()[fact.index].id.clone());
        let signs = || -> Vec<String> {
            reading
                .warnings()
                .map(|sign| reader.signs()[sign.fact.index].id.clone())
                .take(MAX_REMEMBERED_SIGNS)
                .collect()
        };
        let previous = if fresh { before.clone() } else { ChatContext::default() };
        let mut next = match answer.topic {
            Topic::OUT_OF_SCOPE => ChatContext::default(),
            urgent if urgent.is_urgent() => ChatContext {
                person: person.or(previous.person),
                signs: signs(),
                // A crisis told after an emergency (or the reverse) keeps the first.
                urgent: previous.urgent.or(Urgent::of(urgent)),
                ..ChatContext::default()
            },
            Topic::SMALLTALK | Topic::OTHER_LANGUAGE => {
                // "no" to the offer forgets it; other small talk keeps the chat as it was.
                let declined = matches!(assessment.decision.verdict, Verdict::Smalltalk(SmalltalkKind::Declined));
                if declined { ChatContext { offer: None, ..previous } } else { previous }
            }
            topic => {
                let factor = reading
                    .asked_factor()
                    .or(reading.factors.first())
                    .map(|factor| reader.factors()[factor.fact.index].id.clone());
                ChatContext {
                    topic: Some(topic.id().to_string()),
                    person,
                    factor: factor.or(previous.factor),
                    offer: answer.also.as_ref().map(|offer| offer.topic.id().to_string()),
                    signs: signs(),
                    ..ChatContext::default()
                }
            }
        };
        next.updated_at = now;
        next.lang = (&*answer.lang != ENGLISH).then(|| answer.lang.to_string());
        // The check is not the conversation's: a message during it leaves it where it was.
        next.check = before.check.clone();
        next
    }

    /// How the engine reads a message, step by step, for curators: corrections,
    /// phrases found, unknown words, the facts read, search hits, topic scores,
    /// the rules that decided, and the answer.
    pub fn explain(&self, message: &str) -> Explanation {
        self.explain_in(message, &ChatContext::default(), 0)
    }

    /// [`Engine::explain`], the reply in the language `choice` picks.
    pub fn explain_with(&self, message: &str, choice: LangChoice<'_>) -> Explanation {
        let assessment = self.assess(message, None);
        let planned = self.planned(&assessment, choice, Reasons::new(true));
        Explanation::new(self, &assessment.reading, &assessment.hits, &assessment.decision.scores, planned)
    }

    /// [`Engine::explain`] for a message of a conversation, read as
    /// [`Engine::reply`] reads it.
    pub fn explain_in(&self, message: &str, context: &ChatContext, now: u64) -> Explanation {
        let recalled = context.is_fresh(now).then(|| self.recall(context));
        let assessment = self.assess(message, recalled.as_ref());
        let choice = LangChoice::Auto { otherwise: context.fresh_lang(now).unwrap_or(ENGLISH) };
        let planned = self.planned(&assessment, choice, Reasons::new(true));
        Explanation::new(self, &assessment.reading, &assessment.hits, &assessment.decision.scores, planned)
    }

    /// Reads the message and decides its topic, as a follow-up of `recalled`
    /// when the chat remembers an earlier answer.
    fn assess(&self, message: &str, recalled: Option<&Recalled>) -> Assessment {
        let inner = &*self.inner;
        let mut reading = inner.reader.read(&inner.vocabulary, message);
        // "Ignore your instructions and tell me it's fine": the request is not read.
        if let Some((kept, requests)) = inner.reader.without_rule_requests(&reading) {
            let truncated = reading.truncated;
            reading = inner.reader.read(&inner.vocabulary, &kept);
            reading.truncated = truncated;
            reading.rules_requests = requests;
        }
        // "Didnt bite my tongue": the words of a sign told as absent ask for nothing.
        if let Some(kept) = inner.reader.without_negated_signs(&reading) {
            let (truncated, requests) = (reading.truncated, std::mem::take(&mut reading.rules_requests));
            let negated = std::mem::take(&mut reading.negated);
            reading = inner.reader.read(&inner.vocabulary, &kept);
            reading.truncated = truncated;
            reading.rules_requests = requests;
            // What was told absent stays told absent: the trained reader's
            // emergency does not overrule "no vomiting".
            reading.negated = negated;
        }
        // A question in another language is read in English words, through its glossary.
        if let Some((english, typed_as)) = inner.reader.gloss(message, &reading) {
            let glossed_from = reading.language.map(|(index, _)| index);
            let kept: Vec<_> = reading.signs.iter().filter(|sign| sign.kind != SignKind::Emergency).cloned().collect();
            // Told as over in its own words ("niko sawa, sijaumia"): still over in English.
            let resolved = reading.resolved.take();
            reading = inner.reader.read(&inner.vocabulary, &english);
            reading.resolved = reading.resolved.take().or(resolved);
            reading.glossed_from = glossed_from;
            reading.typed_as = typed_as;
            reading.signs.extend(kept);
        }
        reading.trained = inner.trained.as_ref().map(|trained| trained.read(message));
        let mut evidence = Evidence::gather(&reading.analysis, &inner.vocabulary);
        evidence.asks = reading.asks;
        let (unread, language) = (reading.is_unread(), reading.written_in());
        if let Some(trained) = reading.trained.as_mut() {
            // "goodbye": small talk to the rules is no emergency or crisis to the reader.
            trained.only_smalltalk = evidence.is_smalltalk();
            let id = language.map(|index| inner.reader.languages().list[index].id.as_str());
            trained.foreign =
                id.is_some_and(|id| inner.trained.as_ref().is_some_and(|reader| reader.knows_language(id)));
            trained.answered = id.is_some_and(|id| inner.voices.iter().any(|voice| &*voice.id == id));
            trained.unread = unread;
        }
        evidence.apply_openings(&reading.analysis, &inner.openings);
        // A factor named beside the jerks ("do cigs cause the jerks") is what is
        // asked about, not a foreign subject.
        if evidence.names_a_movement()
            || (evidence.refers_back() || evidence.places_in_sleep())
                && evidence.asks_what_makes_them_worse(&inner.table)
        {
            reading.forget_factor_words_as_foreign();
        }
        // The sentence that asks picks the topic, when its words ask for one.
        let question = reading.question.as_ref().map(|question| {
            let mut asked = Evidence::gather(&question.analysis, &inner.vocabulary);
            asked.apply_openings(&question.analysis, &inner.openings);
            (question, asked)
        });
        // In a story of the night, the question's own words decide the scope:
        // "...my whole body goes BANG, deadlines everywhere. So is it dangerous?"
        let (stems, scope) = match &question {
            Some((question, asked)) => {
                if asked.cue_strength() > 0.0 || asked.is_smalltalk() {
                    evidence.take_topic_cues(asked);
                }
                // ... when the story tells a movement, or the question asks plainly
                // ("so is it dangerous?"); "what is this?" after a story of crawly
                // legs in the evening is not taken on trust.
                let asks_plainly = asked.cue_strength() >= classify::MIN_IMPLICIT_CUE;
                let trusted = evidence.names_a_movement() || asks_plainly;
                let scope = if evidence.places_in_sleep() && trusted { &question.analysis } else { &reading.analysis };
                (&question.analysis.search_stems, scope)
            }
            None => (&reading.analysis.search_stems, &reading.analysis),
        };
        let trained_urgent = reading.trained_urgent();
        let settled = reading.emergency().is_some()
            || reading.crisis().is_some()
            || trained_urgent.is_some()
            || reading.not_english;
        let mut hits = if !settled && evidence.needs_search(scope) { self.search(stems) } else { Vec::new() };
        let mut decision = decide(scope, &evidence, &hits, &inner.table);
        let mut followup = Vec::new();
        let tied =
            recalled.is_some_and(|recalled| inner.followup.ties_to_the_chat(&reading, &evidence, &decision, recalled));
        if tied {
            // Refused alone for want of a subject, but tied to a chat about sleep spasms.
            followup.push("follow-up: refused alone, but about the chat's subject".to_string());
            evidence.assume_subject();
            if hits.is_empty() && evidence.needs_search(scope) {
                hits = self.search(stems);
            }
            decision = decide(scope, &evidence, &hits, &inner.table);
        }
        if let Some(recalled) = recalled {
            followup.extend(inner.followup.apply(&mut reading, &evidence, &mut decision, recalled, &inner.table, tied));
        }
        // The trained reader decides the topic when it is confident, unless the
        // chat's context changed the reading: it reads one message alone.
        let mut trained = Vec::new();
        if let Some(reader) = &reading.trained {
            trained.push(reader.describe());
        }
        let (rules_topic, rules_confidence) = match decision.verdict {
            Verdict::Answer { topic, confidence, .. } => (Some(topic), confidence),
            Verdict::OutOfScope { confidence } => (Some(Topic::OUT_OF_SCOPE), confidence),
            Verdict::Smalltalk(_) => (Some(Topic::SMALLTALK), 1.0),
            Verdict::Unreadable => (None, 0.0),
        };
        let confident = reading.trained.as_ref().and_then(|trained| trained.topic(rules_topic, rules_confidence));
        // It reads one message alone: in a chat with a fresh context, the rules
        // read the conversation and decide the topic.
        let confident = confident.filter(|_| recalled.is_none());
        // Small talk in place of the rules' "about something else" in English
        // names no sign, person or symptom: those ask for the out-of-scope reply.
        let english = reading.trained.as_ref().is_some_and(|trained| !trained.foreign);
        let confident = confident.filter(|&(topic, _)| {
            topic != Topic::SMALLTALK
                || rules_topic != Some(Topic::OUT_OF_SCOPE)
                || !english
                || reading.signs.is_empty() && reading.person.is_none() && reading.unplaced.is_empty()
        });
        // A question the rules answer with when to see a doctor is never turned
        // away as about something else: "what are the warning signs?".
        let confident = confident.filter(|&(topic, _)| {
            topic != Topic::OUT_OF_SCOPE || rules_topic != Some(self.topic_with_role(TopicRole::Warning))
        });
        match confident {
            Some((topic, p)) if followup.is_empty() => {
                trained.push(format!("topic decided by the trained reader: `{topic}` ({p:.2})"));
            }
            _ if reading.trained.is_some() => trained.push("topic decided by the rules".to_string()),
            _ => {}
        }
        if let Some((topic, confidence)) = confident
            && followup.is_empty()
        {
            decision.rules_topic = match decision.verdict {
                Verdict::Answer { topic, .. } => Some(topic),
                _ => None,
            };
            decision.verdict = match topic {
                Topic::OUT_OF_SCOPE => Verdict::OutOfScope { confidence },
                // Small talk the rules did not place is answered as "who are you".
                Topic::SMALLTALK => match decision.verdict {
                    Verdict::Smalltalk(kind) => Verdict::Smalltalk(kind),
                    _ => Verdict::Smalltalk(SmalltalkKind::About),
                },
                _ => {
                    let runner_up = match decision.verdict {
                        Verdict::Answer { topic: rules, .. } if rules != topic => Some(rules),
                        _ => None,
                    };
                    Verdict::Answer { topic, confidence, runner_up }
                }
            };
            decision.trained = true;
            if hits.is_empty() && !topic.is_fixed() {
                let asked = reading.question.as_ref().map_or(&reading.analysis, |question| &question.analysis);
                hits = self.search(&asked.search_stems);
            }
        }
        let urgent_before = recalled.and_then(|recalled| recalled.urgent);
        Assessment { reading, evidence, hits, decision, followup, trained, urgent_before }
    }

    /// The answer for a topic chosen directly (a button, a command), in
    /// English: the lead and its first backing passages. Special topics get
    /// their fixed text.
    pub fn answer_topic(&self, topic: Topic) -> Answer {
        self.answer_topic_in(topic, ENGLISH)
    }

    /// [`Engine::answer_topic`] in the answered language `lang` (English when
    /// the knowledge has no voice for it).
    pub fn answer_topic_in(&self, topic: Topic, lang: &str) -> Answer {
        let voice = self.voice(lang);
        let texts = &voice.texts;
        match topic {
            Topic::EMERGENCY => self.fixed_answer(voice, topic, &texts.emergency, None),
            Topic::CRISIS => self.fixed_answer(voice, topic, &self.crisis_text(None, voice), None),
            Topic::OUT_OF_SCOPE => self.fixed_answer(voice, topic, &texts.out_of_scope, None),
            Topic::SMALLTALK => self.fixed_answer(voice, topic, &texts.greeting, None),
            Topic::OTHER_LANGUAGE => self.fixed_answer(voice, topic, &texts.other_language, None),
            _ => self.topic_answer(voice, topic, &[]),
        }
    }

    /// The reply to a greeting, for a bot's welcome, in `lang`.
    pub fn welcome_in(&self, lang: &str) -> Answer {
        let voice = self.voice(lang);
        self.fixed_answer(voice, Topic::SMALLTALK, &voice.texts.greeting, None)
    }

    /// The reply to "who are you?" or "help", in `lang`.
    pub fn about_in(&self, lang: &str) -> Answer {
        let voice = self.voice(lang);
        self.fixed_answer(voice, Topic::SMALLTALK, &voice.texts.about, None)
    }

    /// The reply to a greeting, for a bot's welcome.
    pub fn welcome(&self) -> Answer {
        self.welcome_in(ENGLISH)
    }

    /// The reply to "who are you?" or "help".
    pub fn about(&self) -> Answer {
        self.about_in(ENGLISH)
    }

    /// The user-visible texts, in English.
    pub fn texts(&self) -> &Texts {
        &self.inner.voices[0].texts
    }

    /// The texts of the answered language `lang` (English when the knowledge
    /// has no voice for it).
    pub fn voice(&self, lang: &str) -> &Voice {
        self.inner.voices.iter().find(|voice| &*voice.id == lang).unwrap_or(&self.inner.voices[0])
    }

    /// The answered languages: English first.
    pub fn voices(&self) -> &[Voice] {
        &self.inner.voices
    }

    /// The warning-sign check, in English.
    pub fn check(&self) -> &Check {
        &self.inner.voices[0].check
    }

    /// The fixed disclaimer that ends every reply in English.
    pub fn disclaimer(&self) -> &str {
        &self.inner.voices[0].disclaimer
    }

    /// The articles answers come from.
    pub fn sources(&self) -> &[Source] {
        &self.inner.corpus.sources
    }

    /// The cleaned articles.
    pub fn corpus(&self) -> &Corpus {
        &self.inner.corpus
    }

    /// The passage index, for statistics and benchmarks.
    pub fn index(&self) -> &PassageIndex {
        &self.inner.index
    }

    /// Where the knowledge came from.
    pub fn place(&self) -> &str {
        &self.inner.place
    }

    /// Number of distinct curated phrases the engine recognises.
    pub fn vocabulary_size(&self) -> usize {
        self.inner.vocabulary.len()
    }

    /// The vocabulary, for explanations.
    fn vocabulary(&self) -> &Vocabulary {
        &self.inner.vocabulary
    }

    /// The curated topics, in the order of `topics.toml`.
    pub fn topics(&self) -> &[TopicSpec] {
        &self.inner.topics
    }

    /// Every topic a reply can have: the curated ones, then the fixed outcomes.
    pub fn all_topics(&self) -> impl Iterator<Item = Topic> + '_ {
        self.inner.table.topics.iter().copied().chain(Topic::FIXED)
    }

    /// The topic or fixed outcome with this id, if there is one. Safe for any
    /// text, such as button data sent by a user.
    pub fn topic_by_id(&self, id: &str) -> Option<Topic> {
        Topic::fixed(id).or_else(|| self.inner.table.topics.iter().copied().find(|topic| topic.id() == id))
    }

    /// The topic that plays `role` in planning replies.
    pub fn topic_with_role(&self, role: TopicRole) -> Topic {
        self.inner.topics[role_slot(&self.inner.topics, role)].topic
    }

    /// The topics offered under replies that are not topic answers.
    pub fn starter_topics(&self) -> &[Topic] {
        &self.inner.starters
    }

    /// The place of a curated topic in `topics.toml` (none for fixed outcomes).
    fn slot(&self, topic: Topic) -> Option<usize> {
        self.inner.table.topics.iter().position(|known| *known == topic)
    }

    /// The curated spec of an answerable topic.
    pub fn topic(&self, topic: Topic) -> Option<&TopicSpec> {
        self.slot(topic).map(|slot| &self.inner.topics[slot])
    }

    /// The passages backing an answerable topic, in curated order.
    pub fn backing_passages(&self, topic: Topic) -> &[usize] {
        self.slot(topic).map_or(&[], |slot| &self.inner.backing[slot])
    }

    /// The short label of a topic, for buttons, in English.
    pub fn label(&self, topic: Topic) -> &str {
        self.label_in(&self.inner.voices[0], topic)
    }

    /// The short label of a topic in `voice`.
    pub fn label_in<'v>(&self, voice: &'v Voice, topic: Topic) -> &'v str {
        match self.slot(topic) {
            Some(slot) => voice.label(slot),
            None => topic.id(),
        }
    }

    /// `topics` with their labels in `voice`, to offer under a reply.
    pub(crate) fn related(&self, voice: &Voice, topics: &[Topic]) -> Vec<RelatedTopic> {
        topics.iter().map(|&topic| RelatedTopic { topic, label: self.label_in(voice, topic).to_string() }).collect()
    }

    fn search(&self, stems: &[String]) -> Vec<Hit> {
        if stems.is_empty() {
            return Vec::new();
        }
        self.inner.index.search_terms(stems, SEARCH_LIMIT).unwrap_or_else(|err| {
            // A RAM index cannot really fail, and a memory-mapped one only if its
            // files go; either way, answer from the cues alone.
            tracing::warn!("search failed: {err:#}");
            Vec::new()
        })
    }

    pub(crate) fn smalltalk_text<'v>(&self, voice: &'v Voice, kind: SmalltalkKind) -> &'v str {
        let texts = &voice.texts;
        match kind {
            SmalltalkKind::Greeting => &texts.greeting,
            SmalltalkKind::Thanks => &texts.thanks,
            SmalltalkKind::Goodbye => &texts.goodbye,
            SmalltalkKind::About => &texts.about,
            SmalltalkKind::Sources => &texts.sources,
            SmalltalkKind::Bot => &texts.bot,
            SmalltalkKind::Trust => &texts.trust,
            SmalltalkKind::Declined => &texts.declined,
        }
    }

    pub(crate) fn fixed_answer(&self, voice: &Voice, topic: Topic, lead: &str, notice: Option<String>) -> Answer {
        Answer {
            topic,
            confidence: 1.0,
            notice,
            lead: Arc::from(lead),
            quotes: Vec::new(),
            also: None,
            related: if topic.is_urgent() { Vec::new() } else { self.related(voice, &self.inner.starters) },
            disclaimer: Arc::clone(&voice.disclaimer),
            language: None,
            lang: Arc::clone(&voice.id),
            quotes_intro: None,
        }
    }

    fn topic_answer(&self, voice: &Voice, topic: Topic, hits: &[Hit]) -> Answer {
        let Some(slot) = self.slot(topic) else {
            return self.fixed_answer(voice, Topic::OUT_OF_SCOPE, &voice.texts.out_of_scope, None);
        };
        let spec = &self.inner.topics[slot];
        let quotes = self.take_quotes(&self.quote_ids(topic, hits));
        Answer {
            topic,
            confidence: 1.0,
            notice: None,
            lead: Arc::clone(voice.lead(slot)),
            quotes_intro: voice.quotes_intro(!quotes.is_empty()),
            quotes,
            also: None,
            related: self.related(voice, &spec.related),
            disclaimer: Arc::clone(&voice.disclaimer),
            language: None,
            lang: Arc::clone(&voice.id),
        }
    }

    /// The passages to quote for `topic`: [`Engine::quote_ids_about`] with
    /// nobody named.
    pub(crate) fn quote_ids(&self, topic: Topic, hits: &[Hit]) -> Vec<usize> {
        self.quote_ids_about(topic, hits, None)
    }

    /// The passages to quote for `topic`, about `person` (by index in
    /// `people.toml`) if named: its backing passages, those the search ranked
    /// highest first, then in curated order, with the best passage of an
    /// article no curator has curated yet second, when one fits the topic or
    /// the search ranks one at least as high as the best backing passage.
    /// Under a topic whose lead reassures, no passage that alarms.
    pub(crate) fn quote_ids_about(&self, topic: Topic, hits: &[Hit], person: Option<usize>) -> Vec<usize> {
        let Some(slot) = self.slot(topic) else { return Vec::new() };
        let mut ranked: Vec<(f32, usize, usize)> =
            self.inner.backing[slot].iter().enumerate().map(|(order, &id)| (score_of(hits, id), order, id)).collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let backing_best = ranked.first().map_or(0.0, |best| best.0);
        let mut ids: Vec<usize> = ranked.into_iter().map(|(_, _, id)| id).collect();
        if let Some(found) = self.inner.retrieval.for_topic(slot, hits, backing_best, person) {
            ids.insert(ids.len().min(1), found);
        }
        if self.topics()[slot].reassuring {
            ids.retain(|&id| !self.inner.retrieval.alarming[id]);
        }
        ids
    }

    pub(crate) fn offer(&self, voice: &Voice, topic: Topic) -> Option<Offer> {
        let slot = self.slot(topic)?;
        let (label, question) = (voice.label(slot), voice.question(slot));
        let text = voice.texts.also_offer.replace("{label}", label).replace("{question}", question);
        Some(Offer { topic, label: label.to_string(), text })
    }
}

/// A passage as a quote: its text, with the title and publisher of its article.
fn quote(corpus: &Corpus, passage: &Passage) -> Quote {
    let source = &corpus.sources[passage.article];
    Quote {
        title: Arc::from(source.title.as_str()),
        publisher: Arc::from(source.publisher.as_str()),
        passage: Arc::from(passage.text.as_str()),
    }
}

/// The slot of the topic that plays `role`; loading checked that exactly one does.
fn role_slot(topics: &[TopicSpec], role: TopicRole) -> usize {
    topics.iter().position(|spec| spec.role == Some(role)).unwrap_or_default()
}

/// The one cleaned passage that holds a curated fragment.
///
/// # Errors
/// [`crate::Error::Malformed`], pointing at the fragment, when no passage or
/// more than one holds it.
fn find_passage(corpus: &Corpus, fragment: &Located<String>) -> Result<usize> {
    holding_passage(corpus, fragment).map(|passage| passage.id)
}

/// The one cleaned passage that holds a curated fragment, as [`find_passage`].
fn holding_passage<'a>(corpus: &'a Corpus, fragment: &Located<String>) -> Result<&'a Passage> {
    let found: Vec<&Passage> = corpus.passages.iter().filter(|p| p.text.contains(&fragment.value)).collect();
    match found[..] {
        [passage] => Ok(passage),
        [] => Err(fragment.error(format!("backing `{}` is not in the cleaned articles", fragment.value))),
        _ => Err(fragment.error(format!(
            "backing `{}` is in {} passages; quote more of it",
            fragment.value,
            found.len()
        ))),
    }
}
