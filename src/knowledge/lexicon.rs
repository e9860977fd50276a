//! The words the engine recognises (`lexicon.toml`): names for sleep spasms,
//! context words, entities, small talk, synonyms and general words.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::source::SourceFile;
use crate::error::Result;

/// What kind of small talk a phrase is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SmalltalkKind {
    /// "hi", "hello".
    Greeting,
    /// "thanks", "ok".
    Thanks,
    /// "bye", "good night".
    Goodbye,
    /// "who are you?", "help".
    About,
    /// "sources?", "where is this from?".
    Sources,
    /// "are you a bot?", "am I talking to a person?".
    Bot,
    /// "can I trust you?".
    Trust,
    /// "no" to what the last answer offered (a follow-up, not in the lists).
    Declined,
}

/// The recognised words, as written in `lexicon.toml` (not yet stemmed).
#[derive(Debug, Clone)]
pub struct Lexicon {
    /// Names for sleep spasms themselves.
    pub subject: Vec<String>,
    /// Everyday words for a sudden movement ("twitch", "jerk"): names for sleep
    /// spasms unless the question places them outside sleep.
    pub movement: Vec<String>,
    /// Words that refer back to the subject ("they", "it").
    pub anaphor: Vec<String>,
    /// Words that speak to the bot ("you", "your").
    pub addressee: Vec<String>,
    /// Words that cancel the topic cue right after them ("without", "instead of").
    pub negator: Vec<String>,
    /// Where spasms happen and how they feel ("legs", "falling").
    pub context: Vec<String>,
    /// Words that place a movement in sleep ("sleep", "night", "doze off").
    pub sleep_time: Vec<String>,
    /// Phrases that place a movement outside sleep ("during the day", "at work").
    pub elsewhere: Vec<String>,
    /// Words that may stand inside a curated phrase ("what even is").
    pub filler: Vec<String>,
    /// Things the articles discuss that are not sleep spasms ("epilepsy", "caffeine").
    pub entity: Vec<String>,
    /// Words that say nothing about the subject of a question: function words,
    /// common verbs, people, time (the curated `general` list).
    pub general: Vec<String>,
    /// Everyday content words that are not sleep spasms and not foreign either
    /// (`common_words.toml`): "pressure", "back". They never make a question out
    /// of scope, but a question with one is not a bare "dangerous?".
    pub common: Vec<String>,
    /// Words the phrase matcher keeps unstemmed, because the stemmer merges them
    /// with words of another meaning.
    pub keep_whole: Vec<String>,
    /// Words the emergency patterns look for: known, and spelling targets.
    pub urgent: Vec<String>,
    /// Chat shorthand and the words it stands for ("rn" -> "right now").
    pub abbreviations: Vec<(String, String)>,
    /// Words that open a question ("should i", "is it"): a sentence opening with
    /// one asks, even without a question mark.
    pub question_openers: Vec<String>,
    /// Words that end a sentence as a question ("so its ok right").
    pub question_tags: Vec<String>,
    /// Words said before a question's opener ("ok and does stress do it").
    pub lead_ins: Vec<String>,
    /// Ways a question proposes its story as the cause ("is that why?").
    pub points_back: Vec<String>,
    /// Animals: a movement of theirs is not a sleep spasm of a person.
    pub animals: Vec<String>,
    /// Small-talk phrases by kind.
    pub smalltalk: Vec<(SmalltalkKind, Vec<String>)>,
    /// Replies that make sense only after the bot's last answer.
    pub followup: FollowupWords,
    /// Lay words and the article words searched with them.
    pub synonyms: Vec<(String, Vec<String>)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    subject: Vec<String>,
    #[serde(default)]
    movement: Vec<String>,
    anaphor: Vec<String>,
    addressee: Vec<String>,
    negator: Vec<String>,
    context: Vec<String>,
    #[serde(default)]
    sleep_time: Vec<String>,
    #[serde(default)]
    elsewhere: Vec<String>,
    #[serde(default)]
    filler: Vec<String>,
    entity: Vec<String>,
    general: Vec<String>,
    #[serde(default)]
    keep_whole: Vec<String>,
    #[serde(default)]
    urgent: Vec<String>,
    #[serde(default)]
    abbreviations: BTreeMap<String, String>,
    #[serde(default)]
    question_openers: Vec<String>,
    #[serde(default)]
    question_tags: Vec<String>,
    #[serde(default)]
    lead_ins: Vec<String>,
    #[serde(default)]
    animals: Vec<String>,
    #[serde(default)]
    points_back: Vec<String>,
    smalltalk: SmalltalkFile,
    #[serde(default)]
    followup: FollowupWords,
    #[serde(default)]
    synonyms: BTreeMap<String, Vec<String>>,
}

/// Replies that make sense only after the bot's last answer, each matched
/// against a whole message.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowupWords {
    /// Accepting what the last answer offered ("yes").
    #[serde(default)]
    pub yes: Vec<String>,
    /// Asking for more of the same topic ("tell me more").
    #[serde(default)]
    pub more: Vec<String>,
    /// Declining the offer ("no thanks").
    #[serde(default)]
    pub no: Vec<String>,
    /// Words that name the writer ("me"): the follow-up is about them.
    #[serde(default)]
    pub writer: Vec<String>,
    /// Words that name someone else ("husband"): the follow-up is about them.
    #[serde(default)]
    pub people: Vec<String>,
    /// Words that point back to someone already spoken of ("she", "its").
    #[serde(default)]
    pub pronouns: Vec<String>,
    /// Openings that ask about the thing just mentioned ("does that").
    #[serde(default)]
    pub about_it: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommonWordsFile {
    common: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SmalltalkFile {
    greeting: Vec<String>,
    thanks: Vec<String>,
    goodbye: Vec<String>,
    about: Vec<String>,
    sources: Vec<String>,
    bot: Vec<String>,
    trust: Vec<String>,
}

impl Lexicon {
    /// Parses `lexicon.toml` and `common_words.toml`.
    ///
    /// # Errors
    /// [`crate::Error::Malformed`] for bad TOML, an empty `subject` list or an empty word.
    pub(crate) fn parse(file: &SourceFile, common_words: &SourceFile) -> Result<Lexicon> {
        let parsed: LexiconFile = file.parse()?;
        let common: CommonWordsFile = common_words.parse()?;
        if common.common.iter().any(|word| word.trim().is_empty()) {
            return Err(common_words.malformed_near("\"\"", "the list contains an empty word"));
        }
        if parsed.subject.is_empty() {
            return Err(file.malformed_near("subject", "`subject` needs at least one word"));
        }
        let lists = [
            &parsed.subject,
            &parsed.movement,
            &parsed.anaphor,
            &parsed.addressee,
            &parsed.negator,
            &parsed.context,
            &parsed.sleep_time,
            &parsed.elsewhere,
            &parsed.filler,
            &parsed.entity,
            &parsed.general,
            &parsed.followup.yes,
            &parsed.followup.more,
            &parsed.followup.no,
            &parsed.followup.writer,
            &parsed.followup.people,
            &parsed.followup.about_it,
            &parsed.followup.pronouns,
        ];
        if lists.iter().any(|list| list.iter().any(|word| word.trim().is_empty())) {
            return Err(file.malformed_near("\"\"", "a word list contains an empty word"));
        }
        let SmalltalkFile { greeting, thanks, goodbye, about, sources, bot, trust } = parsed.smalltalk;
        Ok(Lexicon {
            subject: parsed.subject,
            movement: parsed.movement,
            anaphor: parsed.anaphor,
            addressee: parsed.addressee,
            negator: parsed.negator,
            context: parsed.context,
            sleep_time: parsed.sleep_time,
            elsewhere: parsed.elsewhere,
            filler: parsed.filler,
            entity: parsed.entity,
            general: parsed.general,
            common: common.common,
            keep_whole: parsed.keep_whole,
            urgent: parsed.urgent,
            abbreviations: parsed.abbreviations.into_iter().collect(),
            question_openers: parsed.question_openers,
            question_tags: parsed.question_tags,
            lead_ins: parsed.lead_ins,
            animals: parsed.animals,
            points_back: parsed.points_back,
            smalltalk: vec![
                (SmalltalkKind::Greeting, greeting),
                (SmalltalkKind::Thanks, thanks),
                (SmalltalkKind::Goodbye, goodbye),
                (SmalltalkKind::About, about),
                (SmalltalkKind::Sources, sources),
                (SmalltalkKind::Bot, bot),
                (SmalltalkKind::Trust, trust),
            ],
            synonyms: parsed.synonyms.into_iter().collect(),
            followup: parsed.followup,
        })
    }
}
