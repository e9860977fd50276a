//! The vocabulary: every word and phrase of `lexicon.toml` and the topic cues,
//! stemmed and merged into one phrase table, plus the spelling index. It turns
//! a question into an [`Analysis`]: corrected words, the phrases found in them,
//! the words nobody knows, and the terms to search for.

use std::collections::{HashMap, HashSet};

use tantivy::tokenizer::TextAnalyzer;

use super::spelling::{Speller, Trust};
use super::words::words;
use crate::cleaning::Corpus;
use crate::index::english_analyzer;
use crate::knowledge::{Dictionary, Lexicon, SmalltalkKind, TopicSpec};

/// Everything the curated files say about one phrase.
#[derive(Debug, Clone, Default)]
pub(crate) struct Meaning {
    /// Names sleep spasms.
    pub subject: bool,
    /// A sudden movement ("twitch"): sleep spasms, unless placed outside sleep.
    pub movement: bool,
    /// Refers back to the subject ("they").
    pub anaphor: bool,
    /// Speaks to the bot ("you").
    pub addressee: bool,
    /// Cancels the cue right after it ("without").
    pub negator: bool,
    /// Something the articles discuss that is not sleep spasms.
    pub entity: bool,
    /// Says nothing about the subject.
    pub general: bool,
    /// Body parts, sensations, and the `sleep_time` words.
    pub context: bool,
    /// Places a movement in sleep ("night", "doze off").
    pub sleep_time: bool,
    /// Places a movement outside sleep spasms ("during the day", "eyelid").
    pub elsewhere: bool,
    /// An animal: its movements are not a person's sleep spasms.
    pub animal: bool,
    /// A greeting, thanks, goodbye or "who are you".
    pub smalltalk: Option<SmalltalkKind>,
    /// Topic cue weights, by topic slot (the topic's place in `topics.toml`).
    pub cues: Vec<(usize, f32)>,
    /// Extra stems to search for (synonyms).
    pub expansions: Vec<String>,
}

/// The flags a longer phrase inherits from its words.
#[derive(Debug, Clone, Copy, Default)]
struct WordFlags {
    subject: bool,
    movement: bool,
    entity: bool,
    sleep_time: bool,
}

impl Meaning {
    fn word_flags(&self) -> WordFlags {
        WordFlags { subject: self.subject, movement: self.movement, entity: self.entity, sleep_time: self.sleep_time }
    }

    /// True when the phrase carries nothing but being a known general word.
    fn is_only_general(&self) -> bool {
        self.general
            && !self.subject
            && !self.movement
            && !self.entity
            && !self.context
            && !self.elsewhere
            && !self.negator
            && !self.animal
            && self.cues.is_empty()
    }
}

/// A phrase of the vocabulary, as stems.
#[derive(Debug, Clone)]
pub(crate) struct Phrase {
    /// The stems, in order.
    pub stems: Vec<String>,
    /// What it means.
    pub meaning: Meaning,
}

/// A phrase found in a question.
struct PhraseMatch {
    /// The phrase.
    phrase: usize,
    /// How many words it covers, a skipped word included.
    length: usize,
    /// The anaphor found inside the phrase, if any.
    skipped_anaphor: Option<usize>,
}

/// A question, read.
#[derive(Debug, Clone, Default)]
pub(crate) struct Analysis {
    /// The words after spelling correction.
    pub words: Vec<String>,
    /// Corrections made, as (typed, corrected).
    pub corrections: Vec<(String, String)>,
    /// Ids of the phrases found, in reading order (a phrase may repeat).
    pub phrases: Vec<usize>,
    /// For each of `phrases`: the position in `words` of its first word, and
    /// the position just after its last.
    pub spans: Vec<(usize, usize)>,
    /// Positions in `words` of the words in no curated list: foreign subjects,
    /// names, gibberish.
    pub foreign: Vec<usize>,
    /// How many common content words stand outside any phrase ("pressure").
    pub common_words: usize,
    /// Stems to search for, without duplicates.
    pub search_stems: Vec<String>,
    /// The corrected words joined by single spaces, for the safety patterns.
    pub normalized: String,
}

/// The compiled vocabulary.
pub(crate) struct Vocabulary {
    phrases: Vec<Phrase>,
    /// Phrase ids by their first stem, longest phrase first.
    by_first_stem: HashMap<String, Vec<usize>>,
    /// Stem of every word seen while building, so most questions need no stemmer.
    stem_cache: HashMap<String, String>,
    /// Stems that are recognised (lexicon, cues, article words): never corrected.
    known_stems: HashSet<String>,
    speller: Speller,
    /// Real words: never corrected.
    dictionary: Dictionary,
    /// Index stems of the words kept whole ("medical" -> "medic").
    whole_to_stem: HashMap<String, String>,
    /// The single general and common words, exactly as listed.
    general_words: HashSet<String>,
    /// The common words that are not also general ("pressure", "back").
    common_words: HashSet<String>,
    /// Chat shorthand, expanded before reading ("rn" -> "right", "now").
    abbreviations: HashMap<String, Vec<String>>,
    /// Stems of the words that may stand inside a phrase ("what even is").
    filler_stems: HashSet<String>,
    analyzer: TextAnalyzer,
    /// How many topics the cues point to; cue slots are below it.
    topic_count: usize,
}

impl Vocabulary {
    /// How many topics the cues point to.
    pub fn topic_count(&self) -> usize {
        self.topic_count
    }

    /// Compiles the lexicon and topic cues, and learns the article words for spelling.
    /// The English words of the emergency patterns (`emergency_words`) become
    /// spelling targets too, so "he stoped breathing" reaches `stopped breathing`.
    pub fn build(
        lexicon: &Lexicon,
        topics: &[TopicSpec],
        corpus: &Corpus,
        dictionary: Dictionary,
        emergency_words: &[String],
    ) -> Vocabulary {
        let mut builder = Builder {
            phrases: Vec::new(),
            by_stems: HashMap::new(),
            stem_cache: HashMap::new(),
            analyzer: english_analyzer(),
            discarded: Meaning::default(),
            keep_whole: lexicon.keep_whole.iter().flat_map(|w| words(w)).collect(),
        };
        type Flag = fn(&mut Meaning);
        let flagged: [(&Vec<String>, Flag); 10] = [
            (&lexicon.subject, |m| m.subject = true),
            (&lexicon.movement, |m| m.movement = true),
            (&lexicon.anaphor, |m| m.anaphor = true),
            (&lexicon.addressee, |m| m.addressee = true),
            (&lexicon.negator, |m| m.negator = true),
            (&lexicon.context, |m| m.context = true),
            (&lexicon.sleep_time, |m| {
                m.context = true;
                m.sleep_time = true;
            }),
            (&lexicon.elsewhere, |m| m.elsewhere = true),
            (&lexicon.entity, |m| m.entity = true),
            (&lexicon.animals, |m| m.animal = true),
        ];
        for (list, flag) in flagged {
            for word in list {
                flag(builder.meaning(word));
            }
        }
        // Single general words only need to be recognised as written; only the
        // multi-word ones ("tell me") are phrases. This keeps start-up cheap with
        // thousands of common words.
        let mut general_words: HashSet<String> = lexicon.urgent.iter().flat_map(|w| words(w)).collect();
        for entry in &lexicon.general {
            let entry_words = words(entry);
            if entry_words.len() > 1 {
                builder.meaning(entry).general = true;
            } else {
                general_words.extend(entry_words);
            }
        }
        let mut common_words = HashSet::new();
        for entry in &lexicon.common {
            let entry_words = words(entry);
            if entry_words.len() > 1 {
                builder.meaning(entry).general = true;
            } else {
                common_words.extend(entry_words.into_iter().filter(|word| !general_words.contains(word)));
            }
        }
        general_words.extend(common_words.iter().cloned());
        for (kind, phrases) in &lexicon.smalltalk {
            for phrase in phrases {
                builder.meaning(phrase).smalltalk = Some(*kind);
            }
        }
        for (slot, spec) in topics.iter().enumerate() {
            for (phrase, weight) in &spec.cues {
                // Cues that stem alike ("concern", "concerned") are one cue: keep the strongest.
                let cues = &mut builder.meaning(phrase).cues;
                match cues.iter_mut().find(|(cued, _)| *cued == slot) {
                    Some(cue) => cue.1 = cue.1.max(*weight),
                    None => cues.push((slot, *weight)),
                }
            }
        }
        for (phrase, targets) in &lexicon.synonyms {
            let stems: Vec<String> = targets.iter().flat_map(|t| builder.stems_of(t)).collect();
            builder.meaning(phrase).expansions.extend(stems);
        }

        builder.inherit_word_flags();
        let mut speller = Speller::default();
        let mut known_stems = HashSet::new();
        for phrase in &builder.phrases {
            known_stems.extend(phrase.stems.iter().cloned());
        }
        let curated_words: Vec<String> = lexicon_words(lexicon, topics);
        for word in curated_words {
            let stem = builder.stem(&word);
            let standalone = builder.by_stems.get(std::slice::from_ref(&stem)).map(|&id| &builder.phrases[id].meaning);
            match standalone {
                Some(meaning) if meaning.is_only_general() => {}
                Some(_) => speller.add(&word, Trust::Curated),
                None => speller.add(&word, Trust::CuratedPart),
            }
        }
        for word in lexicon.urgent.iter().flat_map(|w| words(w)) {
            speller.add(&word, Trust::Curated);
        }
        for word in emergency_words.iter().filter(|word| dictionary.contains(word)) {
            speller.add(word, Trust::Curated);
        }
        for passage in &corpus.passages {
            for word in words(&passage.text) {
                if word.chars().all(|c| c.is_alphabetic()) {
                    known_stems.insert(builder.stem(&word));
                    speller.add(&word, Trust::Article);
                }
            }
        }

        let filler_stems = lexicon.filler.iter().flat_map(|w| words(w)).map(|w| builder.stem(&w)).collect();
        let mut whole_to_stem = HashMap::new();
        for word in builder.keep_whole.clone() {
            whole_to_stem.insert(word.clone(), stem_with(&mut builder.analyzer, &word));
        }
        let mut by_first_stem: HashMap<String, Vec<usize>> = HashMap::new();
        for (id, phrase) in builder.phrases.iter().enumerate() {
            by_first_stem.entry(phrase.stems[0].clone()).or_default().push(id);
        }
        for ids in by_first_stem.values_mut() {
            ids.sort_by_key(|&id| std::cmp::Reverse(builder.phrases[id].stems.len()));
        }
        Vocabulary {
            topic_count: topics.len(),
            phrases: builder.phrases,
            by_first_stem,
            stem_cache: builder.stem_cache,
            known_stems,
            speller,
            dictionary,
            whole_to_stem,
            general_words,
            common_words,
            abbreviations: lexicon.abbreviations.iter().map(|(short, long)| (short.clone(), words(long))).collect(),
            filler_stems,
            analyzer: builder.analyzer,
        }
    }

    /// The phrase with this id.
    pub fn phrase(&self, id: usize) -> &Phrase {
        &self.phrases[id]
    }

    /// Number of distinct phrases.
    pub fn len(&self) -> usize {
        self.phrases.len()
    }

    /// Reads a sanitized question.
    pub fn analyse(&self, text: &str) -> Analysis {
        let mut analyzer: Option<TextAnalyzer> = None;
        let mut analysis = Analysis::default();
        let mut stems = Vec::new();
        let expanded = words(text).into_iter().flat_map(|word| match self.abbreviations.get(&word) {
            Some(long) => long.clone(),
            None => vec![word],
        });
        for word in expanded {
            let mut stem = self.stem(&word, &mut analyzer);
            let mut word = word;
            let unknown = |word: &str, stem: &str| {
                !self.known_stems.contains(stem)
                    && !self.general_words.contains(word)
                    && !self.dictionary.contains(word)
            };
            // Drawn-out words ("hiii", "sooo bad", "pleeease") are read without the stretch.
            if unknown(&word, &stem)
                && let Some(short) = unstretched(&word)
            {
                let short_stem = self.stem(&short, &mut analyzer);
                if !unknown(&short, &short_stem) {
                    analysis.corrections.push((word, short.clone()));
                    word = short;
                    stem = short_stem;
                }
            }
            if !self.known_stems.contains(&stem)
                && !self.general_words.contains(&word)
                && !self.dictionary.contains(&word)
                && let Some(corrected) = self.speller.correct(&word)
            {
                analysis.corrections.push((word, corrected.to_string()));
                word = corrected.to_string();
                stem = self.stem(&word, &mut analyzer);
            }
            analysis.words.push(word);
            stems.push(stem);
        }
        analysis.normalized = analysis.words.join(" ");

        let mut search: Vec<String> = Vec::new();
        let mut position = 0;
        while position < stems.len() {
            match self.longest_phrase_at(&stems, position) {
                Some(found) => {
                    let phrase = &self.phrases[found.phrase];
                    if !phrase.meaning.is_only_general() {
                        search.extend(phrase.stems.iter().map(|stem| self.search_stem(stem)));
                        search.extend(phrase.meaning.expansions.iter().cloned());
                    }
                    let span = (position, position + found.length);
                    analysis.phrases.push(found.phrase);
                    analysis.spans.push(span);
                    if let Some(anaphor) = found.skipped_anaphor {
                        analysis.phrases.push(anaphor);
                        analysis.spans.push(span);
                    }
                    position += found.length;
                }
                None => {
                    let word = &analysis.words[position];
                    // A general word counts only in the form listed: "depressed" is
                    // listed, "depression" (same stem) is a subject of its own.
                    // Times and ages ("2am", "30yo") are not subjects.
                    if !self.general_words.contains(word) && !word.chars().any(|c| c.is_ascii_digit()) {
                        analysis.foreign.push(position);
                        search.push(stems[position].clone());
                    } else if self.common_words.contains(word) {
                        analysis.common_words += 1;
                    }
                    position += 1;
                }
            }
        }
        let mut seen = HashSet::new();
        search.retain(|stem| seen.insert(stem.clone()));
        analysis.search_stems = search;
        analysis
    }

    /// The longest phrase starting at `position`. Inside a phrase, one anaphor or
    /// filler word may stand between two of its words: "sets them off" is "set
    /// off" (with "them"), "what even is" is "what is".
    fn longest_phrase_at(&self, stems: &[String], position: usize) -> Option<PhraseMatch> {
        let candidates = self.by_first_stem.get(&stems[position])?;
        candidates.iter().find_map(|&id| {
            let phrase = &self.phrases[id].stems;
            let mut at = position;
            let mut skipped = false;
            let mut skipped_anaphor = None;
            for (i, stem) in phrase.iter().enumerate() {
                if stems.get(at) != Some(stem) {
                    let between = stems.get(at)?;
                    let anaphor = self.single_word_anaphor(between);
                    let filler = self.filler_stems.contains(between);
                    if i == 0 || skipped || !(anaphor.is_some() || filler) || stems.get(at + 1) != Some(stem) {
                        return None;
                    }
                    skipped = true;
                    skipped_anaphor = anaphor;
                    at += 1;
                }
                at += 1;
            }
            Some(PhraseMatch { phrase: id, length: at - position, skipped_anaphor })
        })
    }

    /// The stem the index knows for a phrase stem: the same, except for words the
    /// matcher keeps whole.
    fn search_stem(&self, stem: &str) -> String {
        self.whole_to_stem.get(stem).cloned().unwrap_or_else(|| stem.to_string())
    }

    /// The id of the one-word anaphor phrase `stem`, if it is one.
    fn single_word_anaphor(&self, stem: &str) -> Option<usize> {
        self.by_first_stem.get(stem)?.iter().copied().find(|&id| {
            let phrase = &self.phrases[id];
            phrase.stems.len() == 1 && phrase.meaning.anaphor
        })
    }

    fn stem(&self, word: &str, analyzer: &mut Option<TextAnalyzer>) -> String {
        if let Some(stem) = self.stem_cache.get(word) {
            return stem.clone();
        }
        let analyzer = analyzer.get_or_insert_with(|| self.analyzer.clone());
        stem_with(analyzer, word)
    }
}

/// Every single word of the curated lists and cues (not the general words: they
/// are never spelling targets).
fn lexicon_words(lexicon: &Lexicon, topics: &[TopicSpec]) -> Vec<String> {
    let lists = [
        &lexicon.subject,
        &lexicon.movement,
        &lexicon.anaphor,
        &lexicon.addressee,
        &lexicon.negator,
        &lexicon.context,
        &lexicon.sleep_time,
        &lexicon.elsewhere,
        &lexicon.entity,
        &lexicon.animals,
    ];
    let mut phrases: Vec<&String> = lists.into_iter().flatten().collect();
    phrases.extend(lexicon.smalltalk.iter().flat_map(|(_, list)| list));
    phrases.extend(lexicon.synonyms.iter().flat_map(|(word, targets)| std::iter::once(word).chain(targets)));
    phrases.extend(topics.iter().flat_map(|spec| spec.cues.iter().map(|(phrase, _)| phrase)));
    let mut all: Vec<String> = phrases.into_iter().flat_map(|phrase| words(phrase)).collect();
    all.sort();
    all.dedup();
    all
}

/// The word with every run of three or more equal letters cut to one, if it has such a run.
fn unstretched(word: &str) -> Option<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::with_capacity(word.len());
    let mut stretched = false;
    let mut at = 0;
    while at < chars.len() {
        let mut end = at;
        while end < chars.len() && chars[end] == chars[at] {
            end += 1;
        }
        let run = end - at;
        stretched |= run >= 3;
        out.extend(std::iter::repeat_n(chars[at], if run >= 3 { 1 } else { run }));
        at = end;
    }
    stretched.then_some(out)
}

fn stem_with(analyzer: &mut TextAnalyzer, word: &str) -> String {
    let mut stream = analyzer.token_stream(word);
    let mut stem = String::new();
    while stream.advance() {
        stem.push_str(&stream.token().text);
    }
    if stem.is_empty() { word.to_string() } else { stem }
}

struct Builder {
    phrases: Vec<Phrase>,
    by_stems: HashMap<Vec<String>, usize>,
    stem_cache: HashMap<String, String>,
    analyzer: TextAnalyzer,
    /// Where entries with no word in them ("!!!") go, so they match nothing.
    discarded: Meaning,
    /// Words matched unstemmed.
    keep_whole: HashSet<String>,
}

impl Builder {
    fn stem(&mut self, word: &str) -> String {
        if let Some(stem) = self.stem_cache.get(word) {
            return stem.clone();
        }
        let stem = if self.keep_whole.contains(word) { word.to_string() } else { stem_with(&mut self.analyzer, word) };
        self.stem_cache.insert(word.to_string(), stem.clone());
        stem
    }

    fn stems_of(&mut self, phrase: &str) -> Vec<String> {
        words(phrase).iter().map(|word| self.stem(word)).collect()
    }

    /// A longer phrase that contains a subject, movement, entity or sleep-time
    /// word is one too: "jerk awake" still names a movement, in sleep; "cant fall
    /// asleep" still places things in sleep.
    fn inherit_word_flags(&mut self) {
        let flags_of = |stem: &String| {
            self.by_stems.get(std::slice::from_ref(stem)).map(|&id| self.phrases[id].meaning.word_flags())
        };
        let inherited: Vec<(usize, WordFlags)> = self
            .phrases
            .iter()
            .enumerate()
            .filter(|(_, phrase)| phrase.stems.len() > 1)
            .map(|(id, phrase)| {
                let any = phrase.stems.iter().filter_map(flags_of).fold(WordFlags::default(), |all, one| WordFlags {
                    subject: all.subject || one.subject,
                    movement: all.movement || one.movement,
                    entity: all.entity || one.entity,
                    sleep_time: all.sleep_time || one.sleep_time,
                });
                (id, any)
            })
            .collect();
        for (id, any) in inherited {
            let meaning = &mut self.phrases[id].meaning;
            meaning.subject |= any.subject;
            meaning.movement |= any.movement && !meaning.subject;
            meaning.entity |= any.entity && !meaning.subject && !meaning.movement;
            meaning.sleep_time |= any.sleep_time && !meaning.elsewhere;
        }
    }

    /// The meaning of `phrase`, created empty the first time.
    fn meaning(&mut self, phrase: &str) -> &mut Meaning {
        let stems = self.stems_of(phrase);
        if stems.is_empty() {
            return &mut self.discarded;
        }
        let id = match self.by_stems.get(&stems) {
            Some(&id) => id,
            None => {
                let id = self.phrases.len();
                self.by_stems.insert(stems.clone(), id);
                self.phrases.push(Phrase { stems, meaning: Meaning::default() });
                id
            }
        };
        &mut self.phrases[id].meaning
    }
}
