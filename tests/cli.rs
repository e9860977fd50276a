//! The `hypnic` binary as a user runs it: real processes, real stdin and stdout.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn hypnic() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hypnic"));
    command.env_remove("TELOXIDE_TOKEN").env_remove("TELOXIDE_API_URL");
    // Run from a folder without knowledge/: the embedded copy must be used.
    command.current_dir(std::env::temp_dir());
    command
}

fn run_with_stdin(mut command: Command, stdin: &[u8]) -> Output {
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn disclaimer() -> String {
    hypnic::Engine::embedded().unwrap().disclaimer().to_string()
}

/// `hypnic ask "QUESTION"` prints the reply, disclaimer last, from any folder.
#[test]
fn ask_prints_the_reply_from_any_directory() {
    let output = hypnic().args(["ask", "Are sleep spasms dangerous?"]).output().unwrap();
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(text.contains("benign"), "{text}");
    assert!(text.trim_end().ends_with(&disclaimer()), "{text}");
}

/// `hypnic ask --json` reads stdin and prints exactly one JSON object per input
/// line, blank lines, junk and invalid UTF-8 included.
#[test]
fn ask_json_prints_one_object_per_input_line() {
    let mut input = b"Are they dangerous?\n\nhi\n\xff\xfe broken utf8\ntitle:x AND (\n\x07\x1b[31m\n".to_vec();
    input.extend("🙂🙂\n".as_bytes());
    input.extend(format!("{}\n", "junk ".repeat(800)).as_bytes());
    input.extend(b"my son is having a seizure right now");
    let lines = 9;
    let mut command = hypnic();
    command.args(["ask", "--json"]);
    let output = run_with_stdin(command, &input);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = stdout(&output);
    let objects: Vec<serde_json::Value> =
        text.lines().map(|line| serde_json::from_str(line).expect("each line is JSON")).collect();
    assert_eq!(objects.len(), lines, "{text}");
    let disclaimer = disclaimer();
    for object in &objects {
        for field in ["question", "topic", "confidence", "reply", "disclaimer", "sources"] {
            assert!(object.get(field).is_some(), "{field} missing in {object}");
        }
        assert_eq!(object["disclaimer"], disclaimer.as_str());
        assert!(object["reply"].as_str().unwrap().ends_with(&disclaimer));
        let confidence = object["confidence"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&confidence));
    }
    assert_eq!(objects[0]["topic"], "safety");
    let source = &objects[0]["sources"][0];
    for field in ["title", "publisher", "passage"] {
        assert!(source[field].as_str().is_some_and(|s| !s.is_empty()), "{source}");
    }
    assert_eq!(objects[8]["topic"], "emergency");
}

/// `hypnic chat` works through a pipe: help, an answer, sources, quit.
#[test]
fn chat_answers_through_a_pipe() {
    let mut command = hypnic();
    command.arg("chat");
    let output = run_with_stdin(command, b"/help\nwhy do they happen?\n/sources\n/quit\nnever read\n");
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(text.contains("/quit"), "help is printed: {text}");
    assert!(text.contains("motor system"), "the question is answered: {text}");
    assert!(text.contains("FastlyHeal") && text.contains("Kenyan News"), "sources are listed: {text}");
    assert!(!text.contains("never read"));
}

/// `hypnic chat` runs the warning-sign check with typed answers: back goes to
/// the previous question, a question in between is answered as usual, and the
/// summary quotes the articles and ends with the disclaimer.
#[test]
fn chat_runs_the_check_with_typed_answers() {
    let mut command = hypnic();
    command.arg("chat");
    let input = "/check\nyes\nback\nno\nwhat causes them?\nno\nnot sure\nno\nno\nno\nno\n/check\nstop\n";
    let output = run_with_stdin(command, input.as_bytes());
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(text.contains("Question 1 of 7") && text.contains("(yes / no / not sure / back / stop)"), "{text}");
    assert_eq!(text.matches("Question 1 of 7").count(), 3, "started, back, started again: {text}");
    assert!(text.contains("motor system"), "the question in between is answered: {text}");
    assert!(
        text.contains("None of your answers was a yes, but you were not sure whether a jerk has injured"),
        "{text}"
    );
    assert!(text.contains("“They may indicate central nervous system disorders such as epilepsy, metabolic problems, or drug reactions. When they offer some kind of risk, it is necessary to seek medical attention.” (Kenyan News)"), "{text}");
    assert!(!text.contains("benign. That is"), "not sure is no all-clear: {text}");
    let summary_end = text.find(&disclaimer()).expect("the summary ends with the disclaimer");
    assert!(text[summary_end..].contains("Check stopped."), "{text}");
}

/// `hypnic chat --json` prints one object per line with the fields of `ask
/// --json`, and reads each line with the ones before; `/start` forgets them.
#[test]
fn chat_json_keeps_the_conversation_across_lines() {
    let mut command = hypnic();
    command.args(["chat", "--json"]);
    let input = "my 4 month old jerks when she falls asleep\nis it dangerous?\n/start\nis it dangerous?\n\
                 what makes them worse\nand coffee?\nwho won the football?\n";
    let output = run_with_stdin(command, input.as_bytes());
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let objects: Vec<serde_json::Value> =
        stdout(&output).lines().map(|line| serde_json::from_str(line).expect("one JSON object per line")).collect();
    assert_eq!(objects.len(), 7);
    for object in &objects {
        for field in ["question", "topic", "confidence", "reply", "disclaimer", "sources", "related"] {
            assert!(object.get(field).is_some(), "{field} missing from {object}");
        }
    }
    let reply = |index: usize| objects[index]["reply"].as_str().unwrap_or_default().to_lowercase();
    // The baby of the first line is still the subject of the second.
    assert_eq!(objects[1]["topic"], "seek_care");
    assert!(!reply(1).contains("benign"), "{}", reply(1));
    // After /start the same question is about sleep spasms in general.
    assert_eq!(objects[3]["topic"], "safety");
    assert!(reply(3).contains("benign"));
    assert_eq!(objects[5]["topic"], "triggers");
    assert!(reply(5).contains("caffeine"));
    assert_eq!(objects[6]["topic"], "out_of_scope");
}

/// `hypnic eval` scores conversation files turn by turn.
#[test]
fn eval_scores_conversations() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval/conversations.toml");
    let output = hypnic().arg("eval").arg(&file).output().expect("hypnic runs");
    let text = stdout(&output);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("later turns right"), "{text}");
    assert!(text.contains("followup"), "per kind: {text}");
}

/// Without a subcommand and without TELOXIDE_TOKEN, hypnic chats.
#[test]
fn no_subcommand_and_no_token_means_chat() {
    let output = run_with_stdin(hypnic(), b"how common are hypnic jerks\n");
    assert!(output.status.success());
    assert!(stdout(&output).contains("70%"));
}

/// `hypnic eval` passes on the project's questions and exits 1 below a threshold.
#[test]
fn eval_reports_and_exits_by_threshold() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval/questions.toml");
    let output = hypnic().arg("eval").arg(&file).output().unwrap();
    let text = stdout(&output);
    assert!(output.status.success(), "{text}");
    for part in [
        "per-topic accuracy",
        "confusion matrix",
        "emergency and crisis recall",
        "false alarms",
        "harmful replies",
        "disclaimer",
    ] {
        assert!(text.contains(part), "{part} missing:\n{text}");
    }
    let failing = hypnic().arg("eval").arg(&file).args(["--min-topic-accuracy", "1.01"]).output().unwrap();
    assert_eq!(failing.status.code(), Some(1));
    let json = hypnic().arg("eval").arg(&file).arg("--json").output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("eval --json is JSON");
    assert_eq!(report["passed"], true);
    assert!(report["report"]["cases"].as_u64().unwrap() >= 60);
}

/// `hypnic index` shows what cleaning kept and, on request, what it dropped.
#[test]
fn index_shows_kept_and_dropped_text() {
    let output = hypnic().args(["index", "--dropped"]).output().unwrap();
    assert!(output.status.success());
    let text = stdout(&output);
    for part in ["passages kept", "FastlyHeal", "Kenyan News", "More like this", "author bio", "promo line"] {
        assert!(text.contains(part), "{part} missing:\n{text}");
    }
}

/// A broken knowledge folder: exit code 2 and the file and line on stderr.
#[test]
fn broken_knowledge_exits_2_with_file_and_line() {
    let dir = std::env::temp_dir().join(format!("hypnic-cli-broken-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("articles")).unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    for entry in fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
    for entry in fs::read_dir(source.join("articles")).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, dir.join("articles").join(path.file_name().unwrap())).unwrap();
    }
    fs::write(dir.join("texts.toml"), "disclaimer = \"x\"\nemergency = [\n").unwrap();
    let output = hypnic().arg("--knowledge").arg(&dir).args(["ask", "hi"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("texts.toml:"), "{error}");
    fs::remove_dir_all(dir).unwrap();
}
