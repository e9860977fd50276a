//! Several replicas of the bot: two real `hypnic telegram` processes in
//! webhook mode, behind one fake Bot API, share what chats remember through
//! one real Redis server (`tests/support/redis.rs`). The updates of one
//! private chat alternate between them, as a load balancer would send them;
//! the conversation must read every follow-up with the turn before, whichever
//! replica answered that one, a `/check` must go on whichever replica gets
//! each press, and every update must be answered exactly once.

mod support;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use hypnic::ChatContext;
use hypnic::telegram::reply;
use hypnic::telegram::webhook::SECRET_HEADER;
use serde_json::{Value, json};
use support::redis::{TestRedis, unique_chat};
use support::{Call, FakeBotApi, TOKEN, WAIT, bot_user, chat, message, next_message_id, person};

const SECRET: &str = "replicas_secret-for-tests";

/// How long after the last reply the test waits for a reply that should not come.
const QUIET: Duration = Duration::from_millis(500);

/// One `hypnic telegram` process serving a webhook; killed when dropped.
struct Replica {
    child: Child,
    url: String,
    log: tempfile::NamedTempFile,
}

impl Replica {
    /// Starts a replica with its own webhook port and the chats' state in `redis`.
    fn start(api: &FakeBotApi, redis: &TestRedis) -> Replica {
        let port = TcpListener::bind("127.0.0.1:0").and_then(|s| s.local_addr()).expect("a free port").port();
        let url = format!("http://127.0.0.1:{port}/hook");
        let log = tempfile::NamedTempFile::new().expect("a log file");
        let child = Command::new(env!("CARGO_BIN_EXE_hypnic"))
            .args(["telegram", "--webhook-url", &url, "--listen", &format!("127.0.0.1:{port}")])
            .args(["--storage", redis.url(), "--no-throttle", "--max-messages-per-minute", "0"])
            .env("TELOXIDE_TOKEN", TOKEN)
            .env("TELOXIDE_API_URL", api.url())
            .env("HYPNIC_WEBHOOK_SECRET", SECRET)
            .env("XDG_STATE_HOME", api.state_home())
            .env("RUST_LOG", "warn")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env_remove("STATE_DIRECTORY")
            .env_remove("TELOXIDE_PROXY")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log.reopen().expect("the log file opens"))
            .spawn()
            .expect("the hypnic binary starts");
        Replica { child, url, log }
    }

    /// Posts `update` as Telegram would, until the replica accepts it (it may
    /// still be starting); fails the test after [`WAIT`].
    async fn post(&mut self, client: &reqwest::Client, update: &Value) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let sent = client.post(&self.url).header(SECRET_HEADER, SECRET).json(update).send().await;
            match sent.map(|response| response.status().as_u16()) {
                Ok(200) => return,
                other if tokio::time::Instant::now() > deadline => {
                    panic!("the replica at {} did not accept an update: {other:?}\n{}", self.url, self.log_text())
                }
                _ => {}
            }
            assert!(self.child.try_wait().expect("the replica can be waited for").is_none(), "{}", self.log_text());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One thing the person does in the chat.
enum Step {
    /// Writes this message.
    Say(&'static str),
    /// Presses the button with this callback data under the bot's message `message_id`.
    Press { data: String, message_id: i64 },
}

impl Step {
    /// The update that carries the step, in private chat `chat`.
    fn update(&self, chat_id: i64) -> Value {
        let id = next_message_id();
        match self {
            Step::Say(text) => {
                json!({"update_id": id, "message": message(id, chat(chat_id), person(chat_id), json!({"text": text}))})
            }
            Step::Press { data, message_id } => json!({"update_id": id, "callback_query": {
                "id": format!("cq-{id}"),
                "from": person(chat_id),
                "chat_instance": "instance",
                "data": data,
                "message": message(*message_id, chat(chat_id), bot_user(), json!({"text": "a question"})),
            }}),
        }
    }
}

/// What the bot must send for a message: the engine's answer read with the
/// context the turns before left, rendered as the bot renders it; and the
/// context it leaves. Also the reply the message would get alone.
fn expected(text: &str, context: &ChatContext) -> (String, ChatContext, String) {
    let engine = support::engine();
    let now = hypnic::conversation::now_secs();
    let turn = engine.reply(text, context, now);
    let alone = engine.reply(text, &ChatContext::default(), now);
    let render = |answer| reply::answer(answer).parts.concat();
    (render(&turn.answer), turn.context, render(&alone.answer))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_sharing_redis_hold_one_conversation_and_answer_each_update_once() {
    let redis = TestRedis::start();
    let api = FakeBotApi::start().await;
    let mut replicas = [Replica::start(&api, &redis), Replica::start(&api, &redis)];
    let client = reqwest::Client::builder().no_proxy().build().expect("an HTTP client");
    let alice = unique_chat();

    // Each follow-up needs the turn just before it, which the other replica answered:
    // alone, "what about my kid?" is refused, and "and coffee?" has no child caveat.
    let steps = [Step::Say("what makes hypnic jerks worse"), Step::Say("what about my kid?"), Step::Say("and coffee?")];
    let mut context = ChatContext::default();
    for (index, step) in steps.iter().enumerate() {
        let replica = &mut replicas[index % 2];
        replica.post(&client, &step.update(alice)).await;
        let sent = api
            .wait_for(&format!("reply {} to chat {alice}", index + 1), WAIT, |calls| {
                let sent: Vec<_> = calls
                    .iter()
                    .filter(|c| c.method == "sendMessage" && c.ok() && c.chat_id() == alice)
                    .cloned()
                    .collect();
                (sent.len() > index).then_some(sent)
            })
            .await;
        let Step::Say(text) = step else { unreachable!("the conversation only says") };
        let (answer, next, alone) = expected(text, &context);
        assert_eq!(sent[index].text(), answer, "reply to {text:?} (replica {})", index % 2 + 1);
        if index > 0 {
            assert_ne!(answer, alone, "{text:?} is a follow-up: alone it gets another reply");
        }
        context = next;
    }
    let texts: Vec<String> = api.calls_to("sendMessage").iter().map(|c| c.text().to_lowercase()).collect();
    assert!(texts[1].contains("children"), "the kid follow-up keeps the topic for a child: {}", texts[1]);
    assert!(texts[2].contains("children") && texts[2].contains("caffeine"), "coffee, for the child: {}", texts[2]);

    // Nothing is answered twice: one message per update, even a while later.
    tokio::time::sleep(QUIET).await;
    let replies = api.calls_to("sendMessage").into_iter().filter(|c| c.chat_id() == alice).count();
    assert_eq!(replies, steps.len(), "one reply per update");
}

/// The callback data of the "No" button under a message the bot sent or edited.
fn no_button(call: &Call) -> String {
    let rows = call.body["reply_markup"]["inline_keyboard"].as_array().cloned().unwrap_or_default();
    rows.iter()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .filter_map(|button| button["callback_data"].as_str().map(str::to_string))
        .find(|data| data.starts_with("c:") && data.ends_with(":n"))
        .unwrap_or_else(|| panic!("no No button under {}", call.body))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_goes_on_whichever_replica_gets_each_press() {
    let redis = TestRedis::start();
    let api = FakeBotApi::start().await;
    let mut replicas = [Replica::start(&api, &redis), Replica::start(&api, &redis)];
    let client = reqwest::Client::builder().no_proxy().build().expect("an HTTP client");
    let bob = unique_chat();
    let of_bob = |calls: &[Call], method: &str| -> Vec<Call> {
        calls.iter().filter(|c| c.method == method && c.ok() && c.chat_id() == bob).cloned().collect()
    };

    // The check starts on the first replica; its answers go to the other one, then back.
    replicas[0].post(&client, &Step::Say("/check").update(bob)).await;
    let first = api.wait_for("the first question", WAIT, |calls| of_bob(calls, "sendMessage").into_iter().next()).await;
    // The fake Bot API edits any message id: the presses name one.
    let question_id = 777;
    let mut data = no_button(&first);
    assert!(data.contains(":0:"), "the first question is step 0: {data}");
    let mut questions = vec![first.text().to_string()];
    for step in 1..=2 {
        let press = Step::Press { data: data.clone(), message_id: question_id };
        replicas[step % 2].post(&client, &press.update(bob)).await;
        let edited = api
            .wait_for(&format!("question {}", step + 1), WAIT, |calls| {
                let edits = of_bob(calls, "editMessageText");
                (edits.len() >= step).then(|| edits[step - 1].clone())
            })
            .await;
        data = no_button(&edited);
        assert!(data.contains(&format!(":{step}:")), "the replica read the check from Redis: {data}");
        questions.push(edited.text().to_string());
    }
    questions.dedup();
    assert_eq!(questions.len(), 3, "three different questions: {questions:?}");

    // Each press is answered once, and nothing is sent twice.
    tokio::time::sleep(QUIET).await;
    let calls = api.calls();
    assert_eq!(calls.iter().filter(|c| c.method == "answerCallbackQuery" && c.ok()).count(), 2);
    assert_eq!(of_bob(&calls, "editMessageText").len(), 2, "one edit per press");
    assert_eq!(of_bob(&calls, "sendMessage").len(), 1, "one question message");
}
