//! Planning the reply from what a message was read into. The rules, in order,
//! each leaving its reason for `--explain`:
//!
//! 1. an emergency sign happening now: the urgent reply, in the message's
//!    language (with the crisis lines after it when the message tells a crisis
//!    too); a crisis sign (thoughts of suicide, self-harm, hopelessness): the
//!    crisis reply, the person first, with the crisis lines;
//! 2. no words: ask for a question;
//! 3. not English: say so honestly, in the message's language where we have it;
//! 4. small talk and questions about the bot: their fixed text;
//! 5. not about sleep spasms: the refusal, never reassurance (unless a movement
//!    or the night is told with a warning sign, which rule 6 answers, or with a
//!    factor asked about as a cause, which rule 7 answers);
//! 6. a question about a dose, doubling, sharing, stopping, buying or giving a
//!    medicine to a child: the medicine plan (no number, no yes, the prescriber
//!    or a pharmacist), then what the articles say about treatment;
//! 7. warning signs, or a person the articles never call benign (a baby): lead
//!    with seeing a doctor, then answer what was asked (never with something
//!    to try instead);
//! 8. otherwise the asked topic, opened by the person's caveat or the asked
//!    factor's line, followed by a factor from the story and by any alarming
//!    sensation told as a habit.
//!
//! Reassurance is earned ([`Engine::reassurance_blocks`]): a reassuring lead
//! or quote only for plain sleep jerks in an adult. A request to break the
//! rules was not read, and a line says so.

use std::sync::Arc;

use super::classify::{Decision, Evidence, Verdict};
use super::followup::FROM_THE_CHAT;
use super::reading::{FactorFact, Reading};
use super::trained::TrainedReading;
use super::{Engine, Voice};
use crate::answer::{Answer, Quote};
use crate::index::Hit;
use crate::knowledge::{Language, TopicRole};
use crate::topic::Topic;

/// Thanks with a cue at least this strong is a question after all ("ok but how
/// common is it really").
const CLOSING_MAX_CUE: f32 = 3.0;

/// A reply and the reasons that chose it.
pub(crate) struct Planned {
    /// The reply.
    pub answer: Answer,
    /// Why, one line per rule or fact that decided (empty unless asked for).
    pub reasons: Vec<String>,
}

/// The reasons of a plan, written only when an explanation asks for them, so
/// that answering costs no formatting.
pub(crate) struct Reasons {
    lines: Option<Vec<String>>,
}

impl Reasons {
    /// Reasons that are kept when `explain` is true.
    pub fn new(explain: bool) -> Reasons {
        Reasons { lines: explain.then(Vec::new) }
    }

    /// Adds a reason, formatted only if it is kept.
    pub(super) fn push(&mut self, line: impl FnOnce() -> String) {
        if let Some(lines) = &mut self.lines {
            lines.push(line());
        }
    }

    pub(super) fn into_lines(self) -> Vec<String> {
        self.lines.unwrap_or_default()
    }
}

impl Engine {
    /// Plans the reply to a message read into `reading`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn plan(
        &self,
        voice: &Voice,
        reading: &Reading,
        evidence: &Evidence,
        decision: &Decision,
        hits: &[Hit],
        mut reasons: Reasons,
    ) -> Planned {
        let inner = &*self.inner;
        let texts = &voice.texts;
        let reader = &inner.reader;
        let notice = reading.truncated.then(|| texts.truncated.clone());
        let language = reading.written_in().map(|index| &reader.languages().list[index]);
        if let Some((index, markers)) = reading.language {
            reasons.push(|| format!("language `{}`: {markers} of its words", reader.languages().list[index].id));
        }
        // Read through a glossary, or by the trained reader alone.
        let trained_foreign = reading.not_english && decision.trained;
        let glossed = reading.glossed_from.and(language).or(language.filter(|_| trained_foreign));
        if let Some(language) = glossed {
            reasons.push(|| format!("read in English through the `{}` glossary", language.id));
        }
        reasons.push(|| format!("reply in `{}`", voice.id));
        let typed_as = glossed.map(|_| reading.typed_as.as_slice());
        // What a message in another language gets when it was not understood:
        // in its own voice, a request for a question; otherwise the honest
        // line on the languages answered.
        let not_understood = |language: Option<&Language>| -> String {
            match language {
                _ if !voice.is_english() => voice.texts.unreadable.clone(),
                Some(language) => language.english_only.clone(),
                None => texts.other_language.clone(),
            }
        };

        if let Some((topic, text)) = self.urgent_reply(voice, reading, language, &mut reasons) {
            return self.fixed_plan(voice, topic, &text, notice, reasons);
        }
        for request in &reading.rules_requests {
            let id = &reader.requests().rules[request.index].id;
            reasons.push(|| format!("request to break the rules `{id}` matched '{}': not read", request.words));
        }
        if reading.analysis.words.is_empty() {
            if !reading.rules_requests.is_empty() {
                return self.fixed_plan(voice, Topic::SMALLTALK, &texts.rules_request, notice, reasons);
            }
            reasons.push(|| "no words".to_string());
            return self.fixed_plan(voice, Topic::OUT_OF_SCOPE, &texts.unreadable, notice, reasons);
        }
        if reading.not_english && !trained_foreign {
            if language.is_none() {
                reasons.push(|| "no English words, and not a listed language".to_string());
            }
            if let Some((topic, text)) = self.unread_urgent_reply(voice, reading, language, &mut reasons) {
                return self.fixed_plan(voice, topic, &text, notice, reasons);
            }
            return self.fixed_plan(voice, Topic::OTHER_LANGUAGE, &not_understood(language), notice, reasons);
        }

        let warnings = voice.sign_names(reading.warnings());
        for sign in reading.warnings() {
            reasons.push(|| {
                format!("warning sign `{}` matched '{}'", reader.signs()[sign.fact.index].id, sign.fact.words)
            });
        }
        let person = reading.person.as_ref().map(|fact| (&reader.people()[fact.index], fact));
        if let Some((spec, fact)) = person {
            reasons.push(|| format!("person `{}` matched '{}'", spec.id, fact.words));
        }
        if let Some(question) = &reading.question {
            reasons.push(|| format!("question sentence: '{}'", question.text));
        }
        if let Some(request) = &reading.medicine_request {
            return self.medicine_plan(voice, reading, request, decision, hits, notice, reasons);
        }
        // A warning sign told of a movement or of the night is about sleep spasms.
        let told_of_the_night = evidence.names_a_movement() || evidence.places_in_sleep();
        // So is a factor asked about as a cause at night ("is it from scrolling my phone in bed?").
        let factor_at_night =
            reading.asked_factor().is_some() && evidence.asks_what_makes_them_worse(&self.inner.table);
        // "thank u, that calmed me down, gonna try to sleep now": no question, a closing.
        let closing = evidence.closing().filter(|_| !reading.asks && warnings.is_empty()).filter(|_| {
            evidence.cue_strength() < CLOSING_MAX_CUE
                || evidence.opens_with_smalltalk() && !reader.has_question_words(&reading.analysis.words)
        });
        if let (Verdict::Answer { .. } | Verdict::OutOfScope { .. }, Some(kind)) = (&decision.verdict, closing) {
            reasons.push(|| format!("no question, and small talk that closes: {kind:?}").to_lowercase());
            return self.fixed_plan(voice, Topic::SMALLTALK, self.smalltalk_text(voice, kind), notice, reasons);
        }
        // Words a glossary left unread may hide a warning sign: no reassurance
        // then, unless the trained reader, sure of a routine message in an
        // answered language in which the rules found nothing, vouches for them.
        let vouched = reading.trained.as_ref().is_some_and(TrainedReading::vouches_routine)
            && reading.warnings().next().is_none()
            && reading.sensations().next().is_none()
            && reading.person.is_none()
            && reading.unplaced.is_empty()
            && reading.medicine_named.is_none();
        if vouched {
            reasons.push(|| "the trained reader vouches for the words the rules could not read: routine".to_string());
        }
        let read_in_part = (glossed.is_some() || trained_foreign)
            && !vouched
            && reading.left_unread()
            && match decision.verdict {
                Verdict::Answer { topic, .. } => self.is_reassuring(topic),
                _ => true,
            };
        let no_benign = person.is_some_and(|(spec, _)| spec.no_benign) || read_in_part;
        // Reassurance is earned: plain sleep jerks, nothing that warns or that nothing places.
        let mut blocks = self.reassurance_blocks(reading, read_in_part, vouched);
        // The reader chose a reassuring topic where the rules chose another: they do not agree.
        if let (true, Verdict::Answer { topic, .. }) = (decision.trained, &decision.verdict)
            && self.is_reassuring(*topic)
            && !decision.rules_topic.is_some_and(|rules| self.is_reassuring(rules))
        {
            let rules = decision.rules_topic.map_or_else(|| "no topic".to_string(), |rules| format!("`{rules}`"));
            blocks.push(format!("the rules read {rules}, the trained reader `{topic}`"));
        }
        for block in &blocks {
            reasons.push(|| format!("no reassurance: {block}"));
        }
        let earned = warnings.is_empty() && blocks.is_empty();
        let (asked, confidence, runner_up) = match decision.verdict {
            Verdict::OutOfScope { .. } | Verdict::Unreadable if glossed.is_some() && !decision.trained => {
                reasons.push(|| "not understood through the glossary".to_string());
                if let Some((topic, text)) = self.unread_urgent_reply(voice, reading, language, &mut reasons) {
                    return self.fixed_plan(voice, topic, &text, notice, reasons);
                }
                return self.fixed_plan(voice, Topic::OTHER_LANGUAGE, &not_understood(glossed), notice, reasons);
            }
            Verdict::Unreadable => {
                return self.fixed_plan(voice, Topic::OUT_OF_SCOPE, &texts.unreadable, notice, reasons);
            }
            // A warning sign or a baby outweighs small talk: "is it the same for
            // my mum, she's 70 and it only started this year" is not a greeting.
            Verdict::Smalltalk(_) if !warnings.is_empty() || no_benign && !decision.trained => {
                reasons.push(|| "small talk words, but a warning sign or a person who needs a doctor".to_string());
                (None, 0.5, None)
            }
            Verdict::Smalltalk(kind) => {
                reasons.push(|| format!("small talk: {kind:?}").to_lowercase());
                return self.fixed_plan(voice, Topic::SMALLTALK, self.smalltalk_text(voice, kind), notice, reasons);
            }
            Verdict::OutOfScope { confidence } if !(told_of_the_night && (!warnings.is_empty() || factor_at_night)) => {
                reasons.push(|| "not about sleep spasms".to_string());
                let mut planned = self.fixed_plan(voice, Topic::OUT_OF_SCOPE, &texts.out_of_scope, notice, reasons);
                planned.answer.confidence = confidence;
                return planned;
            }
            Verdict::OutOfScope { confidence } => (None, confidence, None),
            Verdict::Answer { topic, confidence, runner_up } => (Some(topic), confidence, runner_up),
        };

        let mut paragraphs: Vec<String> = Vec::new();
        let mut quotes: Vec<usize> = Vec::new();
        let asked_factor = reading.asked_factor();
        let warning_topic = self.topic_with_role(TopicRole::Warning);
        // Warning signs told earlier in the chat, and a follow-up that asks
        // something else ("what would a doctor even do?"): its answer, then the
        // reminder to see a doctor, never reassurance.
        let told_before = !warnings.is_empty() && reading.warnings().all(|sign| sign.fact.words == FROM_THE_CHAT);
        let asked_after_warning =
            asked.filter(|topic| told_before && !no_benign && !self.is_reassuring(*topic) && *topic != warning_topic);
        let topic = if let Some(topic) = asked_after_warning {
            reasons.push(|| format!("asked topic `{topic}` after warning signs told earlier in the chat"));
            paragraphs.push(self.lead(voice, topic).to_string());
            if let Some(factor) = asked_factor {
                self.add_factor(voice, factor, true, typed_as, hits, &mut paragraphs, &mut quotes);
            }
            paragraphs.push(texts.warning_again.replace("{signs}", &voice.and_list(&warnings)));
            topic
        } else if let Some(topic) = asked.filter(|topic| {
            (!warnings.is_empty() || no_benign)
                && decision.trained
                && *topic != warning_topic
                && !self.is_reassuring(*topic)
        }) {
            // The trained reader is confident the message asks something else:
            // what the signs or the person need first, then its answer, never
            // reassurance.
            reasons.push(|| format!("asked topic `{topic}` (trained reader), after what the signs or the person need"));
            if !warnings.is_empty() {
                paragraphs.push(texts.warning.replace("{signs}", &voice.and_list(&warnings)));
            } else if read_in_part {
                paragraphs.push(texts.read_in_part.clone());
            }
            if let Some((_, fact)) = person {
                self.add_caveat(voice, fact.index, hits, &mut paragraphs, &mut quotes);
            }
            if let Some(factor) = asked_factor {
                self.add_factor(voice, factor, true, typed_as, hits, &mut paragraphs, &mut quotes);
            }
            paragraphs.push(self.lead_about(voice, topic, reading, false));
            topic
        } else if !warnings.is_empty() || no_benign {
            if !warnings.is_empty() {
                paragraphs.push(texts.warning.replace("{signs}", &voice.and_list(&warnings)));
            } else if read_in_part {
                reasons.push(|| "read in part through the glossary: no reassurance".to_string());
                paragraphs.push(texts.read_in_part.clone());
            }
            if let Some((_, fact)) = person {
                self.add_caveat(voice, fact.index, hits, &mut paragraphs, &mut quotes);
            }
            quotes.extend(self.quote_ids(warning_topic, hits).into_iter().take(1));
            if let Some(factor) = asked_factor {
                self.add_factor(voice, factor, true, typed_as, hits, &mut paragraphs, &mut quotes);
            }
            let beside_warning =
                |topic: &Topic| !self.is_reassuring(*topic) && !self.defers_care(*topic) && *topic != warning_topic;
            if let Some(topic) = asked.filter(beside_warning) {
                reasons.push(|| format!("asked topic `{topic}`, answered after seeing a doctor"));
                paragraphs.push(self.lead(voice, topic).to_string());
                quotes.extend(self.quote_ids(topic, hits).into_iter().take(1));
            } else if warnings.is_empty() {
                paragraphs.push(self.lead_about(voice, warning_topic, reading, earned));
            }
            reasons.push(|| "rule: seeing a doctor leads".to_string());
            warning_topic
        } else {
            let factors_topic = self.topic_with_role(TopicRole::Factors);
            let fallback = if asked_factor.is_some() { factors_topic } else { warning_topic };
            let mut topic = asked.unwrap_or(fallback);
            if let Some((_, fact)) = person {
                self.add_caveat(voice, fact.index, hits, &mut paragraphs, &mut quotes);
            }
            match asked_factor {
                Some(factor) if self.is_about_factors(topic) || evidence.cue_strength() <= 0.0 => {
                    topic = factors_topic;
                    reasons.push(|| format!("rule: the asked factor `{}` leads", self.factor_id(factor)));
                    self.add_factor(voice, factor, true, typed_as, hits, &mut paragraphs, &mut quotes);
                    if !self.inner.reader.factors()[factor.fact.index].named {
                        paragraphs.push(self.lead_about(voice, topic, reading, earned));
                    }
                }
                Some(factor) => {
                    paragraphs.push(self.lead_about(voice, topic, reading, earned));
                    self.add_factor(voice, factor, true, typed_as, hits, &mut paragraphs, &mut quotes);
                }
                None => {
                    paragraphs.push(self.lead_about(voice, topic, reading, earned));
                    if topic == factors_topic {
                        paragraphs.extend(self.factors_found(voice));
                    }
                }
            }
            let story = reading.factors.iter().find(|factor| {
                !factor.asked
                    && (self.inner.reader.factors()[factor.fact.index].named
                        || self.inner.retrieval.for_factor(factor.fact.index, hits).is_some())
                    && asked_factor.is_none_or(|asked| asked.fact.index != factor.fact.index)
            });
            if let Some(factor) = story.filter(|_| self.topic(topic).is_some_and(|spec| spec.story_factors)) {
                reasons.push(|| format!("story factor `{}` adds a line", self.factor_id(factor)));
                self.add_factor(voice, factor, false, typed_as, hits, &mut paragraphs, &mut quotes);
            }
            reasons.push(|| format!("rule: topic `{topic}`"));
            topic
        };
        for sign in reading.sensations() {
            let spec = &reader.signs()[sign.fact.index];
            let guard = sign.sensation.as_deref().unwrap_or_default();
            reasons.push(|| {
                format!("sensation `{}` matched '{}', told with '{guard}': not an emergency", spec.id, sign.fact.words)
            });
            paragraphs.push(texts.sensation.replace("{sign}", voice.sign_label(sign.fact.index)));
        }
        for id in self.quote_ids_about(topic, hits, person.map(|(_, fact)| fact.index)) {
            if !quotes.contains(&id) {
                quotes.push(id);
            }
        }
        // Never a quote that reassures under a lead that does not.
        if !earned {
            quotes.retain(|&id| !self.inner.reassuring_passages[id]);
        }
        if !reading.rules_requests.is_empty() {
            paragraphs.push(texts.rules_request.clone());
        }
        // An answer in English to a question in another language says, in it, that it is in English.
        let in_english = match glossed.filter(|_| voice.is_english()) {
            Some(language) => Some(language.answered_in_english.as_str()),
            None if trained_foreign && voice.is_english() => Some(texts.answered_in_english.as_str()),
            None => None,
        };
        let notice = match (in_english, notice) {
            (Some(in_english), Some(notice)) => Some(format!("{in_english} {notice}")),
            (Some(in_english), None) => Some(in_english.to_string()),
            (None, notice) => notice,
        };
        let ids = quotes;
        let quotes = self.take_quotes(&ids);
        // `take_quotes` keeps a prefix of the ids.
        for &id in ids.iter().take(quotes.len()) {
            reasons.push(|| {
                let inner = &self.inner;
                let source = &inner.corpus.sources[inner.corpus.passages[id].article];
                let how = if inner.retrieval.curated[id] { "curated" } else { "retrieved" };
                format!("quote: passage {id} ({}), {how}", source.publisher)
            });
        }
        let answer = Answer {
            topic,
            confidence,
            notice,
            lead: Arc::from(paragraphs.join("\n\n")),
            quotes_intro: voice.quotes_intro(!quotes.is_empty()),
            quotes,
            also: runner_up
                .filter(|other| *other != topic && warnings.is_empty())
                .and_then(|other| self.offer(voice, other)),
            related: self.related(voice, self.topic(topic).map_or(self.starter_topics(), |spec| &spec.related)),
            disclaimer: Arc::clone(&voice.disclaimer),
            language: None,
            lang: Arc::clone(&voice.id),
        };
        Planned { answer, reasons: reasons.into_lines() }
    }

    /// A fixed text as the whole reply.
    pub(super) fn fixed_plan(
        &self,
        voice: &Voice,
        topic: Topic,
        text: &str,
        notice: Option<String>,
        reasons: Reasons,
    ) -> Planned {
        Planned { answer: self.fixed_answer(voice, topic, text, notice), reasons: reasons.into_lines() }
    }

    /// Adds a factor's line, and its backing passage when the articles name it.
    /// An asked factor the articles name opens with `factor_named`; a factor of
    /// the story opens with `story_factor` and its name. A factor the curated
    /// articles are silent on, and an uncurated article speaks of, is told
    /// with `factor_found` and that article's passage. `typed_as`: the
    /// glossary's English for the words as typed, when the message was read
    /// through one (see [`Engine::words_in_voice`]).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn add_factor(
        &self,
        voice: &Voice,
        factor: &FactorFact,
        asked: bool,
        typed_as: Option<&[(String, String)]>,
        hits: &[Hit],
        paragraphs: &mut Vec<String>,
        quotes: &mut Vec<usize>,
    ) {
        let texts = &voice.texts;
        let spec = &self.inner.reader.factors()[factor.fact.index];
        let found = self.inner.retrieval.for_factor(factor.fact.index, hits);
        if let Some(passage) = found.filter(|_| !spec.named) {
            let name = &voice.factor_names[factor.fact.index];
            let found = self.article_line(&texts.factor_found, passage).replace("{name}", name);
            paragraphs.push(match asked {
                true => found,
                false => format!("{} {found}", texts.story_factor.replace("{name}", name)),
            });
            if !quotes.contains(&passage) {
                quotes.insert(0, passage);
            }
            return;
        }
        let (name, says) = (&voice.factor_names[factor.fact.index], &voice.factor_says[factor.fact.index]);
        let opening = if !asked {
            texts.story_factor.replace("{name}", name)
        } else if spec.named {
            let words = self.words_in_voice(voice, factor, typed_as, name);
            texts.factor_named.replace("{words}", &capitalized(words))
        } else if typed_as.is_some() && !voice.is_english() {
            texts.factor_silent.replace("{words}", self.words_in_voice(voice, factor, typed_as, name))
        } else if !says.to_lowercase().contains(&factor.fact.words.to_lowercase()) {
            texts.factor_silent.replace("{words}", &factor.fact.words)
        } else {
            String::new()
        };
        let says = if opening.ends_with(':') { uncapitalized(says) } else { says.clone() };
        paragraphs.push(if opening.is_empty() { says } else { format!("{opening} {says}") });
        let backing = self.inner.factor_passages.get(factor.fact.index).copied().flatten();
        for passage in backing.into_iter().chain(found.filter(|_| spec.named)) {
            if !quotes.contains(&passage) {
                quotes.push(passage);
            }
        }
    }

    /// Adds a person's caveat and, when an article no curator has curated yet
    /// speaks of them, `person_found` and its passage that the search ranked
    /// highest (never one that reassures: a caveat withholds reassurance).
    fn add_caveat(
        &self,
        voice: &Voice,
        person: usize,
        hits: &[Hit],
        paragraphs: &mut Vec<String>,
        quotes: &mut Vec<usize>,
    ) {
        paragraphs.push(voice.caveats[person].clone());
        if let Some(passage) = self.inner.retrieval.for_person(person, hits, &self.inner.reassuring_passages) {
            paragraphs.push(self.article_line(&voice.texts.person_found, passage));
            if !quotes.contains(&passage) {
                quotes.push(passage);
            }
        }
    }

    /// The factors the curated articles are silent on that articles no
    /// curator has curated yet name, as `factors_found` in `voice`: the
    /// factors topic's lead lists only what the curated articles name.
    fn factors_found(&self, voice: &Voice) -> Option<String> {
        let inner = &self.inner;
        let (mut names, mut publishers): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
        let silent = inner.reader.factors().iter().enumerate().filter(|(_, factor)| !factor.named);
        for (index, _) in silent {
            let mentions = &inner.retrieval.factor_mentions[index];
            if mentions.is_empty() || names.contains(&voice.factor_names[index].as_str()) {
                continue;
            }
            names.push(&voice.factor_names[index]);
            for &id in mentions {
                let publisher = inner.corpus.sources[inner.corpus.passages[id].article].publisher.as_str();
                if !publishers.contains(&publisher) {
                    publishers.push(publisher);
                }
            }
        }
        (!names.is_empty()).then(|| {
            voice
                .texts
                .factors_found
                .replace("{factors}", &voice.and_list(&names))
                .replace("{publishers}", &voice.and_list(&publishers))
        })
    }

    /// `text` with `{title}` and `{publisher}` of the article `passage` comes from.
    fn article_line(&self, text: &str, passage: usize) -> String {
        let source = &self.inner.corpus.sources[self.inner.corpus.passages[passage].article];
        text.replace("{title}", &source.title).replace("{publisher}", &source.publisher)
    }

    /// The words naming a factor in a reply in `voice`: read through a
    /// glossary (`typed_as`, its English for the words as typed), the words as
    /// typed when the glossary gave the factor's words, else the factor's name
    /// in the voice; in English, or read as typed, the words read.
    fn words_in_voice<'w>(
        &self,
        voice: &Voice,
        factor: &'w FactorFact,
        typed_as: Option<&'w [(String, String)]>,
        name: &'w str,
    ) -> &'w str {
        match typed_as {
            Some(typed_as) if !voice.is_english() => typed_as
                .iter()
                .find(|(english, _)| *english == factor.fact.words)
                .map_or(name, |(_, typed)| typed.as_str()),
            _ => &factor.fact.words,
        }
    }

    fn factor_id(&self, factor: &FactorFact) -> &str {
        &self.inner.reader.factors()[factor.fact.index].id
    }

    /// Whether a topic's lead reassures: never beside a warning sign.
    fn is_reassuring(&self, topic: Topic) -> bool {
        self.topic(topic).is_some_and(|spec| spec.reassuring)
    }

    /// Whether a topic's lead offers something to try before a doctor.
    fn defers_care(&self, topic: Topic) -> bool {
        self.topic(topic).is_some_and(|spec| spec.defers_care)
    }

    /// Whether a topic's cues ask what makes spasms happen or worse.
    fn is_about_factors(&self, topic: Topic) -> bool {
        self.topic(topic).is_some_and(|spec| spec.about_factors)
    }

    /// The lead of an answerable topic in `voice` (empty for the others).
    pub(super) fn lead<'v>(&self, voice: &'v Voice, topic: Topic) -> &'v str {
        self.slot(topic).map_or("", |slot| voice.lead(slot))
    }

    /// Quotes for passage ids, in order, within the quote budget.
    pub(super) fn take_quotes(&self, ids: &[usize]) -> Vec<Quote> {
        let mut quotes = Vec::with_capacity(super::MAX_QUOTES);
        let mut chars = 0;
        for &id in ids.iter().take(super::MAX_QUOTES) {
            let (quote, length) = &self.inner.quotes[id];
            if !quotes.is_empty() && chars + length > super::MAX_QUOTE_CHARS {
                break;
            }
            chars += length;
            quotes.push(quote.clone());
        }
        quotes
    }
}

/// `text` with its first letter in lower case, to continue a sentence.
fn uncapitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_lowercase().chain(chars).collect())
}

/// The text with its first letter in upper case.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}
