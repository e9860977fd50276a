//! The warning-sign check (`/check`) in the real bot against a fake Bot API:
//! questions under five buttons edited in place, Back, Stop, the summary
//! quoted from the articles with the disclaimer last, stale presses, groups,
//! the deep link, and a restart of the bot in the middle of a check.

mod support;

use hypnic::telegram::reply;
use serde_json::json;
use support::{ALICE, BOT_USERNAME, Call, GROUP, TestBot, WAIT, bot_user, callback_data, chat, message, person};
use teloxide::utils::html::escape;

/// Another person, in the group.
const BOB: i64 = 2002;

/// The id of the bot's question message that presses come from.
const QUESTION_MESSAGE: i64 = 777;

/// FastlyHeal's passage on safety, word for word.
const BENIGN: &str = "Although there is some controversy about the origin of these spasms, what is apparent within the scientific community is that this condition is benign. That is, spasms when sleeping is not dangerous.";

/// Kenyan News's passage on when to seek medical attention, word for word.
const SEEK_ATTENTION: &str = "They may indicate central nervous system disorders such as epilepsy, metabolic problems, or drug reactions. When they offer some kind of risk, it is necessary to seek medical attention.";

/// Presses the button `data` under the bot's question message in `chat_id`.
fn press(bot: &TestBot, chat_id: i64, from: i64, data: &str) {
    bot.api.push(json!({"callback_query": {
        "id": format!("cq-{}", support::next_message_id()),
        "from": person(from),
        "chat_instance": "instance",
        "data": data,
        "message": message(QUESTION_MESSAGE, chat(chat_id), bot_user(), json!({"text": "a question"})),
    }}));
}

/// What the bot showed in `chat`, in order: messages sent and messages edited.
fn shown(calls: &[Call], chat: i64) -> Vec<Call> {
    calls
        .iter()
        .filter(|c| (c.method == "sendMessage" || c.method == "editMessageText") && c.ok() && c.chat_id() == chat)
        .cloned()
        .collect()
}

/// Waits until the bot showed `count` messages (sent or edited) in `chat`.
async fn wait_shown(bot: &TestBot, chat: i64, count: usize) -> Vec<Call> {
    bot.api
        .wait_for(&format!("{count} messages shown in chat {chat}"), WAIT, |calls| {
            let shown = shown(calls, chat);
            (shown.len() >= count).then_some(shown)
        })
        .await
}

/// Waits until `count` button presses were answered, and returns their notices.
async fn wait_notices(bot: &TestBot, count: usize) -> Vec<Option<String>> {
    bot.api
        .wait_for(&format!("{count} answerCallbackQuery"), WAIT, |calls| {
            let notices: Vec<Option<String>> = calls
                .iter()
                .filter(|c| c.method == "answerCallbackQuery")
                .map(|c| c.body["text"].as_str().map(str::to_string))
                .collect();
            (notices.len() >= count).then_some(notices)
        })
        .await
}

/// The data of the button for `code` (`y`, `n`, `u`, `b`, `s`) under `call`.
fn button(call: &Call, code: char) -> String {
    let suffix = format!(":{code}");
    callback_data(call).into_iter().find(|data| data.ends_with(&suffix)).unwrap_or_else(|| panic!("no `{code}` button"))
}

/// "Question n of N" as the bot shows it.
fn heading(bot: &TestBot, number: usize) -> String {
    let total = bot.engine.check().questions().len();
    format!("<b>Question {number} of {total}</b>\n{}", escape(&bot.engine.check().questions()[number - 1].text))
}

/// Answers the questions of the check shown last in `chat` with `answers` (one
/// code per question, in order, to the last), pressing as `from`, and returns
/// every message shown in the chat by then: after the last answer, the
/// summary, then the last question closed.
async fn answer_all(bot: &TestBot, chat: i64, from: i64, answers: &str) -> Vec<Call> {
    let mut all = wait_shown(bot, chat, 1).await;
    for (index, code) in answers.chars().enumerate() {
        let latest = all.last().expect("a question is shown").clone();
        press(bot, chat, from, &button(&latest, code));
        let last = index + 1 == answers.chars().count();
        all = wait_shown(bot, chat, all.len() + if last { 2 } else { 1 }).await;
    }
    all
}

/// The summary among what was shown: the last message sent.
fn summary(all: &[Call]) -> String {
    all.iter().rfind(|c| c.method == "sendMessage").expect("a summary").text().to_string()
}

/// One answer code per question: the question `id` answered with `code`, the rest No.
fn all_no_but(bot: &TestBot, id: &str, code: char) -> String {
    bot.engine.check().questions().iter().map(|question| if question.id == id { code } else { 'n' }).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_asks_one_question_at_a_time_with_five_buttons_and_back_returns_to_the_previous_one() {
    let bot = TestBot::start().await;
    let commands = &bot.api.calls_to("setMyCommands")[0].body["commands"];
    assert!(commands.as_array().into_iter().flatten().any(|c| c["command"] == "check"), "{commands}");
    bot.say(ALICE, "/help");
    let help = bot.wait_sent(ALICE, 1).await.remove(0);
    assert!(help.text().contains(&format!("/check — {}", escape(&bot.engine.check().texts().command_help))));

    bot.say(ALICE, "/check");
    let first = wait_shown(&bot, ALICE, 2).await.remove(1);
    assert_eq!(first.method, "sendMessage");
    assert!(first.text().starts_with(&escape(&bot.engine.check().texts().intro)), "{}", first.text());
    assert!(first.text().ends_with(&heading(&bot, 1)), "{}", first.text());
    let labels: Vec<&str> = first.body["reply_markup"]["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().into_iter().flatten())
        .filter_map(|button| button["text"].as_str())
        .collect();
    assert_eq!(labels, ["Yes", "No", "Not sure", "« Back", "Stop"]);
    assert!(callback_data(&first).iter().all(|data| data.starts_with("c:") && data.len() < 64));

    press(&bot, ALICE, ALICE, &button(&first, 'y'));
    let second = wait_shown(&bot, ALICE, 3).await.remove(2);
    assert_eq!(second.method, "editMessageText", "the question is edited in place");
    assert_eq!(second.body["message_id"], QUESTION_MESSAGE);
    assert_eq!(second.text(), heading(&bot, 2));
    press(&bot, ALICE, ALICE, &button(&second, 'u'));
    let third = wait_shown(&bot, ALICE, 4).await.remove(3);
    assert_eq!(third.text(), heading(&bot, 3));
    press(&bot, ALICE, ALICE, &button(&third, 'b'));
    let back = wait_shown(&bot, ALICE, 5).await.remove(4);
    assert_eq!(back.text(), heading(&bot, 2), "Back returns to the previous question");
    press(&bot, ALICE, ALICE, &button(&back, 'b'));
    let back_again = wait_shown(&bot, ALICE, 6).await.remove(5);
    assert_eq!(back_again.text(), heading(&bot, 1));
    // Back on the first question only says so.
    press(&bot, ALICE, ALICE, &button(&back_again, 'b'));
    let notices = wait_notices(&bot, 5).await;
    assert_eq!(notices[..4], [None, None, None, None]);
    assert_eq!(notices[4].as_deref(), Some(bot.engine.check().texts().first_question.as_str()));
    assert_eq!(shown(&bot.api.calls(), ALICE).len(), 6);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_no_gives_nothing_you_answered_with_the_safety_passages_quoted_and_the_disclaimer_last() {
    let bot = TestBot::start().await;
    bot.say(ALICE, "/check");
    let answers = "n".repeat(bot.engine.check().questions().len());
    let all = answer_all(&bot, ALICE, ALICE, &answers).await;
    let summary = &all[all.len() - 2];
    assert_eq!(summary.method, "sendMessage");
    let text = summary.text();
    assert!(text.starts_with(&escape(&bot.engine.check().texts().clear)), "{text}");
    assert!(text.contains(&format!("“{}” (<i>FastlyHeal</i>)", escape(BENIGN))), "{text}");
    assert!(text.contains("is not a synonym for worry") && text.contains("(<i>Kenyan News</i>)"), "{text}");
    assert!(text.ends_with(&escape(bot.engine.disclaimer())), "{text}");
    assert!(summary.body.get("reply_markup").is_none());
    // The last question is closed: its buttons are gone.
    let closed = all.last().expect("the last question closed");
    assert_eq!(closed.method, "editMessageText");
    assert_eq!(closed.text(), escape(&bot.engine.check().texts().finished));
    assert!(closed.body.get("reply_markup").is_none());
    // The check has ended: its buttons only say so.
    press(&bot, ALICE, ALICE, &button(&all[1], 'y'));
    let notices = wait_notices(&bot, answers.len() + 1).await;
    assert_eq!(notices.last().cloned().flatten().as_deref(), Some(bot.engine.check().texts().ended.as_str()));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_yes_names_what_was_said_and_quotes_when_to_see_a_doctor_and_a_baby_is_never_benign() {
    let bot = TestBot::start().await;
    // One person per check, each within the flood limit.
    let (medicine, baby, unsure) = (3001, 3002, 3003);
    bot.say(medicine, "/check");
    let text = summary(&answer_all(&bot, medicine, medicine, &all_no_but(&bot, "medicine", 'y')).await);
    assert!(text.starts_with("You said the jerks came with a new or changed medicine."), "{text}");
    assert!(text.contains(&escape(&bot.engine.check().texts().doctor_when)), "{text}");
    assert!(text.contains(&format!("“{SEEK_ATTENTION}” (<i>Kenyan News</i>)")), "{text}");
    assert!(!text.contains("benign"), "{text}");
    assert!(text.ends_with(&escape(bot.engine.disclaimer())), "{text}");

    bot.say(baby, "/check");
    let text = summary(&answer_all(&bot, baby, baby, &all_no_but(&bot, "child", 'y')).await);
    assert!(text.starts_with("You said it is about a baby or a child."), "{text}");
    assert!(text.contains("The articles say nothing about babies or children"), "{text}");
    assert!(!text.contains("benign") && !text.contains("not dangerous"), "{text}");
    assert!(text.ends_with(&escape(bot.engine.disclaimer())), "{text}");

    // Not sure is never an all-clear.
    bot.say(unsure, "/check");
    let text = summary(&answer_all(&bot, unsure, unsure, &all_no_but(&bot, "harm", 'u')).await);
    assert!(text.contains("you were not sure whether a jerk has injured or confused you"), "{text}");
    assert!(text.contains(&format!("“{SEEK_ATTENTION}”")), "{text}");
    assert!(!text.contains("benign") && !text.contains(&escape(&bot.engine.check().texts().clear)), "{text}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_ends_the_check_and_a_stale_press_changes_nothing() {
    let bot = TestBot::start().await;
    bot.say(ALICE, "/check");
    let first = wait_shown(&bot, ALICE, 1).await.remove(0);
    press(&bot, ALICE, ALICE, &button(&first, 'n'));
    let second = wait_shown(&bot, ALICE, 2).await.remove(1);
    // The first question's button again (a double tap): already answered.
    press(&bot, ALICE, ALICE, &button(&first, 'y'));
    let notices = wait_notices(&bot, 2).await;
    let texts = bot.engine.check().texts();
    assert_eq!(notices[1].as_deref(), Some(texts.already_answered.as_str()));
    // Unknown data stays a stale button.
    press(&bot, ALICE, ALICE, "c:nonsense");
    let notices = wait_notices(&bot, 3).await;
    assert_eq!(notices[2].as_deref(), Some(bot.engine.texts().telegram.stale_button.as_str()));
    assert_eq!(shown(&bot.api.calls(), ALICE).len(), 2, "no stale press changed the question");

    press(&bot, ALICE, ALICE, &button(&second, 's'));
    let stopped = wait_shown(&bot, ALICE, 3).await.remove(2);
    assert_eq!(stopped.method, "editMessageText");
    assert_eq!(stopped.text(), escape(&texts.stopped));
    assert!(stopped.body.get("reply_markup").is_none(), "no buttons after Stop");
    press(&bot, ALICE, ALICE, &button(&second, 'y'));
    let notices = wait_notices(&bot, 5).await;
    assert_eq!(notices[4].as_deref(), Some(texts.ended.as_str()));

    // /check again starts over, and so does the deep link /start check.
    bot.say(ALICE, "/check");
    bot.say(ALICE, "/start check");
    let all = wait_shown(&bot, ALICE, 5).await;
    for restarted in &all[3..5] {
        assert!(restarted.text().starts_with(&escape(&texts.intro)), "{}", restarted.text());
        assert!(restarted.text().ends_with(&heading(&bot, 1)), "{}", restarted.text());
    }
    // The buttons of the check before the last one are stale.
    press(&bot, ALICE, ALICE, &button(&all[3], 'y'));
    press(&bot, ALICE, ALICE, &button(&all[4], 'y'));
    let next = wait_shown(&bot, ALICE, 6).await.remove(5);
    assert_eq!(next.text(), heading(&bot, 2));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn free_text_during_a_check_is_answered_and_the_check_stays_where_it_was() {
    let bot = TestBot::start().await;
    bot.say(ALICE, "/check");
    let first = wait_shown(&bot, ALICE, 1).await.remove(0);
    press(&bot, ALICE, ALICE, &button(&first, 'y'));
    let second = wait_shown(&bot, ALICE, 2).await.remove(1);
    bot.say(ALICE, "are sleep spasms dangerous?");
    bot.say(ALICE, "help my dad is not breathing");
    let all = wait_shown(&bot, ALICE, 4).await;
    let expected = reply::answer(&bot.engine.answer("are sleep spasms dangerous?"));
    assert_eq!(all[2].text(), expected.parts[0], "answered as with no check");
    assert!(all[3].text().starts_with(&escape(&bot.engine.texts().emergency)), "{}", all[3].text());
    press(&bot, ALICE, ALICE, &button(&second, 'n'));
    let third = wait_shown(&bot, ALICE, 5).await.remove(4);
    assert_eq!(third.text(), heading(&bot, 3), "the check went on where it was");
    bot.stop().await;
}

/// A group message from `from`, as the bot sees it.
fn group_message(bot: &TestBot, from: i64, text: &str) -> i64 {
    let id = support::next_message_id();
    bot.api.push(json!({"message": message(id, chat(GROUP), person(from), json!({"text": text}))}));
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_group_the_check_belongs_to_whoever_started_it_and_turns_on_no_follow_ups() {
    let bot = TestBot::start().await;
    let asked = group_message(&bot, ALICE, &format!("/check@{BOT_USERNAME}"));
    let first = wait_shown(&bot, GROUP, 1).await.remove(0);
    assert_eq!(first.body["reply_parameters"]["message_id"], asked, "a reply to /check");
    assert!(first.text().ends_with(&heading(&bot, 1)));
    press(&bot, GROUP, BOB, &button(&first, 'y'));
    let notices = wait_notices(&bot, 1).await;
    assert_eq!(notices[0].as_deref(), Some(bot.engine.check().texts().not_yours.as_str()));
    assert_eq!(shown(&bot.api.calls(), GROUP).len(), 1, "someone else's press changes nothing");

    // Questions in the group during the check stand alone.
    let mention = |text: &str| format!("@{BOT_USERNAME} {text}");
    group_message(&bot, ALICE, &mention("what makes hypnic jerks worse"));
    group_message(&bot, ALICE, &mention("and coffee?"));
    let all = wait_shown(&bot, GROUP, 3).await;
    assert_eq!(all[2].text(), reply::answer(&bot.engine.answer("and coffee?")).parts[0]);

    let answers = "n".repeat(bot.engine.check().questions().len());
    // Answering goes on from the question, with the answers in between.
    press(&bot, GROUP, ALICE, &button(&first, 'n'));
    wait_shown(&bot, GROUP, 4).await;
    let text = summary(&answer_all(&bot, GROUP, ALICE, &answers[1..]).await);
    assert!(text.starts_with(&escape(&bot.engine.check().texts().clear)), "{text}");
    assert!(text.ends_with(&escape(bot.engine.disclaimer())));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_survives_a_restart_of_the_bot() {
    let mut bot = TestBot::start().await;
    bot.say(ALICE, "/check");
    let first = wait_shown(&bot, ALICE, 1).await.remove(0);
    press(&bot, ALICE, ALICE, &button(&first, 'y'));
    let second = wait_shown(&bot, ALICE, 2).await.remove(1);
    press(&bot, ALICE, ALICE, &button(&second, 'n'));
    let third = wait_shown(&bot, ALICE, 3).await.remove(2);
    assert_eq!(third.text(), heading(&bot, 3));

    bot.restart().await;
    press(&bot, ALICE, ALICE, &button(&third, 'u'));
    let fourth = wait_shown(&bot, ALICE, 4).await.remove(3);
    assert_eq!(fourth.text(), heading(&bot, 4), "the check went on where it was");
    let rest = "n".repeat(bot.engine.check().questions().len() - 3);
    let text = summary(&answer_all(&bot, ALICE, ALICE, &rest).await);
    assert!(text.starts_with("You said the jerks are very intense or keep repeating."), "{text}");
    assert!(text.contains("You were not sure whether a jerk has injured or confused you"), "{text}");
    bot.stop().await;
}
