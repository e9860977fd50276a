//! Property tests: thousands of random strings through the engine. Nothing
//! panics, every reply ends with the disclaimer, the confidence is a share.

mod support;

use hypnic::Topic;
use hypnic::render::plain_text;
use proptest::prelude::*;
use support::engine;

/// Words the engine knows, mixed into random text so that the interesting
/// paths (spelling, phrases, emergencies) are reached, not only "unreadable".
const KNOWN: &[&str] = &[
    "spasm",
    "jerks",
    "hypnic",
    "dangerous",
    "why",
    "caffeine",
    "doctor",
    "seizure",
    "now",
    "not breathing",
    "they",
    "without",
    "no",
    "hi",
    "thanks",
    "treatment",
    "types",
    "70%",
    "title:",
    "AND",
    "(",
    "\"",
    "*",
    "é",
];

fn check(message: &str) {
    let answer = engine().answer(message);
    let reply = plain_text(&answer);
    assert!(reply.ends_with(engine().disclaimer()), "{message:?}");
    assert!((0.0..=1.0).contains(&answer.confidence), "{message:?}: {}", answer.confidence);
    assert!(answer.quotes.len() <= 3);
    if answer.topic == Topic::Emergency {
        assert!(answer.quotes.is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4_000, ..ProptestConfig::default() })]

    /// Any Unicode string at all.
    #[test]
    fn any_string_gets_an_answer(message in any::<String>()) {
        check(&message);
    }

    /// Known words glued with random separators and junk.
    #[test]
    fn known_words_in_random_order(
        parts in prop::collection::vec((prop::sample::select(KNOWN), "[ -~]{0,3}|\\PC{0,2}"), 0..24)
    ) {
        let message: String = parts.iter().map(|(word, sep)| format!("{word}{sep}")).collect();
        check(&message);
    }

    /// Long inputs, up to the size of a Telegram message and beyond.
    #[test]
    fn long_inputs(message in "\\PC{2000,6000}") {
        check(&message);
    }
}
