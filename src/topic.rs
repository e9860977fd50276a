//! The fixed set of answer topics. What each topic says lives in
//! `knowledge/topics.toml`; this file only names them.

use std::fmt;

/// What a question is about. Every [`crate::Answer`] has exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    /// What sleep spasms are.
    Definition,
    /// Why they happen.
    Causes,
    /// What makes them more frequent or stronger.
    Triggers,
    /// Whether they are dangerous.
    Safety,
    /// Warning signs and when to see a doctor.
    SeekCare,
    /// How doctors treat them.
    Treatment,
    /// The types of myoclonus.
    Types,
    /// How common they are.
    Prevalence,
    /// What a person can do about them.
    SelfHelp,
    /// Something urgent is happening now: call emergency services.
    Emergency,
    /// The question is not about sleep spasms.
    OutOfScope,
    /// Greetings, thanks and goodbyes, and questions about the bot itself.
    Smalltalk,
    /// Written in a language other than English, which the bot does not answer yet.
    OtherLanguage,
}

impl Topic {
    /// Every topic, in a fixed order.
    pub const ALL: [Topic; 13] = [
        Topic::Definition,
        Topic::Causes,
        Topic::Triggers,
        Topic::Safety,
        Topic::SeekCare,
        Topic::Treatment,
        Topic::Types,
        Topic::Prevalence,
        Topic::SelfHelp,
        Topic::Emergency,
        Topic::OutOfScope,
        Topic::Smalltalk,
        Topic::OtherLanguage,
    ];

    /// The topics answered from the articles, each with an entry in `topics.toml`:
    /// the first nine of [`Topic::ALL`].
    pub const ANSWERABLE: [Topic; 9] = {
        let mut answerable = [Topic::Definition; 9];
        let mut i = 0;
        while i < answerable.len() {
            answerable[i] = Topic::ALL[i];
            i += 1;
        }
        answerable
    };

    /// The id used in `topics.toml`, eval files and JSON output.
    pub fn id(self) -> &'static str {
        match self {
            Topic::Definition => "definition",
            Topic::Causes => "causes",
            Topic::Triggers => "triggers",
            Topic::Safety => "safety",
            Topic::SeekCare => "seek_care",
            Topic::Treatment => "treatment",
            Topic::Types => "types",
            Topic::Prevalence => "prevalence",
            Topic::SelfHelp => "self_help",
            Topic::Emergency => "emergency",
            Topic::OutOfScope => "out_of_scope",
            Topic::Smalltalk => "smalltalk",
            Topic::OtherLanguage => "other_language",
        }
    }

    /// The topic with this id, if there is one.
    pub fn from_id(id: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|topic| topic.id() == id)
    }

    /// Whether the topic is answered from the articles (it has a lead and quotes).
    pub fn is_answerable(self) -> bool {
        self.answerable_index().is_some()
    }

    /// The position of the topic in [`Topic::ANSWERABLE`], for per-topic arrays.
    pub(crate) fn answerable_index(self) -> Option<usize> {
        Topic::ANSWERABLE.iter().position(|topic| *topic == self)
    }
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
    fn ids_round_trip() {
        for topic in Topic::ALL {
            assert_eq!(Topic::from_id(topic.id()), Some(topic));
        }
        assert_eq!(Topic::from_id("nonsense"), None);
    }

    #[test]
    fn answerable_topics_are_the_first_nine() {
        assert!(Topic::ANSWERABLE.iter().all(|t| t.is_answerable()));
        assert!(!Topic::Emergency.is_answerable());
        assert_eq!(Topic::SelfHelp.answerable_index(), Some(8));
    }
}
