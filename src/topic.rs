//! What an answer is about. The answerable topics are data: each entry of
//! `knowledge/topics.toml` is one, and [`crate::Engine::topics`] lists them.
//! Five outcomes are fixed, because the engine itself decides them: an
//! emergency, a crisis (thoughts of suicide or self-harm), a message about
//! something else, small talk, and a message in a language the bot does not
//! answer yet.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Mutex, OnceLock, PoisonError};

/// What a reply is about: an answerable topic of `topics.toml`, or one of the
/// fixed outcomes. A cheap `Copy` handle on the topic's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Topic(&'static str);

/// The longest topic id: it must fit in button data and command names.
pub const MAX_TOPIC_ID_CHARS: usize = 32;

impl Topic {
    /// Something urgent is happening now: call emergency services.
    pub const EMERGENCY: Topic = Topic("emergency");
    /// Thoughts of suicide, self-harm or hopelessness: a person first, and a crisis line.
    pub const CRISIS: Topic = Topic("crisis");
    /// The message is not about sleep spasms.
    pub const OUT_OF_SCOPE: Topic = Topic("out_of_scope");
    /// Greetings, thanks and goodbyes, and questions about the bot itself.
    pub const SMALLTALK: Topic = Topic("smalltalk");
    /// Written in a language other than English, which the bot does not answer yet.
    pub const OTHER_LANGUAGE: Topic = Topic("other_language");

    /// The fixed outcomes; no entry of `topics.toml` may take their ids.
    pub const FIXED: [Topic; 5] =
        [Topic::EMERGENCY, Topic::CRISIS, Topic::OUT_OF_SCOPE, Topic::SMALLTALK, Topic::OTHER_LANGUAGE];

    /// The id used in `topics.toml`, eval files, button data and JSON output.
    pub fn id(self) -> &'static str {
        self.0
    }

    /// The fixed outcome with this id, if it is one.
    pub fn fixed(id: &str) -> Option<Topic> {
        Topic::FIXED.into_iter().find(|topic| topic.0 == id)
    }

    /// Whether this outcome is urgent: an emergency or a crisis, answered
    /// with who to call now and never with reassurance.
    pub fn is_urgent(self) -> bool {
        self == Topic::EMERGENCY || self == Topic::CRISIS
    }

    /// Whether this is one of the fixed outcomes rather than a curated topic.
    pub fn is_fixed(self) -> bool {
        Topic::fixed(self.0).is_some()
    }

    /// The topic named `id`, for curated files (`topics.toml`, eval files).
    /// Ids are kept for the life of the process, one copy each, so this must
    /// only see ids a curator wrote, never text from a user: look those up
    /// with [`crate::Engine::topic_by_id`].
    ///
    /// # Errors
    /// A message when `id` is not 1 to [`MAX_TOPIC_ID_CHARS`] characters of
    /// `a-z`, `0-9` and `_`.
    pub(crate) fn curated(id: &str) -> Result<Topic, String> {
        let well_formed = !id.is_empty()
            && id.len() <= MAX_TOPIC_ID_CHARS
            && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !well_formed {
            return Err(format!("topic id `{id}` must be 1 to {MAX_TOPIC_ID_CHARS} characters of a-z, 0-9 and _"));
        }
        Ok(Topic::fixed(id).unwrap_or_else(|| Topic(intern(id))))
    }
}

/// One `'static` copy of each curated id, so that [`Topic`] stays `Copy`. The
/// set only grows by the ids of curated files, a few dozen at most.
fn intern(id: &str) -> &'static str {
    static IDS: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    let mut ids = IDS.get_or_init(Mutex::default).lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(kept) = ids.get(id) {
        return kept;
    }
    let kept: &'static str = Box::leak(id.to_owned().into_boxed_str());
    ids.insert(kept);
    kept
}

impl serde::Serialize for Topic {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_ids_round_trip() {
        for topic in Topic::FIXED {
            assert_eq!(Topic::fixed(topic.id()), Some(topic));
            assert!(topic.is_fixed());
        }
        assert_eq!(Topic::fixed("safety"), None);
    }

    #[test]
    fn curated_ids_are_kept_once_and_checked() {
        let first = Topic::curated("safety").unwrap();
        let second = Topic::curated("safety").unwrap();
        assert_eq!(first, second);
        assert!(std::ptr::eq(first.id(), second.id()));
        assert!(!first.is_fixed());
        assert_eq!(Topic::curated("emergency"), Ok(Topic::EMERGENCY));
        for bad in ["", "Safety", "seek care", "t:x", &"a".repeat(MAX_TOPIC_ID_CHARS + 1)] {
            assert!(Topic::curated(bad).is_err(), "{bad:?}");
        }
    }
}
