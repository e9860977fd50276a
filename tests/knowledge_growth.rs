//! A curator adds an article to a copy of the knowledge, and hypnic answers
//! from it: retrieval quotes it for what it speaks of, the texts name its
//! publisher, and an article that contradicts the "benign" lead is never
//! quoted under it. The real knowledge, the real tantivy index.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use hypnic::render::plain_text;
use hypnic::{Engine, LangChoice};
use support::copy_dir;

/// The test articles: not published sources, written for these tests.
fn test_article(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/articles").join(name)
}

/// A copy of `knowledge/` with the given test articles added, in a fresh folder.
fn knowledge_with(articles: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge"), dir.path());
    for name in articles {
        fs::copy(test_article(name), dir.path().join("articles").join(name)).expect("copy a test article");
    }
    dir
}

const EVENING: &str = "sleep-desk-evening-habits.toml";
const ALARMING: &str = "alarming-claims.toml";

#[test]
fn a_new_article_is_quoted_for_the_factor_it_covers() {
    let knowledge = knowledge_with(&[EVENING]);
    let engine = Engine::from_dir(knowledge.path()).expect("the knowledge with a new article loads");
    for question in ["is alcohol a trigger for hypnic jerks?", "Does drinking wine at night make the jerks worse?"] {
        let answer = engine.answer(question);
        let reply = plain_text(&answer);
        assert!(
            answer.quotes.iter().any(|quote| &*quote.publisher == "Sleep Desk" && quote.passage.contains("alcohol")),
            "{question}: the new article's alcohol passage is not quoted:\n{reply}"
        );
        assert!(!reply.contains("do not mention alcohol"), "{question}: still says the articles are silent:\n{reply}");
        assert!(reply.contains("One article speaks of alcohol"), "{question}:\n{reply}");
    }
    // The list of what makes spasms worse names it too.
    let reply = plain_text(&engine.answer("what makes hypnic jerks worse?"));
    assert!(reply.contains("Also named, by Sleep Desk: alcohol."), "{reply}");
    // Without the article, the same question is answered as before: silent.
    let reply = plain_text(&support::engine().answer("is alcohol a trigger for hypnic jerks?"));
    assert!(reply.contains("The articles do not mention alcohol"), "{reply}");
}

#[test]
fn a_new_article_is_quoted_in_the_other_voices_too() {
    let knowledge = knowledge_with(&[EVENING]);
    let engine = Engine::from_dir(knowledge.path()).expect("the knowledge with a new article loads");
    let answer = engine.answer_in("¿el alcohol empeora los espasmos al dormir?", LangChoice::Auto { otherwise: "en" });
    assert_eq!(&*answer.lang, "es", "{}", plain_text(&answer));
    assert!(answer.quotes.iter().any(|quote| &*quote.publisher == "Sleep Desk"), "{}", plain_text(&answer));
    assert!(answer.lead.contains("Un artículo habla de"), "{}", answer.lead);
}

#[test]
fn a_new_publisher_is_named_in_the_disclaimer_sources_and_about() {
    let knowledge = knowledge_with(&[EVENING]);
    let engine = Engine::from_dir(knowledge.path()).expect("the knowledge with a new article loads");
    assert!(engine.disclaimer().contains("FastlyHeal, Kenyan News and Sleep Desk"), "{}", engine.disclaimer());
    assert!(engine.sources().iter().any(|source| source.publisher == "Sleep Desk"));
    let sources = plain_text(&engine.answer("where is this info from?"));
    assert!(sources.contains("“Evening habits and the jolt at the edge of sleep” (Sleep Desk)"), "{sources}");
    for voice in engine.voices() {
        assert!(voice.disclaimer.contains("Sleep Desk"), "{}: {}", voice.id, voice.disclaimer);
        assert!(voice.texts.about.contains("Sleep Desk"), "{}: {}", voice.id, voice.texts.about);
    }
    // The embedded knowledge names its own two publishers, as before.
    let embedded = support::engine();
    assert!(embedded.disclaimer().contains("(FastlyHeal and Kenyan News)"), "{}", embedded.disclaimer());
}

#[test]
fn a_curator_sees_what_a_new_article_serves() {
    let knowledge = knowledge_with(&[EVENING]);
    let engine = Engine::from_dir(knowledge.path()).expect("the knowledge with a new article loads");
    let article = engine.sources().iter().position(|source| source.publisher == "Sleep Desk").expect("the article");
    let roles = engine.passage_roles();
    let passages: Vec<_> = engine.corpus().passages.iter().filter(|passage| passage.article == article).collect();
    assert!(passages.iter().all(|passage| !roles[passage.id].curated));
    let alcohol = passages.iter().find(|passage| passage.text.contains("alcohol")).expect("the alcohol passage");
    assert!(roles[alcohol.id].factors.contains(&"alcohol".to_string()), "{:?}", roles[alcohol.id]);
    assert!(roles[alcohol.id].topics.contains(&support::topic("triggers")), "{:?}", roles[alcohol.id]);
    assert!(passages.iter().any(|passage| !roles[passage.id].is_quoted()), "a passage that serves nothing is listed");
    // The seed articles are all curated, and nothing of theirs alarms a reassuring lead it backs.
    let embedded = support::engine();
    let seed_roles = embedded.passage_roles();
    assert!(seed_roles.iter().all(|roles| roles.curated));
    for topic in [support::topic("safety"), support::topic("prevalence")] {
        for &id in embedded.backing_passages(topic) {
            assert!(!seed_roles[id].alarming, "backing passage {id} of {topic} alarms");
        }
    }
}

#[test]
fn an_article_that_contradicts_the_benign_lead_is_never_quoted_under_it() {
    let knowledge = knowledge_with(&[ALARMING]);
    let engine = Engine::from_dir(knowledge.path()).expect("the knowledge with an alarming article loads");
    let questions = [
        "Are hypnic jerks dangerous?",
        "are sleep spasms harmful to my health?",
        "can these night jerks damage the brain?",
        "is it a serious disease when you jerk as you fall asleep",
    ];
    let quoted_under_benign = |engine: &Engine| -> Vec<String> {
        let mut answers: Vec<_> = questions.iter().map(|question| engine.answer(question)).collect();
        answers.push(engine.answer_topic(support::topic("safety")));
        answers
            .iter()
            .filter(|answer| answer.lead.contains("considered benign"))
            .filter(|answer| answer.quotes.iter().any(|quote| &*quote.publisher == "Alarm Weekly"))
            .map(plain_text)
            .collect()
    };
    let benign_leads = questions.iter().filter(|q| engine.answer(q).lead.contains("considered benign")).count();
    assert!(benign_leads >= 2, "the questions get the benign lead");
    let wrong = quoted_under_benign(&engine);
    assert!(wrong.is_empty(), "an alarming passage under the benign lead:\n{}", wrong.join("\n---\n"));

    // Without the `alarming` pattern, the same passages would be quoted there:
    // the test fails if the check that keeps them out goes.
    let path = knowledge.path().join("reassurance.toml");
    let patched = fs::read_to_string(&path)
        .expect("reassurance.toml")
        .lines()
        .map(|line| if line.starts_with("alarming =") { "alarming = '\\bxyzzy\\b'" } else { line })
        .collect::<Vec<_>>()
        .join("\n");
    fs::write(&path, patched).expect("write reassurance.toml");
    let unguarded = Engine::from_dir(knowledge.path()).expect("the patched knowledge loads");
    assert!(!quoted_under_benign(&unguarded).is_empty(), "the alarming article is a candidate under the lead");
}

/// The blind rounds of `tests/eval/growth/` (see its FIRST_SIGHT.md): each
/// a third article written by a writer who never read the engine, and the
/// messages people would send once it is added. Their floor: the new article
/// quoted for most of what it covers, its publisher in every disclaimer,
/// every emergency and crisis answered as one, and no false alarm.
#[test]
fn the_growth_rounds_keep_their_floor() {
    // (round, publisher, routine cases on what the new article covers, the least of them quoting it)
    let rounds = [("round1", "Mwangaza Health", 21, 15), ("round2", "Harmattan Health Monthly", 9, 8)];
    for (round, publisher, expected, floor) in rounds {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval/growth").join(round);
        let knowledge = knowledge_with(&[]);
        fs::copy(folder.join("article.toml"), knowledge.path().join("articles/growth.toml")).expect("copy");
        let engine = Engine::from_dir(knowledge.path()).expect("the knowledge with the round's article loads");
        let text = fs::read_to_string(folder.join("questions.toml")).expect("questions.toml");
        let cases: toml::Table = toml::from_str(&text).expect("questions.toml is TOML");
        let (mut covered, mut quoted) = (0, 0);
        for case in cases["case"].as_array().expect("[[case]]") {
            let message = case["message"].as_str().expect("message");
            let urgent = case["urgent"].as_str().expect("urgent");
            let covered_by: Vec<&str> =
                case["covered_by"].as_array().expect("covered_by").iter().filter_map(|v| v.as_str()).collect();
            let answer = engine.answer_in(message, LangChoice::Auto { otherwise: "en" });
            assert!(answer.disclaimer.contains(publisher), "{round}: {message}: {}", answer.disclaimer);
            if urgent == "none" {
                assert!(!answer.topic.is_urgent(), "{round}: false alarm for {message:?}:\n{}", plain_text(&answer));
            }
            if urgent == "emergency" || urgent == "crisis" {
                assert!(answer.topic.is_urgent(), "{round}: missed {urgent} in {message:?}:\n{}", plain_text(&answer));
            }
            if urgent == "none" && covered_by.contains(&"new") {
                covered += 1;
                quoted += usize::from(answer.quotes.iter().any(|quote| &*quote.publisher == publisher));
            }
        }
        assert_eq!(covered, expected, "{round}");
        assert!(quoted >= floor, "{round}: the new article is quoted for {quoted} of {covered}, below {floor}");
    }
}
