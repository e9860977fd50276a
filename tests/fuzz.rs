//! Property tests and fuzzing: random input through the engine and the Telegram
//! renderer. For every case nothing panics; the plain reply ends with the
//! disclaimer and the confidence is a share; every Telegram message is at most
//! 4096 UTF-16 units, its HTML tags are balanced, and the disclaimer closes the
//! last one.
//!
//! `cargo test` runs 4,000 cases per property. The long run is separate:
//!
//! ```sh
//! HYPNIC_FUZZ_CASES=1000000 cargo test --release --test fuzz -- --nocapture
//! ```
//!
//! and prints how many cases each property ran.

mod support;

use std::sync::atomic::{AtomicU64, Ordering};

use hypnic::render::plain_text;
use hypnic::telegram::reply;
use hypnic::telegram::split::{MAX_MESSAGE_UNITS, utf16_len};
use hypnic::{Answer, Engine, Quote, RelatedTopic, Topic};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use support::engine;
use teloxide::utils::html::escape;

/// Cases per property when `HYPNIC_FUZZ_CASES` is not set.
const DEFAULT_CASES: u32 = 4_000;

fn cases() -> u32 {
    std::env::var("HYPNIC_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(DEFAULT_CASES)
}

/// Runs `check` on `cases()` values of `strategy`, prints the count, and fails
/// with the smallest failing value proptest finds.
fn fuzz<S: Strategy>(name: &str, strategy: S, check: impl Fn(&S::Value)) {
    let cases = cases();
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let ran = AtomicU64::new(0);
    let result = runner.run(&strategy, |value| {
        ran.fetch_add(1, Ordering::Relaxed);
        check(&value);
        Ok(())
    });
    if let Err(error) = result {
        panic!("{name}: {error}");
    }
    eprintln!("{name}: {} cases passed", ran.load(Ordering::Relaxed));
}

/// The HTML tags Telegram accepts that the renderer may use.
const TAGS: [&str; 6] = ["b", "i", "u", "s", "code", "blockquote"];

/// Every `<` opens or closes an allowed tag, tags nest properly, every `&` starts
/// an entity, and all tags are closed at the end.
fn assert_balanced_html(part: &str) {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = part;
    while let Some(start) = rest.find(['<', '&']) {
        let (before, from) = rest.split_at(start);
        let _ = before;
        if from.starts_with('&') {
            let end = from.find(';').unwrap_or_else(|| panic!("a bare & in {part:?}"));
            let entity = &from[1..end];
            assert!(
                matches!(entity, "amp" | "lt" | "gt" | "quot" | "#39" | "#x27"),
                "unknown entity &{entity}; in {part:?}"
            );
            rest = &from[end + 1..];
            continue;
        }
        let end = from.find('>').unwrap_or_else(|| panic!("an unclosed < in {part:?}"));
        let tag = &from[1..end];
        match tag.strip_prefix('/') {
            Some(name) => assert_eq!(open.pop(), Some(name), "</{name}> does not close the last tag in {part:?}"),
            None => {
                let name =
                    TAGS.iter().find(|t| **t == tag).unwrap_or_else(|| panic!("unknown tag <{tag}> in {part:?}"));
                open.push(name);
            }
        }
        rest = &from[end + 1..];
    }
    assert!(open.is_empty(), "unclosed tags {open:?} in {part:?}");
}

/// What every reply must satisfy.
fn assert_good_reply(answer: &Answer) {
    let reply = reply::answer(answer);
    assert!(!reply.parts.is_empty());
    for part in &reply.parts {
        assert!(utf16_len(part) <= MAX_MESSAGE_UNITS, "a message of {} units", utf16_len(part));
        assert!(!part.trim().is_empty(), "an empty message");
        assert_balanced_html(part);
    }
    let disclaimer = escape(&answer.disclaimer);
    let last = reply.parts.last().expect("at least one part");
    assert!(last.ends_with(&disclaimer), "the last message does not end with the disclaimer: {last:?}");
    let total: usize = reply.parts.iter().map(|part| part.matches(&disclaimer).count()).sum();
    assert_eq!(total, 1, "the disclaimer appears {total} times");
}

/// Words the engine knows, so random messages reach its interesting paths.
const KNOWN: &[&str] = &[
    "spasm",
    "jerks",
    "hypnic",
    "dangerous",
    "why",
    "caffeine",
    "doctor",
    "seizure",
    "right now",
    "not breathing",
    "they",
    "without",
    "no",
    "hi",
    "thanks",
    "treatment",
    "types",
    "70%",
    "<b>",
    "&amp;",
    "</i>",
    "&",
    "<",
    "*",
];

fn message() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec((prop::sample::select(KNOWN), "[ -~]{0,3}|\\PC{0,2}"), 0..30)
            .prop_map(|parts| parts.iter().map(|(word, sep)| format!("{word}{sep}")).collect()),
        "\\PC{1000,5000}",
    ]
}

/// Random text for the parts of an answer: markup characters, multi-byte
/// letters, emoji and long runs, so splitting is exercised hard.
fn text(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        prop::string::string_regex(&format!("[a-zA-Z <>&\"'.!?\\n]{{0,{max}}}")).expect("a valid regex"),
        prop::string::string_regex(&format!("[a-zé漢字😴🙂\\u{{200B}} .<&]{{0,{max}}}")).expect("a valid regex"),
        prop::string::string_regex(&format!("\\PC{{0,{max}}}")).expect("a valid regex"),
    ]
}

fn answer(engine: &Engine) -> impl Strategy<Value = Answer> {
    let disclaimer = engine.disclaimer().to_string();
    let quote = (text(80), text(30), text(1_500)).prop_map(|(title, publisher, passage)| Quote {
        title: title.into(),
        publisher: publisher.into(),
        passage: passage.into(),
    });
    (
        prop::sample::select(engine.all_topics().collect::<Vec<_>>()),
        text(6_000),
        prop::option::of(text(200)),
        prop::collection::vec(quote, 0..4),
        prop::collection::vec(
            prop::sample::select(
                engine
                    .topics()
                    .iter()
                    .map(|spec| RelatedTopic { topic: spec.topic, label: spec.label.clone() })
                    .collect::<Vec<_>>(),
            ),
            0..4,
        ),
    )
        .prop_map(move |(topic, lead, notice, quotes, related)| Answer {
            topic,
            confidence: 0.5,
            notice,
            lead: lead.into(),
            quotes,
            also: None,
            related,
            disclaimer: disclaimer.as_str().into(),
            language: None,
            lang: "en".into(),
            quotes_intro: None,
        })
}

/// What every answer to any message must satisfy, in plain text and on Telegram.
fn assert_good_answer(engine: &Engine, message: &str) {
    let answer = engine.answer(message);
    assert!(plain_text(&answer).ends_with(&*answer.disclaimer), "{message:?}");
    assert_eq!(answer.disclaimer, engine.voice(&answer.lang).disclaimer, "{message:?}: the disclaimer of its language");
    assert!((0.0..=1.0).contains(&answer.confidence), "{message:?}: {}", answer.confidence);
    assert!(answer.quotes.len() <= 3);
    if answer.topic == Topic::EMERGENCY {
        assert!(answer.quotes.is_empty());
    }
    assert_good_reply(&answer);
}

/// Random messages (any Unicode, known words in random order, long inputs)
/// through the engine and the renderer.
#[test]
fn random_messages_give_good_answers_and_telegram_replies() {
    let engine = engine();
    fuzz("random messages", message(), |message| assert_good_answer(&engine, message));
}

/// Random answers (huge leads, odd characters, many quotes) through the renderer.
#[test]
fn random_answers_render_within_limits() {
    let engine = engine();
    fuzz("random answers", answer(&engine), assert_good_reply);
}
