//! The urgent replies: an emergency happening now, a crisis (thoughts of
//! suicide, self-harm or hopelessness), and the follow-up reply for every
//! later message of a chat that told one. They come before anything else and
//! follow public first-aid and crisis-line guidance, not the articles.

use super::plan::Reasons;
use super::reading::Reading;
use super::{Engine, Voice};
use crate::knowledge::{Helpline, Language};
use crate::topic::Topic;

impl Engine {
    /// The urgent reply a message needs, with its topic, if it tells an
    /// emergency or a crisis: an emergency first, with the crisis lines after
    /// it when the message tells a crisis too ("she said goodbye and swallowed
    /// all her pills"). `language` is the message's, when it is not English.
    pub(super) fn urgent_reply(
        &self,
        voice: &Voice,
        reading: &Reading,
        language: Option<&Language>,
        reasons: &mut Reasons,
    ) -> Option<(Topic, String)> {
        let texts = &voice.texts;
        let reader = &self.inner.reader;
        let language_of = |sign_language: &str| reader.languages().list.iter().find(|known| known.id == sign_language);
        if let Some(sign) = reading.emergency() {
            let spec = &reader.signs()[sign.fact.index];
            reasons.push(|| format!("emergency sign `{}` matched '{}' ({})", spec.id, sign.fact.words, spec.source));
            // A reply in a voice is in its language; in English, a sign or a
            // message of a language without a voice gets that language's own.
            let reply_language = language_of(&spec.language).or(language).filter(|_| voice.is_english());
            if let Some(own) = language_of(&voice.id).filter(|_| !voice.is_english() && !spec.after) {
                reasons.push(|| format!("emergency numbers of `{}`: {}", own.id, own.numbers_source));
            }
            let mut text = match reply_language {
                // "The ambulance is coming, what do I tell them?": help is called.
                _ if spec.after => texts.after_emergency.clone(),
                Some(language) => {
                    reasons.push(|| format!("emergency numbers of `{}`: {}", language.id, language.numbers_source));
                    language.emergency.clone()
                }
                None => match spec.advice.as_ref().filter(|_| voice.is_english()) {
                    Some(advice) => format!("{}\n\n{advice}", texts.emergency),
                    None => texts.emergency.clone(),
                },
            };
            if let Some(crisis) = reading.crisis() {
                let id = &reader.signs()[crisis.fact.index].id;
                reasons.push(|| format!("crisis sign `{id}` too: the crisis lines follow"));
                let lines =
                    self.crisis_lines(voice, reply_language.map_or(&*voice.id, |language| language.id.as_str()));
                text = format!("{text}\n\n{}\n{lines}", texts.crisis_with_emergency);
            }
            return Some((Topic::EMERGENCY, text));
        }
        if let Some(sign) = reading.crisis() {
            let spec = &reader.signs()[sign.fact.index];
            reasons.push(|| format!("crisis sign `{}` matched '{}' ({})", spec.id, sign.fact.words, spec.source));
            return Some((Topic::CRISIS, self.crisis_text(language_of(&spec.language).or(language), voice)));
        }
        // No rule matched, but the trained reader is sure.
        let trained = reading.trained.as_ref()?;
        let urgent = reading.trained_urgent();
        if let (Some(_), None, Some(resolved)) = (trained.urgent(), urgent, &reading.resolved) {
            reasons.push(|| format!("the trained reader's emergency is not called: told as over ('{resolved}')"));
        }
        match urgent? {
            Topic::CRISIS => {
                reasons.push(|| format!("decided by the trained reader: a crisis (score {:.2})", trained.crisis));
            }
            _ => {
                reasons
                    .push(|| format!("decided by the trained reader: an emergency (score {:.2})", trained.emergency));
            }
        }
        urgent.map(|urgent| self.trained_urgent_text(urgent, voice, language))
    }

    /// The urgent reply to a message the rules could not read (no question
    /// found, or read in part through a glossary), when the trained reader
    /// ranks an emergency or a crisis above every topic, sure or not: the
    /// other reply, a request to ask again, helps nobody in an emergency.
    pub(super) fn unread_urgent_reply(
        &self,
        voice: &Voice,
        reading: &Reading,
        language: Option<&Language>,
        reasons: &mut Reasons,
    ) -> Option<(Topic, String)> {
        let urgent = reading.trained_urgent_first()?;
        reasons.push(|| {
            let probability =
                reading.trained.as_ref().and_then(|trained| trained.ranked.first()).map_or(0.0, |(_, p)| *p);
            format!("not read by the rules, and the trained reader ranks `{urgent}` first ({probability:.2})")
        });
        Some(self.trained_urgent_text(urgent, voice, language))
    }

    /// The reply to an emergency or a crisis only the trained reader found.
    fn trained_urgent_text(&self, urgent: Topic, voice: &Voice, language: Option<&Language>) -> (Topic, String) {
        if urgent == Topic::CRISIS {
            return (Topic::CRISIS, self.crisis_text(language, voice));
        }
        let text = language
            .filter(|_| voice.is_english())
            .map_or_else(|| voice.texts.emergency.clone(), |language| language.emergency.clone());
        (Topic::EMERGENCY, text)
    }

    /// The reply to any message of a chat after it told `urgent` (an
    /// emergency or a crisis): stay with the person, what to tell the call
    /// handler, get checked even if better; or, after a crisis, a person and
    /// the crisis lines again.
    pub(super) fn after_urgent(&self, voice: &Voice, urgent: Topic) -> String {
        let texts = &voice.texts;
        if urgent == Topic::CRISIS {
            texts.after_crisis.replace("{lines}", &self.crisis_lines(voice, &voice.id))
        } else {
            texts.after_emergency.clone()
        }
    }

    /// The crisis reply in `voice`, or, from the English voice, in `language`
    /// when it has none of its own; its lines filled in.
    pub(crate) fn crisis_text(&self, language: Option<&Language>, voice: &Voice) -> String {
        match language.filter(|_| voice.is_english()) {
            Some(language) => language.crisis.replace("{lines}", &self.crisis_lines(voice, &language.id)),
            None => voice.texts.crisis.replace("{lines}", &self.crisis_lines(voice, &voice.id)),
        }
    }

    /// The crisis lines listed for a reply in `language`, one a line, as `voice` writes them.
    fn crisis_lines(&self, voice: &Voice, language: &str) -> String {
        let format = &voice.texts.crisis_line;
        Helpline::for_language(&self.inner.helplines, language)
            .iter()
            .map(|line| {
                format
                    .replace("{country}", &line.country)
                    .replace("{name}", &line.name)
                    .replace("{contact}", &line.contact)
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
