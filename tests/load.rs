//! Short versions of the load, fault and restart scenarios, run against the
//! real `hypnic` binary and the fake Bot API by the harness in
//! `support/load`. They check correctness only (no reply lost or duplicated,
//! exit codes, abuse rejected with a 4xx), never timings: the numbers come from
//! `cargo bench --bench load`. Every wait is bounded and fails with the report.

#[path = "support/load/mod.rs"]
mod load;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hypnic::conversation::now_secs;
use hypnic::telegram::chats::ChatMemory;
use hypnic::{ChatContext, Engine};
use load::bot_process::supports_send_attempts;
use load::fake_bot_api::{Fetch, UpdateQueue};
use load::faults::Fault;
use load::plan::{Chats, Turn, eval_files, load_questions, user_id};
use load::session::{Session, SessionSpec, Transport};
use load::{Options, Report, Scenario};
use teloxide::types::ChatId;

/// Short runs: correctness, not numbers.
fn ci() -> Options {
    Options {
        users: 10,
        questions: 10,
        warmup: 0,
        webhook_connections: 8,
        fault_users: 25,
        fault_questions: 2,
        abuse_requests: 1_000,
        abuse_spread: Duration::from_secs(2),
        trickle_every: Duration::from_secs(1),
        idle: Duration::from_secs(30),
        fault_idle: Duration::from_secs(120),
        ..Options::bench()
    }
}

/// Runs `scenario` and fails with its whole report if a correctness check
/// failed (timing targets are left out).
async fn run(scenario: Scenario, options: Options) -> Report {
    let report = match scenario.run(&options).await {
        Ok(report) => report,
        Err(error) => panic!("the {} scenario could not run: {error:#}", scenario.name()),
    };
    let failures: Vec<String> = report
        .checks()
        .iter()
        .filter(|check| !check.timing && !check.met)
        .map(|check| format!("{}: wanted {}, got {}", check.name, check.target, check.measured))
        .collect();
    assert!(failures.is_empty(), "{} failed: {failures:?}\n{}", scenario.name(), report.text());
    report
}

#[tokio::test]
async fn the_fake_get_updates_confirms_below_the_offset_and_caps_at_the_limit() {
    let queue = UpdateQueue::new();
    for _ in 0..5 {
        queue.push(r#"{"message":{}}"#);
    }
    let ids = |body: String| -> Vec<i64> {
        let value: serde_json::Value = serde_json::from_str(&body).expect("getUpdates answers JSON");
        value["result"].as_array().expect("a result array").iter().filter_map(|u| u["update_id"].as_i64()).collect()
    };
    assert_eq!(ids(queue.fetch(Fetch { limit: Some(2), ..Fetch::default() }).await), [1, 2]);
    assert_eq!(ids(queue.fetch(Fetch { offset: 3, ..Fetch::default() }).await), [3, 4, 5], "offset 3 confirms 1 and 2");
    assert_eq!(
        ids(queue.fetch(Fetch { offset: -1, ..Fetch::default() }).await),
        [5],
        "a negative offset keeps the last"
    );
    // Nothing left: a long poll is woken by the next update.
    let waiting = queue.fetch(Fetch { offset: 6, timeout: Some(10), ..Fetch::default() });
    let push = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        queue.push(r#"{"message":{}}"#);
    };
    let (body, ()) = tokio::join!(waiting, push);
    assert_eq!(ids(body), [6]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_load_gets_exactly_one_reply_per_question() {
    run(Scenario::Polling, ci()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_chats_with_sqlite_state_get_exactly_one_reply_per_question() {
    run(Scenario::Polling, Options { chats: Chats::Private, ..ci() }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_chats_with_redis_state_get_exactly_one_reply_per_question() {
    run(Scenario::PollingRedis, ci()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_load_gets_exactly_one_reply_per_question() {
    run(Scenario::Webhook, ci()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_20_percent_of_calls_failing_every_question_still_gets_exactly_one_reply() {
    assert!(supports_send_attempts(), "the fault scenario needs `hypnic telegram --send-attempts`");
    // Few questions: each 5xx costs teloxide 10 s, and a stuck reply holds back
    // the confirmation of every later update.
    let options = Options { fault_users: 25, fault_questions: 2, fault_rate: 0.2, send_attempts: 20, ..ci() };
    let report = run(Scenario::Faults, options).await;
    let faults = report.faults.as_ref().expect("the fault scenario reports its faults");
    for (kind, count) in Fault::ALL.iter().zip(faults.counts) {
        assert!(
            count > 0,
            "no {} fault was injected; the test proved less than it says\n{}",
            kind.name(),
            report.text()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_sigkill_mid_load_a_restarted_bot_answers_every_question() {
    let report = run(Scenario::Sigkill, ci()).await;
    let interruption = report.interruption.as_ref().expect("the bot was interrupted");
    assert!(interruption.exit.is_some(), "the killed bot was reaped\n{}", report.text());
    // Duplicates are allowed (at least once) and reported.
    eprintln!("sigkill: {} duplicated replies", report.tally.duplicated);
}

/// The chats' SQLite file in the state folder the fake API gave the bot.
fn chats_file(state_home: &Path) -> PathBuf {
    let folder = state_home.join("hypnic");
    let entries = std::fs::read_dir(&folder).unwrap_or_else(|error| panic!("{}: {error}", folder.display()));
    let files = entries.filter_map(|entry| Some(entry.ok()?.path()));
    files
        .into_iter()
        .find(|path| path.to_string_lossy().ends_with(".chats.sqlite"))
        .unwrap_or_else(|| panic!("no chats file in {}", folder.display()))
}

/// `context` with its times left out: the bot's clock and this test's differ.
fn timeless(mut context: ChatContext) -> ChatContext {
    context.updated_at = 0;
    if let Some(check) = context.check.as_mut() {
        check.updated_at = 0;
    }
    context
}

/// A bot killed mid-load in private chats has kept, in its SQLite state, the
/// context of every message it answered: each chat holds the context after
/// its last answered question, or after the next one (asked, its context
/// kept, its reply not sent when the kill came), never an older one. Replies
/// are sent only once their chat's context is committed, so the state of a
/// restarted bot never lags behind what its users were told.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_killed_mid_load_has_kept_the_context_of_every_message_it_answered() {
    let (users, per_user) = (20, 20);
    let questions: Arc<[String]> = load_questions(&eval_files()).expect("the eval questions load").into();
    let spec = SessionSpec {
        transport: Transport::Polling,
        faults: None,
        send_attempts: None,
        webhook_connections: 1,
        questions,
        bot_env: Vec::new(),
        chats: Chats::Private,
        storage: None,
    };
    let mut session = Session::start(spec).await.expect("the bot starts");
    let traffic = session.phase(users, per_user);
    traffic.start();
    let idle = ci().idle;
    let started = traffic.wait_answered(users * per_user / 3, idle, idle * 4).await;
    assert!(started, "the bot answered too little before the kill: {:?}", traffic.ledger().tally());
    let killed = session.stop_bot(libc::SIGKILL, Duration::from_secs(30)).await;
    assert!(killed.is_some_and(|exit| exit.code.is_none()), "the bot was killed: {killed:?}");

    let memory = ChatMemory::sqlite(&chats_file(session.api().state_home())).await.expect("the state file opens");
    let engine = Engine::embedded().expect("the embedded knowledge loads");
    let now = now_secs();
    let mut in_flight = 0;
    for user in 0..users {
        let answered = traffic.private_replies(user);
        // The contexts after 0, 1, ... questions, as the bot's engine keeps them.
        let mut contexts = vec![ChatContext::default()];
        for index in 0..(answered + 1).min(per_user) {
            let question = traffic.plan().question(Turn { user, index });
            let before = contexts.last().expect("at least the first");
            contexts.push(engine.reply(question, before, now).context);
        }
        let kept = timeless(memory.recall(ChatId(user_id(user)), now).await);
        let allowed: Vec<ChatContext> = contexts[answered..].iter().cloned().map(timeless).collect();
        assert!(
            allowed.contains(&kept),
            "user {user}, {answered} questions answered: kept {kept:?}, wanted one of {allowed:?}"
        );
        in_flight += usize::from(allowed.len() > 1 && kept == allowed[1]);
    }
    eprintln!(
        "killed with {} answered; {in_flight} chats had kept the question in flight",
        traffic.ledger().answered()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_load_exits_0_and_a_restart_answers_the_rest_exactly_once() {
    run(Scenario::Sigterm, ci()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abusive_webhook_requests_get_a_4xx_while_real_updates_are_answered() {
    // 200 requests of each kind; the slow bodies last the bot's 10 s body timeout.
    let report = run(Scenario::Abuse, ci()).await;
    let abuse = report.abuse.as_ref().expect("the abuse scenario reports the abuse");
    assert_eq!(abuse.sent(), ci().abuse_requests);
    assert_eq!(abuse.as_documented(), abuse.sent(), "each kind gets its documented status\n{}", report.text());
}
