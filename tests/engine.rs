//! The answer engine through its public API: the real knowledge, the real
//! tantivy index, the real rules.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use hypnic::render::plain_text;
use hypnic::{Engine, Error, Topic};
use support::engine;

fn knowledge_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge")
}

/// A copy of `knowledge/` in a fresh temporary folder, for tests that break it.
fn knowledge_copy(name: &str) -> PathBuf {
    let target = std::env::temp_dir().join(format!("hypnic-test-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&target);
    copy_dir(&knowledge_dir(), &target);
    target
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

/// Every kind of reply ends with the one disclaimer, byte for byte.
#[test]
fn the_disclaimer_ends_every_reply_in_every_mode() {
    let engine = engine();
    let disclaimer = engine.texts().disclaimer.clone();
    assert_eq!(engine.disclaimer(), disclaimer);
    let messages = [
        "Are sleep spasms dangerous?",
        "My son is having a seizure right now",
        "What's the weather in Nairobi tomorrow?",
        "hi",
        "thank you",
        "",
        "🙂",
        "x".repeat(5_000).as_str(),
    ]
    .map(str::to_string);
    let mut answers: Vec<_> = messages.iter().map(|m| engine.answer(m)).collect();
    answers.extend(Topic::ALL.iter().map(|&t| engine.answer_topic(t)));
    answers.push(engine.welcome());
    answers.push(engine.about());
    for answer in answers {
        assert_eq!(&*answer.disclaimer, disclaimer.as_str());
        let reply = plain_text(&answer);
        assert!(reply.ends_with(&disclaimer), "reply does not end with the disclaimer:\n{reply}");
        assert_eq!(reply.matches(&disclaimer).count(), 1, "disclaimer repeated:\n{reply}");
    }
}

/// The disclaimer says what the issue asks: not a doctor, no diagnosis, the
/// articles as the source, see a doctor when worried.
#[test]
fn the_disclaimer_says_not_a_doctor_sources_and_see_a_doctor() {
    let text = engine().disclaimer().to_lowercase();
    for needed in ["not a doctor", "not a diagnosis", "articles", "see a doctor", "worried"] {
        assert!(text.contains(needed), "disclaimer lacks {needed:?}: {text}");
    }
}

/// Junk from the scraped pages reaches neither the index nor any reply.
#[test]
fn site_junk_never_reaches_a_passage_or_a_reply() {
    let engine = engine();
    let junk = [
        "Table of Contents",
        "Share post",
        "More like this",
        "Boubacar",
        "Aston Villa",
        "youtube",
        "subscribe",
        "FastlyHealarticle",
        "FastlyHeal .com",
        "I am a Surgeon",
        "read more articles",
        "Read on and discover",
        "Matiang",
        "Mudavadi",
        "accountants",
    ];
    for passage in &engine.corpus().passages {
        for piece in junk {
            assert!(!passage.text.to_lowercase().contains(&piece.to_lowercase()), "{piece:?} in {passage:?}");
        }
    }
    let questions = ["Who is Boubacar Kamara?", "Tell me the latest tech news", "what is on youtube", "surgeon bio"];
    for question in questions.iter().copied().chain(Topic::ALL.iter().map(|t| t.id())) {
        let reply = plain_text(&engine.answer(question)).to_lowercase();
        for piece in junk {
            assert!(!reply.contains(&piece.to_lowercase()), "{piece:?} in the reply to {question:?}");
        }
    }
}

/// Each lead names passages that back it, and those passages exist once the
/// articles are cleaned: the reply's quotes come from them.
#[test]
fn every_topic_has_backing_passages_in_the_cleaned_articles() {
    let engine = engine();
    for topic in Topic::ANSWERABLE {
        let spec = engine.topic(topic).expect("every answerable topic has a spec");
        assert!(!engine.backing_passages(topic).is_empty(), "{topic} has no backing");
        for fragment in &spec.backing {
            let found = engine.corpus().passages.iter().filter(|p| p.text.contains(&fragment.value)).count();
            assert_eq!(found, 1, "backing {:?} of {topic} is in {found} passages", fragment.value);
        }
        let answer = engine.answer_topic(topic);
        assert!(!answer.quotes.is_empty() && answer.quotes.len() <= 3, "{topic}: {} quotes", answer.quotes.len());
        for quote in &answer.quotes {
            assert!(engine.corpus().passages.iter().any(|p| *p.text == *quote.passage));
            assert!(engine.sources().iter().any(|s| *s.publisher == *quote.publisher && *s.title == *quote.title));
        }
    }
}

/// A backing fragment that is not in the cleaned articles fails loading, naming
/// topics.toml and the line of the fragment.
#[test]
fn a_missing_backing_passage_fails_with_file_and_line() {
    let dir = knowledge_copy("backing");
    let topics = dir.join("topics.toml");
    let text = fs::read_to_string(&topics).unwrap();
    let broken = text.replacen("\"this condition is benign\"", "\"this condition is perfectly harmless\"", 1);
    assert_ne!(text, broken, "the fixture fragment is in topics.toml");
    fs::write(&topics, &broken).unwrap();
    let line = broken.lines().position(|l| l.contains("perfectly harmless")).unwrap() + 1;
    let err = Engine::from_dir(&dir).err().expect("loading must fail");
    let message = err.to_string();
    assert!(message.starts_with(&format!("topics.toml:{line}:")), "{message}");
    assert!(message.contains("not in the cleaned articles"), "{message}");
    fs::remove_dir_all(dir).unwrap();
}

/// Malformed curated files fail with the file, the line and the reason.
#[test]
fn malformed_knowledge_names_the_file_and_line() {
    let cases: [(&str, &str, &str, &str); 4] = [
        ("topics.toml", "[causes]", "[causes]\nlabel = ", "expected"),
        ("topics.toml", "[types", "[typos", "unknown topic `typos`"),
        ("safety.toml", "pattern = '\\b(not breathing", "pattern = '\\b((not breathing", "bad pattern"),
        ("lexicon.toml", "subject = [", "subject = 3\nsubjects = [", "invalid type"),
    ];
    for (file, from, to, reason) in cases {
        let dir = knowledge_copy(&format!("malformed-{}", file.replace('.', "-")));
        let path = dir.join(file);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} has {from:?}");
        fs::write(&path, text.replace(from, to)).unwrap();
        match Engine::from_dir(&dir) {
            Err(Error::Malformed { file: named, line, reason: said, .. }) => {
                assert_eq!(named, file);
                assert!(line > 1, "{file}: line {line}");
                assert!(said.contains(reason), "{file}: {said:?} lacks {reason:?}");
            }
            Err(other) => panic!("{file}: unexpected error {other}"),
            Ok(_) => panic!("{file}: a broken file loaded"),
        }
        fs::remove_dir_all(dir).unwrap();
    }
}

/// A knowledge folder that does not exist is a clear error, not a panic.
#[test]
fn a_missing_knowledge_folder_is_an_error() {
    let err = Engine::from_dir(Path::new("/nonexistent/hypnic/knowledge")).err().expect("must fail");
    assert!(matches!(err, Error::Unreadable { .. }), "{err}");
}

/// The folder and the embedded copy are the same knowledge.
#[test]
fn the_knowledge_folder_answers_like_the_embedded_copy() {
    let from_dir = Engine::from_dir(&knowledge_dir()).unwrap();
    for question in ["are they dangerous", "what causes hypnic jerks", "how are they treated", "hi"] {
        assert_eq!(from_dir.answer(question), engine().answer(question), "{question}");
    }
}

/// Misspelt words still find their topic.
#[test]
fn misspellings_still_match() {
    let cases = [
        ("are sleep spasams dangerus", Topic::Safety),
        ("wat causes hypnik jerks", Topic::Causes),
        ("how is myoclonis treatd", Topic::Treatment),
        ("does cofee make the twiches worse", Topic::Triggers),
    ];
    for (question, topic) in cases {
        assert_eq!(engine().answer(question).topic, topic, "{question}");
    }
}

/// Real words are never "corrected" into domain words.
#[test]
fn real_words_are_not_corrected_into_domain_words() {
    for question in ["how do I stop snoring", "is a cold dangerous", "what about bread"] {
        assert_eq!(engine().answer(question).topic, Topic::OutOfScope, "{question}");
    }
}

/// Questions about something else never hear that it is benign or not dangerous.
#[test]
fn out_of_scope_questions_never_hear_benign() {
    let questions = [
        "Is a heart attack dangerous?",
        "Is a stroke dangerous?",
        "Is epilepsy dangerous?",
        "is caffeine dangerous",
        "Is it safe to drive tired?",
        "my parents snore, are they dangerous?",
        "Who is Boubacar Kamara?",
        "is covid harmful",
        "are vaccines safe",
    ];
    for question in questions {
        assert_out_of_scope_and_never_benign(question);
    }
}

/// Asserts that `question` is out of scope and its reply never calls anything
/// benign or not dangerous.
fn assert_out_of_scope_and_never_benign(question: &str) {
    let answer = engine().answer(question);
    let reply = plain_text(&answer).to_lowercase();
    assert_eq!(answer.topic, Topic::OutOfScope, "{question}");
    assert!(!reply.contains("benign") && !reply.contains("not dangerous"), "{question}: {reply}");
}

/// An everyday movement word ("twitch", "spasm") is about sleep spasms when the
/// question places it in sleep or nowhere, and not when it places it elsewhere:
/// a twitching eyelid, a spasm in the neck, twitches all day at work.
#[test]
fn a_movement_placed_outside_sleep_is_not_about_sleep_spasms() {
    let elsewhere = [
        "are eye twitches dangerous?",
        "my eyelid keeps twitching, is that normal?",
        "are muscle spasms in my neck dangerous",
        "my leg twitches all day at work, is it bad?",
        "is muscle twitching during the day serious",
        "what are the signs of a heart attack",
    ];
    for question in elsewhere {
        assert_out_of_scope_and_never_benign(question);
    }
    assert_eq!(engine().answer("are these twitches dangerous?").topic, Topic::Safety);
    assert_eq!(engine().answer("my legs twitch when I doze off, is it normal?").topic, Topic::Safety);
    assert_eq!(engine().answer("I twitch when I nap during the day, is it normal?").topic, Topic::Safety);
    // Without a movement, "during the day" places nothing.
    assert_eq!(engine().answer("does coffee during the day make them worse?").topic, Topic::Triggers);
}

/// "When are they dangerous?" asks for the warning signs; "when I fall asleep I
/// jerk, is it dangerous?" asks whether they are dangerous.
#[test]
fn a_question_opening_with_when_asks_for_the_warning_signs() {
    assert_eq!(engine().answer("when are sleep spasms dangerous").topic, Topic::SeekCare);
    assert_eq!(engine().answer("at what point is twitching at night serious").topic, Topic::SeekCare);
    assert_eq!(engine().answer("when i fall asleep i jerk, is it dangerous").topic, Topic::Safety);
    assert_eq!(engine().answer("when is a heart attack dangerous").topic, Topic::OutOfScope);
}

/// A filler word inside a phrase does not break it, and chat shorthand is read
/// as the words it stands for.
#[test]
fn fillers_and_shorthand_keep_the_question_readable() {
    assert_eq!(engine().answer("what even is a sleep start").topic, Topic::Definition);
    assert_eq!(engine().answer("y do i get hypnic jerks").topic, Topic::Causes);
    assert_eq!(engine().answer("wat r night jerks").topic, Topic::Definition);
}

/// A question without an explicit subject is about sleep spasms.
#[test]
fn questions_without_a_subject_are_about_sleep_spasms() {
    assert_eq!(engine().answer("are they dangerous?").topic, Topic::Safety);
    assert_eq!(engine().answer("why do they happen").topic, Topic::Causes);
    assert_eq!(engine().answer("how common is it").topic, Topic::Prevalence);
    // Only cues and function words: still about them.
    assert_eq!(engine().answer("dangerous??").topic, Topic::Safety);
    assert_eq!(engine().answer("causes?").topic, Topic::Causes);
    // An everyday word beside the cue is what the question is about.
    assert_eq!(engine().answer("Is high pressure dangerous?").topic, Topic::OutOfScope);
    assert_eq!(engine().answer("is falling dangerous").topic, Topic::OutOfScope);
}

/// An emergency described now wins over everything, even a sleep-spasm question
/// in the same message; a mere mention of seizures is not an emergency.
#[test]
fn emergencies_come_first_and_mentions_are_not_emergencies() {
    let emergencies = [
        "My son is having a seizure right now, are hypnic jerks dangerous?",
        "she is not breathing after a jerk",
        "he hit his head and now he is convulsing",
        "my dad is unconscious",
        "her lips are turning blue",
    ];
    for message in emergencies {
        let answer = engine().answer(message);
        assert_eq!(answer.topic, Topic::Emergency, "{message}");
        assert!(answer.lead.to_lowercase().contains("emergency number"), "{message}");
        assert!(answer.quotes.is_empty());
    }
    let mentions =
        ["Could my sleep twitches be epilepsy?", "what if I have a seizure in my sleep", "I had a seizure last year"];
    for message in mentions {
        let answer = engine().answer(message);
        assert_ne!(answer.topic, Topic::Emergency, "{message}");
        assert!(!plain_text(&answer).to_lowercase().contains("call your local emergency"), "{message}");
    }
}

/// Treatment replies never read as a prescription: a doctor decides.
#[test]
fn treatment_replies_say_only_a_doctor_can_decide() {
    for question in
        ["How are sleep spasms treated?", "what medication helps myoclonus", "Is piracetam used for spasms?"]
    {
        let answer = engine().answer(question);
        assert_eq!(answer.topic, Topic::Treatment, "{question}");
        let lead = answer.lead.to_lowercase();
        assert!(lead.contains("may prescribe") && lead.contains("only a doctor can decide"), "{lead}");
    }
}

/// When two topics score close, the reply answers the best and offers the other.
#[test]
fn a_close_second_topic_is_offered() {
    let answer = engine().answer("what causes them and are they dangerous");
    let offer = answer.also.clone().expect("a second topic is offered");
    assert_ne!(offer.topic, answer.topic);
    assert!(plain_text(&answer).contains(&offer.text));
    assert!(offer.text.contains(&offer.label));
}

/// Every answer has a confidence in [0, 1] and 2–4 related topics unless urgent.
#[test]
fn confidence_is_a_share_and_related_topics_are_offered() {
    for question in ["are they dangerous", "hi", "what's the weather", "", "he is not breathing", "jerks"] {
        let answer = engine().answer(question);
        assert!((0.0..=1.0).contains(&answer.confidence), "{question}: {}", answer.confidence);
        if answer.topic == Topic::Emergency {
            assert!(answer.related.is_empty());
        } else {
            assert!((2..=4).contains(&answer.related.len()), "{question}: {:?}", answer.related);
        }
    }
}

/// The input the issue lists as bad gets a helpful reply, never a panic.
#[test]
fn bad_input_gets_a_helpful_reply() {
    let long = "spasm ".repeat(2_000);
    let inputs = [
        "",
        "   \t\n ",
        &long,
        "🙂😴💤",
        "\u{0}\u{7}\u{1b}[31m",
        "هل التشنجات أثناء النوم خطيرة؟",
        "\u{200B}\u{200D}\u{FEFF}",
        "title:x AND (",
        "body:x AND (",
        "*",
        "\"unbalanced",
        "'''",
    ];
    for input in inputs {
        let answer = engine().answer(input);
        let reply = plain_text(&answer);
        assert!(reply.len() > engine().disclaimer().len() + 20, "{input:?}: {reply}");
        assert!(reply.ends_with(engine().disclaimer()));
    }
    let answer = engine().answer(&long);
    assert!(answer.notice.is_some(), "a cut message says so");
}
