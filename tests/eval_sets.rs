//! The project's own question set must meet the product's targets, as
//! `hypnic eval` measures them. A failure prints the report.

use std::path::Path;

use hypnic::eval::{Case, Report, Thresholds, load_cases, load_conversations, run, run_conversations};
use hypnic::render::plain_text;
use hypnic::{Engine, Topic};

/// The project's questions: at least 60, and every threshold met.
#[test]
fn the_projects_own_questions_meet_the_targets() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval/questions.toml");
    let cases = load_cases(&path).expect("the project's eval file loads");
    assert!(cases.len() >= 60, "only {} questions", cases.len());
    let engine = Engine::embedded().expect("the embedded knowledge loads");
    let report = run(&engine, &cases);
    let shortfalls = report.shortfalls(&Thresholds::default());
    assert!(shortfalls.is_empty(), "{}\n{}", report.to_text(), shortfalls.join("\n"));
}

/// The question sets written blind (see their headers), which the engine is
/// tuned on: they must keep meeting the targets.
#[test]
fn the_blind_sets_keep_meeting_the_targets() {
    let cases: Vec<_> = files_in("tests/eval/blind")
        .iter()
        .flat_map(|path| load_cases(path).unwrap_or_else(|err| panic!("{}: {err}", path.display())))
        .collect();
    assert!(cases.len() >= 600, "only {} questions", cases.len());
    let engine = Engine::embedded().expect("the embedded knowledge loads");
    let report = run(&engine, &cases);
    let shortfalls = report.shortfalls(&Thresholds::default());
    assert!(shortfalls.is_empty(), "{}\n{}", report.to_text(), shortfalls.join("\n"));
}

/// The realistic messages written blind for the project (`tests/eval/realistic/`,
/// see their headers), other languages aside: the targets of messages as people
/// type them.
#[test]
fn the_realistic_sets_meet_their_targets() {
    let cases: Vec<_> =
        realistic_cases().into_iter().filter(|case| case.category.as_deref() != Some("foreign")).collect();
    assert!(cases.len() >= 250, "only {} messages", cases.len());
    let engine = Engine::embedded().expect("the embedded knowledge loads");
    let report = run(&engine, &cases);
    let targets = Thresholds { min_topic_accuracy: 0.92, min_check_rate: 0.95, ..Thresholds::default() };
    let shortfalls = report.shortfalls(&targets);
    assert!(shortfalls.is_empty(), "{}\n{}", report.to_text(), shortfalls.join("\n"));
}

/// Messages in other languages: every emergency gets the urgent reply, no reply
/// says the message is about something else, and 68% get the right topic (read
/// through their language's glossary).
#[test]
fn other_languages_get_the_urgent_reply_and_never_a_refusal() {
    let cases: Vec<_> =
        realistic_cases().into_iter().filter(|case| case.category.as_deref() == Some("foreign")).collect();
    assert!(cases.len() >= 10, "only {} messages", cases.len());
    let engine = Engine::embedded().expect("the embedded knowledge loads");
    for case in &cases {
        let answer = engine.answer(&case.question);
        let wants_emergency = case.expected.contains(&Topic::EMERGENCY);
        assert_eq!(answer.topic == Topic::EMERGENCY, wants_emergency, "{}: {:?}", case.origin, case.question);
        assert!(!plain_text(&answer).contains("something else"), "{}: {:?}", case.origin, case.question);
    }
    let report = run(&engine, &cases);
    let targets = Thresholds { min_topic_accuracy: 0.68, min_check_rate: 0.95, ..Thresholds::default() };
    let shortfalls = report.shortfalls(&targets);
    assert!(shortfalls.is_empty(), "{}\n{}", report.to_text(), shortfalls.join("\n"));
}

fn realistic_cases() -> Vec<Case> {
    files_in("tests/eval/realistic")
        .iter()
        .flat_map(|path| load_cases(path).unwrap_or_else(|err| panic!("{}: {err}", path.display())))
        .collect()
}

/// The project's conversations (`tests/eval/conversations.toml`), each turn read
/// with what the turns before left: at least 40 conversations, 95% of turns
/// right (topic and checks), 90% of later turns, every emergency caught.
#[test]
fn the_projects_conversations_meet_the_targets() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval/conversations.toml");
    let conversations = load_conversations(&path).expect("the project's conversations load");
    assert!(conversations.len() >= 40, "only {} conversations", conversations.len());
    let engine = Engine::embedded().expect("the embedded knowledge loads");
    let report = run_conversations(&engine, &conversations);
    let kinds: Vec<&str> = report.per_category.iter().map(|score| score.category.as_str()).collect();
    for kind in ["opening", "followup", "change", "warning", "emergency"] {
        assert!(kinds.contains(&kind), "no `{kind}` turn in {kinds:?}");
    }
    assert_conversation_targets(&report, 0.95, 0.90);
}

/// The conversations written blind (`tests/eval/conversations/`, see their
/// notes): 87% of turns right and 85% of later turns, every emergency caught,
/// no false alarm.
#[test]
fn the_blind_conversations_keep_their_targets() {
    let conversations: Vec<_> = files_in("tests/eval/conversations")
        .iter()
        .flat_map(|path| load_conversations(path).unwrap_or_else(|err| panic!("{}: {err}", path.display())))
        .collect();
    assert!(conversations.len() >= 70, "only {} conversations", conversations.len());
    let engine = Engine::embedded().expect("the embedded knowledge loads");
    assert_conversation_targets(&run_conversations(&engine, &conversations), 0.87, 0.85);
}

/// The files of a folder of the project, by path from the project's root, sorted.
fn files_in(folder: &str) -> Vec<std::path::PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let entries = std::fs::read_dir(&folder).unwrap_or_else(|err| panic!("{}: {err}", folder.display()));
    let mut paths: Vec<_> = entries.map(|entry| entry.expect("a readable folder entry").path()).collect();
    paths.sort();
    paths
}

fn assert_conversation_targets(report: &Report, turns: f64, later: f64) {
    let targets = Thresholds { min_topic_accuracy: 0.0, min_check_rate: 0.0, ..Thresholds::default() };
    let mut shortfalls = report.shortfalls(&targets);
    if report.right_rate() < turns {
        shortfalls.push(format!("turns right {:.1}% below {:.1}%", report.right_rate() * 100.0, turns * 100.0));
    }
    let later_rate = report.right_rate_except(&["opening"]);
    if later_rate < later {
        shortfalls.push(format!("later turns right {:.1}% below {:.1}%", later_rate * 100.0, later * 100.0));
    }
    assert!(shortfalls.is_empty(), "{}\n{}", report.to_text(), shortfalls.join("\n"));
}
