//! The `hypnic` binary as deployed: with `TELOXIDE_TOKEN` set and no
//! subcommand it runs the bot, logs at the default level without the token,
//! the question or the person (as text, or as one JSON object per line with
//! `--log-format json`), exits 0 on SIGTERM, and exits non-zero when the bot
//! cannot start. `/healthz` says 503 until it serves.

mod support;

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use support::{Failure, FakeBotApi, TOKEN, WAIT, chat, message, next_message_id};

/// Words that must never reach the log.
const QUESTION: &str = "Why does my leg twitch at night, asks Zelda Quixote?";
const PERSON_ID: i64 = 987_654_321;

fn read_all(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut output = String::new();
        let _ = pipe.read_to_string(&mut output);
        output
    })
}

/// The binary with the bot's environment, against `api`, its output piped.
fn start_binary(api: &FakeBotApi) -> Child {
    start_binary_with(api, &[])
}

/// As [`start_binary`], with these arguments.
fn start_binary_with(api: &FakeBotApi, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_hypnic"))
        .args(args)
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", api.url())
        .env("XDG_STATE_HOME", api.state_home())
        .env_remove("STATE_DIRECTORY")
        .env_remove("RUST_LOG")
        .env_remove("TELOXIDE_PROXY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the hypnic binary starts")
}

/// How `child` exited; it is killed, and the test fails, if it has not within [`WAIT`].
async fn wait_for_exit(child: &mut Child, when: &str) -> ExitStatus {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the bot did not exit {when}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Runs the binary with `args` through two questions from one person, the
/// first reply refused by Telegram, then SIGTERM; asserts it exits 0 and
/// returns its stdout and stderr.
async fn answer_twice_then_sigterm(args: &[&str]) -> (String, String) {
    let api = FakeBotApi::start().await;
    // The first reply is refused, so the error path is logged too.
    api.fail_next("sendMessage", 1, Failure::BadRequest("Bad Request: can't parse entities: Unsupported start tag"));
    let mut child = start_binary_with(&api, args);
    let stdout = read_all(child.stdout.take().expect("piped stdout"));
    let stderr = read_all(child.stderr.take().expect("piped stderr"));

    api.wait_for("the bot to poll", WAIT, |calls| calls.iter().any(|c| c.method == "getUpdates").then_some(())).await;
    let alice = json!({"id": PERSON_ID, "is_bot": false, "first_name": "Zelda", "last_name": "Quixote", "username": "zquixote"});
    for text in [QUESTION, QUESTION] {
        api.push(json!({"message": message(next_message_id(), chat(PERSON_ID), alice.clone(), json!({"text": text}))}));
    }
    // A refused answer and its apology, then the second answer.
    api.wait_for("three sendMessage calls", WAIT, |calls| {
        (calls.iter().filter(|c| c.method == "sendMessage").count() >= 3).then_some(())
    })
    .await;

    let pid = i32::try_from(child.id()).expect("a pid fits in i32");
    // SAFETY: kill(2) with a valid pid and signal has no memory-safety preconditions.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0, "SIGTERM sent");
    let status = wait_for_exit(&mut child, "after SIGTERM").await;
    let (stdout, stderr) = (stdout.join().expect("stdout reader"), stderr.join().expect("stderr reader"));
    assert_eq!(status.code(), Some(0), "exit status; output:\n{stdout}{stderr}");
    (stdout, stderr)
}

/// Fails if the token, the question's words or anything naming the person is in `output`.
fn assert_private(output: &str) {
    let (_, token_secret) = TOKEN.split_once(':').expect("id:secret");
    for secret in [TOKEN, token_secret, "Zelda", "Quixote", "zquixote", "twitch", &PERSON_ID.to_string()] {
        assert!(!output.contains(secret), "`{secret}` is in the log:\n{output}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_never_logs_the_token_the_question_or_the_person_and_exits_0_on_sigterm() {
    let (stdout, stderr) = answer_twice_then_sigterm(&[]).await;
    let output = format!("{stdout}{stderr}");
    assert!(output.contains("update handled"), "one line per update is logged:\n{output}");
    assert!(output.contains("reply failed"), "the refusal is logged:\n{output}");
    assert_private(&output);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_are_one_object_per_line_with_the_same_privacy() {
    let (stdout, stderr) = answer_twice_then_sigterm(&["telegram", "--log-format", "json"]).await;
    assert!(stdout.is_empty(), "the log goes to stderr only; stdout:\n{stdout}");
    let mut messages = Vec::new();
    for line in stderr.lines() {
        let event: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|error| panic!("not JSON ({error}): {line}\nlog:\n{stderr}"));
        assert!(event.is_object(), "not a JSON object: {line}");
        assert!(event["timestamp"].is_string() && event["level"].is_string(), "no timestamp or level: {line}");
        let message = event["fields"]["message"].as_str().unwrap_or_else(|| panic!("no fields.message: {line}"));
        messages.push(message.to_string());
    }
    for expected in ["update handled", "reply failed"] {
        assert!(messages.iter().any(|message| message == expected), "no `{expected}` event:\n{stderr}");
    }
    let handled = stderr.lines().find(|line| line.contains("update handled")).expect("an update handled line");
    let handled: serde_json::Value = serde_json::from_str(handled).expect("JSON");
    assert!(handled["fields"]["update"].is_number(), "the update's fields are JSON fields: {handled}");
    assert_private(&stderr);
}

/// A bot whose dispatcher cannot start (teloxide's own `getMe` fails after the
/// start-up's succeeded) exits non-zero, so a supervisor that restarts failed
/// services restarts it, and it fetched no update it would not answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_whose_dispatcher_cannot_start_exits_non_zero() {
    let api = FakeBotApi::start().await;
    // A rate-limited setMyCommands holds start-up for a second: time to make
    // every getMe after the first one fail.
    api.fail_next("setMyCommands", 1, Failure::TooManyRequests { retry_after: 1 });
    let mut child = start_binary(&api);
    let stderr = read_all(child.stderr.take().expect("piped stderr"));
    api.wait_for("a rate-limited setMyCommands", WAIT, |calls| {
        calls.iter().any(|c| c.method == "setMyCommands").then_some(())
    })
    .await;
    api.fail_next("getMe", 100, Failure::BadRequest("Bad Request: not now"));
    let status = wait_for_exit(&mut child, "when its dispatcher could not start").await;
    let output = stderr.join().expect("stderr reader");
    assert_eq!(api.calls_to("getMe").len(), 2, "start-up's getMe, then the dispatcher's:\n{output}");
    assert!(!status.success() && status.code().is_some(), "exit status {status:?}; output:\n{output}");
    assert!(output.contains("dispatcher could not start"), "the cause is printed:\n{output}");
    assert!(api.calls_to("getUpdates").is_empty(), "nothing fetched");
}

/// A bot whose chat state's Redis cannot be reached does not start: it exits
/// non-zero, says why, and shows the server but never its password.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_whose_redis_cannot_be_reached_exits_non_zero_without_showing_the_password() {
    let api = FakeBotApi::start().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|s| s.local_addr()).expect("a free port").port();
    let storage = format!("redis://:Secr3t-redis-pw@127.0.0.1:{port}/0");
    let mut child = start_binary_with(&api, &["telegram", "--storage", &storage]);
    let stderr = read_all(child.stderr.take().expect("piped stderr"));
    let status = wait_for_exit(&mut child, "when its Redis could not be reached").await;
    let output = stderr.join().expect("stderr reader");
    assert!(!status.success() && status.code().is_some(), "exit status {status:?}; output:\n{output}");
    assert!(
        output.contains(&format!("cannot connect to the chat state's Redis at redis://[redacted]@127.0.0.1:{port}/0")),
        "{output}"
    );
    assert!(!output.contains("Secr3t"), "the password is in the output:\n{output}");
    assert!(api.calls_to("getUpdates").is_empty(), "nothing fetched");

    // A mistyped storage is refused without being echoed.
    let mut child = start_binary_with(&api, &["telegram", "--storage", "rediss//:Secr3t@host"]);
    let stderr = read_all(child.stderr.take().expect("piped stderr"));
    let status = wait_for_exit(&mut child, "with a bad --storage").await;
    let output = stderr.join().expect("stderr reader");
    assert!(!status.success() && status.code().is_some(), "exit status {status:?}; output:\n{output}");
    assert!(output.contains("--storage") && !output.contains("Secr3t"), "{output}");
}

/// With `--metrics-listen`, `/healthz` answers 503 while `getMe` keeps failing
/// (the bot is starting), 200 once it polls, and `/metrics` parses as
/// Prometheus text; after SIGTERM the bot exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_is_503_while_starting_and_200_once_serving() {
    let api = FakeBotApi::start().await;
    // Three getMe calls whose connection drops hold start-up for 0.5 + 1 + 2 s
    // of backoff. (Not 500s: teloxide waits 10 s after each before reading it.)
    api.fail_next("getMe", 3, Failure::Dropped);
    let port = support::bound_socket().local_addr().expect("a bound address").port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = start_binary_with(&api, &["telegram", "--metrics-listen", &format!("127.0.0.1:{port}")]);
    let stderr = read_all(child.stderr.take().expect("piped stderr"));

    let mut seen = Vec::new();
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if let Ok((status, body)) = support::http_get(&format!("{base}/healthz")).await {
            if seen.last() != Some(&(status, body.clone())) {
                seen.push((status, body));
            }
            if status == 200 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let failed_get_me = api.calls_to("getMe").iter().filter(|call| !call.ok()).count();
    assert_eq!(failed_get_me, 3, "start-up waited out the failing getMe");
    assert_eq!(seen, [(503, "starting".to_string()), (200, "serving".to_string())], "/healthz over time");
    // "serving" is set just before the first getUpdates is sent: on a busy
    // machine the call may land a moment after /healthz answers.
    let polled =
        api.wait_for("the bot to poll", WAIT, |calls| calls.iter().any(|c| c.method == "getUpdates").then_some(()));
    polled.await;
    assert!(!api.calls_to("getUpdates").is_empty(), "serving means polling");
    let (status, text) = support::http_get(&format!("{base}/metrics")).await.expect("/metrics answers");
    assert_eq!(status, 200);
    let samples = support::metrics_text::parse(&text).unwrap_or_else(|problem| panic!("{problem}\n{text}"));
    assert!(samples.iter().any(|sample| sample.name == "hypnic_engine_seconds_count"), "{text}");

    let pid = i32::try_from(child.id()).expect("a pid fits in i32");
    // SAFETY: kill(2) with a valid pid and signal has no memory-safety preconditions.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0, "SIGTERM sent");
    let status = wait_for_exit(&mut child, "after SIGTERM").await;
    assert_eq!(status.code(), Some(0), "exit status; log:\n{}", stderr.join().expect("stderr reader"));
}
