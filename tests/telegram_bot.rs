//! The real bot (`hypnic::telegram::run`, long polling, throttle off) against a
//! fake Bot API on 127.0.0.1: what it sends for each kind of update.

mod support;

use std::time::Duration;

use hypnic::telegram::{reply, split};
use serde_json::json;
use support::{
    ALICE, BOT_USERNAME, Failure, GROUP, TestBot, WAIT, bot_user, callback_data, chat, message, next_message_id,
    person, topic,
};
use teloxide::utils::html::escape;

/// A callback query pressing `data` under the bot's message `message_id` in `chat_id`.
fn press(chat_id: i64, from: i64, message_id: i64, data: &str) -> serde_json::Value {
    json!({"callback_query": {
        "id": format!("cq-{}", next_message_id()),
        "from": person(from),
        "chat_instance": "instance",
        "data": data,
        "message": message(message_id, chat(chat_id), bot_user(), json!({"text": "an answer"})),
    }})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_registers_commands_and_replies_with_welcome_topics_disclaimer_and_buttons() {
    let bot = TestBot::start().await;
    let commands = bot.api.calls_to("setMyCommands");
    let mut names: Vec<&str> = commands[0].body["commands"]
        .as_array()
        .map(|list| list.iter().filter_map(|c| c["command"].as_str()).collect())
        .unwrap_or_default();
    // The fixed commands first, then the shortcuts in the order of topics.toml.
    assert_eq!(names[..5], ["start", "help", "sources", "disclaimer", "privacy"]);
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "causes",
            "check",
            "disclaimer",
            "doctor",
            "help",
            "privacy",
            "safety",
            "sources",
            "start",
            "treatment",
            "triggers"
        ]
    );

    let polls = bot.api.calls_to("getUpdates");
    let mut allowed: Vec<&str> = polls[0].body["allowed_updates"]
        .as_array()
        .map(|kinds| kinds.iter().filter_map(|kind| kind.as_str()).collect())
        .unwrap_or_default();
    allowed.sort_unstable();
    assert_eq!(allowed, ["callback_query", "inline_query", "message"], "only what the tree handles");

    bot.say(ALICE, "/start");
    let sent = bot.wait_sent(ALICE, 1).await;
    let welcome = &sent[0];
    assert_eq!(welcome.body["parse_mode"], "HTML");
    assert!(welcome.text().starts_with(&escape(&bot.engine.welcome().lead)), "{}", welcome.text());
    for spec in bot.engine.topics() {
        assert!(welcome.text().contains(&escape(&spec.label)), "{} not offered", spec.topic);
    }
    assert!(welcome.text().ends_with(&escape(bot.engine.disclaimer())));
    let buttons = callback_data(welcome);
    assert!((2..=4).contains(&buttons.len()), "{buttons:?}");
    assert!(buttons.iter().all(|data| data.starts_with("t:") && data.len() <= 64));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_is_answered_and_a_button_press_answers_its_topic_in_a_new_message() {
    let bot = TestBot::start().await;
    bot.say(ALICE, "Are sleep spasms dangerous?");
    let answer = bot.wait_sent(ALICE, 1).await.remove(0);
    let expected = bot.engine.answer("Are sleep spasms dangerous?");
    assert!(answer.text().contains(&escape(&expected.lead)));
    assert!(answer.text().ends_with(&escape(bot.engine.disclaimer())));
    assert!(answer.body.get("reply_parameters").is_none(), "private replies are not quoted");
    let buttons: Vec<String> = callback_data(&answer).into_iter().filter(|data| data.starts_with("t:")).collect();
    assert!((2..=4).contains(&buttons.len()), "{buttons:?}");

    let message_id = answer.body["message_id"].as_i64().unwrap_or(1);
    bot.api.push(press(ALICE, ALICE, message_id, &buttons[0]));
    let acknowledged = bot
        .api
        .wait_for("answerCallbackQuery", WAIT, |calls| {
            calls.iter().find(|c| c.method == "answerCallbackQuery").cloned()
        })
        .await;
    assert!(acknowledged.body["callback_query_id"].as_str().is_some_and(|id| id.starts_with("cq-")));
    assert!(acknowledged.body.get("text").is_none(), "a valid button needs no notice");
    let sent = bot.wait_sent(ALICE, 2).await;
    let topic = buttons[0].strip_prefix("t:").and_then(|id| bot.engine.topic_by_id(id)).expect("a topic button");
    let topic_answer = bot.engine.answer_topic(topic);
    assert!(sent[1].text().contains(&escape(&topic_answer.lead)), "{}", sent[1].text());
    assert!(bot.api.calls().iter().all(|c| !c.method.starts_with("editMessage")), "a new message, not an edit");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_button_gets_a_polite_notice_and_no_error() {
    let bot = TestBot::start().await;
    bot.api.push(press(ALICE, ALICE, 1, "v0:old-topic"));
    bot.api.push(press(ALICE, ALICE, 1, "t:no_such_topic"));
    let notices = bot
        .api
        .wait_for("two answerCallbackQuery", WAIT, |calls| {
            let answered: Vec<String> = calls
                .iter()
                .filter(|c| c.method == "answerCallbackQuery")
                .map(|c| c.body["text"].as_str().unwrap_or_default().to_string())
                .collect();
            (answered.len() == 2).then_some(answered)
        })
        .await;
    assert!(notices.iter().all(|text| *text == bot.engine.texts().telegram.stale_button), "{notices:?}");
    // A question after them in the same chat is answered normally, and is the only message.
    bot.say(ALICE, "what causes sleep spasms?");
    bot.wait_sent(ALICE, 1).await;
    assert_eq!(bot.sent_to(ALICE).len(), 1);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sources_lists_each_articles_title_and_publisher() {
    let bot = TestBot::start().await;
    bot.say(ALICE, "/sources");
    let sent = bot.wait_sent(ALICE, 1).await;
    assert!(!bot.engine.sources().is_empty());
    for source in bot.engine.sources() {
        assert!(sent[0].text().contains(&format!("<b>{}</b>", escape(&source.title))), "{}", sent[0].text());
        assert!(sent[0].text().contains(&format!("<i>{}</i>", escape(&source.publisher))));
    }
    bot.stop().await;
}

/// A curator's new article: `/sources` lists it and `/disclaimer` names its
/// publisher, with no text edited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_article_is_in_sources_and_the_disclaimer() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    support::copy_dir(&root.join("knowledge"), dir.path());
    let article = "sleep-desk-evening-habits.toml";
    std::fs::copy(root.join("tests/articles").join(article), dir.path().join("articles").join(article))
        .expect("copy the test article");
    let engine = hypnic::Engine::from_dir(dir.path()).expect("the knowledge with a new article loads");
    let bot = TestBot::start_with(engine, |_| {}).await;
    bot.say(ALICE, "/sources");
    bot.say(ALICE, "/disclaimer");
    let sent = bot.wait_sent(ALICE, 2).await;
    assert!(sent[0].text().contains("<i>Sleep Desk</i>"), "{}", sent[0].text());
    assert!(sent[1].text().contains("FastlyHeal, Kenyan News and Sleep Desk"), "{}", sent[1].text());
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_disclaimer_and_topic_shortcuts_work_with_the_bots_name() {
    let bot = TestBot::start().await;
    bot.say(ALICE, &format!("/help@{BOT_USERNAME}"));
    bot.say(ALICE, "/disclaimer");
    bot.say(ALICE, "/doctor");
    bot.say(ALICE, "/frobnicate");
    let sent = bot.wait_sent(ALICE, 4).await;
    assert!(sent[0].text().contains("/sources — "), "{}", sent[0].text());
    assert_eq!(sent[1].text(), escape(bot.engine.disclaimer()));
    assert!(sent[2].text().contains(&escape(&bot.engine.answer_topic(topic("seek_care")).lead)));
    assert!(sent[3].text().starts_with(&escape(&bot.engine.texts().telegram.unknown_command)));
    bot.stop().await;
}

/// A private chat is one conversation: a follow-up is read with the answer
/// before it, a baby stays the subject, `/start` forgets, and a deep link
/// (`/start <topic>`) opens its topic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_chat_remembers_the_last_answer_and_start_links_open_a_topic() {
    let bot = TestBot::start().await;
    bot.say(ALICE, "what makes hypnic jerks worse");
    bot.say(ALICE, "and coffee?");
    bot.say(ALICE, "my 4 month old jerks when she falls asleep");
    bot.say(ALICE, "is it dangerous?");
    bot.say(ALICE, "/start");
    bot.say(ALICE, "is it dangerous?");
    bot.say(ALICE, "/start safety");
    let sent = bot.wait_sent(ALICE, 7).await;
    assert!(sent[1].text().contains("caffeine"), "{}", sent[1].text());
    assert!(!sent[3].text().contains("benign"), "the baby is remembered: {}", sent[3].text());
    assert!(sent[3].text().contains("paediatrician"), "{}", sent[3].text());
    assert!(sent[4].text().starts_with(&escape(&bot.engine.welcome().lead)));
    assert!(sent[5].text().contains("benign"), "after /start, about sleep spasms in general: {}", sent[5].text());
    assert!(sent[6].text().contains(&escape(&bot.engine.answer_topic(topic("safety")).lead)), "{}", sent[6].text());
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_group_only_commands_mentions_and_replies_to_the_bot_are_answered_as_replies() {
    let bot = TestBot::start().await;
    let group_text = |from: i64, text: &str, extra: serde_json::Value| {
        let id = next_message_id();
        let mut content = json!({"text": text});
        if let (Some(content), Some(extra)) = (content.as_object_mut(), extra.as_object()) {
            content.extend(extra.clone());
        }
        bot.api.push(json!({"message": message(id, chat(GROUP), person(from), content)}));
        id
    };
    let bots_earlier_answer = message(5, chat(GROUP), bot_user(), json!({"text": "An earlier answer"}));
    let someone_else = message(6, chat(GROUP), person(2002), json!({"text": "hi"}));

    group_text(ALICE, "I slept badly, are spasms dangerous?", json!({}));
    group_text(ALICE, "/help@other_bot", json!({}));
    group_text(ALICE, "replying to a person", json!({"reply_to_message": someone_else}));
    let mentioned = group_text(
        ALICE,
        &format!("@{BOT_USERNAME} are sleep spasms dangerous?"),
        json!({"entities": [{"type": "mention", "offset": 0, "length": BOT_USERNAME.len() + 1}]}),
    );
    let replied = group_text(ALICE, "and what causes them?", json!({"reply_to_message": bots_earlier_answer}));
    let command = group_text(ALICE, &format!("/sources@{BOT_USERNAME}"), json!({}));
    let from_a_bot = next_message_id();
    bot.api.push(
        json!({"message": message(from_a_bot, chat(GROUP), json!({"id": 3003, "is_bot": true, "first_name": "B"}),
        json!({"text": format!("@{BOT_USERNAME} ping")}))}),
    );
    let last = group_text(ALICE, &format!("@{BOT_USERNAME} thanks"), json!({}));

    // Updates of one chat are handled in order: once the last is answered, all were seen.
    let sent = bot.wait_sent(GROUP, 4).await;
    let replied_to: Vec<i64> =
        sent.iter().map(|c| c.body["reply_parameters"]["message_id"].as_i64().unwrap_or(0)).collect();
    assert_eq!(replied_to, [mentioned, replied, command, last]);
    let dangerous = bot.engine.answer("are sleep spasms dangerous?");
    assert!(sent[0].text().contains(&escape(&dangerous.lead)), "the mention is cut from the question");
    assert!(sent[1].text().contains(&escape(&bot.engine.answer("what causes them?").lead)));
    assert_eq!(bot.sent_to(GROUP).len(), 4);
    bot.stop().await;
}

/// Many questions from two groups, fetched together: each group's are
/// answered in the order they were asked, while both groups are handled side
/// by side.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_chats_questions_are_answered_in_the_order_they_were_asked() {
    const ROUNDS: usize = 25;
    let bot = TestBot::start().await;
    let groups = [GROUP, GROUP - 1];
    let questions = [
        "what are hypnic jerks",
        "are they dangerous?",
        "why do they happen",
        "does coffee make them worse",
        "how common are they",
        "when should I see a doctor",
        "thanks",
    ];
    let mut asked: Vec<Vec<i64>> = vec![Vec::new(); groups.len()];
    for round in 0..ROUNDS {
        for (index, group) in groups.iter().enumerate() {
            let id = next_message_id();
            let text = format!("@{BOT_USERNAME} {}", questions[(round + index) % questions.len()]);
            let mention = json!([{"type": "mention", "offset": 0, "length": BOT_USERNAME.len() + 1}]);
            // A different person each time: flood control counts per person.
            let asker = ALICE + (round * groups.len() + index) as i64;
            bot.api.push(json!({"message": message(id, chat(*group), person(asker),
                json!({"text": text, "entities": mention}))}));
            asked[index].push(id);
        }
    }
    for (index, group) in groups.iter().enumerate() {
        let sent = bot.wait_sent(*group, ROUNDS).await;
        let replied_to: Vec<i64> =
            sent.iter().map(|c| c.body["reply_parameters"]["message_id"].as_i64().unwrap_or(0)).collect();
        assert_eq!(replied_to, asked[index], "group {group} was answered out of order");
    }
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_text_messages_get_one_text_only_reply_each() {
    let bot = TestBot::start().await;
    let contents = [
        json!({"photo": [{"file_id": "p", "file_unique_id": "p1", "width": 10, "height": 10}]}),
        json!({"sticker": {"file_id": "s", "file_unique_id": "s1", "type": "regular", "width": 1, "height": 1,
            "is_animated": false, "is_video": false}}),
        json!({"voice": {"file_id": "v", "file_unique_id": "v1", "duration": 3, "mime_type": "audio/ogg"}}),
        json!({"location": {"latitude": 51.5, "longitude": -0.1}}),
    ];
    for content in contents {
        bot.api.push(json!({"message": message(next_message_id(), chat(ALICE), person(ALICE), content)}));
    }
    bot.say(ALICE, "/disclaimer");
    let sent = bot.wait_sent(ALICE, 5).await;
    assert!(sent[..4].iter().all(|call| call.text() == escape(&bot.engine.texts().telegram.text_only)));
    assert_eq!(sent[4].text(), escape(bot.engine.disclaimer()));
    assert_eq!(bot.sent_to(ALICE).len(), 5);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_message_is_not_answered_again() {
    let bot = TestBot::start().await;
    let id = bot.say(ALICE, "are sleep spasms dangerous?");
    bot.wait_sent(ALICE, 1).await;
    let mut edited = message(id, chat(ALICE), person(ALICE), json!({"text": "what causes sleep spasms?"}));
    edited["edit_date"] = json!(1_700_000_100);
    bot.api.push(json!({"edited_message": edited}));
    bot.say(ALICE, "/disclaimer");
    let sent = bot.wait_sent(ALICE, 2).await;
    assert_eq!(sent[1].text(), escape(bot.engine.disclaimer()), "the edit got no answer");
    assert_eq!(bot.sent_to(ALICE).len(), 2);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_from_other_bots_are_ignored() {
    let bot = TestBot::start().await;
    let other_bot = json!({"id": ALICE, "is_bot": true, "first_name": "Robot"});
    bot.api.push(json!({"message": message(next_message_id(), chat(ALICE), other_bot, json!({"text": "/start"}))}));
    bot.say(ALICE, "/disclaimer");
    let sent = bot.wait_sent(ALICE, 1).await;
    assert_eq!(sent[0].text(), escape(bot.engine.disclaimer()));
    assert_eq!(bot.sent_to(ALICE).len(), 1);
    bot.stop().await;
}

/// A copy of the knowledge whose `causes` lead is long and full of `<` and `&`.
fn long_lead_knowledge() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    support::copy_dir(&source, dir.path());
    let topics_path = dir.path().join("topics.toml");
    let topics = std::fs::read_to_string(&topics_path).expect("topics.toml");
    let lead: String = (1..=150).map(|n| format!("Jerk {n} lasts < 1 s & is harmless, сон 😴. ")).collect();
    let start = topics.find("[causes]").expect("a causes topic");
    let lead_at = start + topics[start..].find("\nlead = ").expect("a causes lead") + 1;
    let line_end = lead_at + topics[lead_at..].find('\n').expect("end of the lead line");
    let patched = format!("{}lead = \"{}\"{}", &topics[..lead_at], lead.trim_end(), &topics[line_end..]);
    std::fs::write(&topics_path, patched).expect("write topics.toml");
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_answer_is_split_under_4096_units_with_escaped_html_and_the_disclaimer_last() {
    let knowledge = long_lead_knowledge();
    let engine = hypnic::Engine::from_dir(knowledge.path()).expect("the patched knowledge loads");
    let expected = reply::answer(&engine.answer_topic(topic("causes")));
    assert!(expected.parts.len() >= 2, "the lead is long enough to split");
    let bot = TestBot::start_with(engine, |_| {}).await;
    bot.say(ALICE, "/causes");
    let sent = bot.wait_sent(ALICE, expected.parts.len()).await;
    let disclaimer = escape(bot.engine.disclaimer());
    for (index, part) in sent.iter().enumerate() {
        let last = index + 1 == sent.len();
        assert!(split::utf16_len(part.text()) <= split::MAX_MESSAGE_UNITS);
        assert!(!part.text().contains("< 1 s") && !part.text().contains(" & "), "unescaped: {}", part.text());
        assert_eq!(part.text().contains(&disclaimer), last, "the disclaimer is in the last part only");
        assert_eq!(part.body.get("reply_markup").is_some(), last, "buttons under the last part only");
    }
    let all: String = sent.iter().map(|c| c.text()).collect();
    assert!(all.contains("Jerk 1 lasts &lt; 1 s &amp; is harmless, сон 😴.") && all.contains("Jerk 150 lasts"));
    assert_eq!(bot.sent_to(ALICE).len(), expected.parts.len());
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_then_success_is_delivered_exactly_once() {
    let bot = TestBot::start().await;
    bot.api.fail_next("sendMessage", 1, Failure::ServerError);
    bot.say(ALICE, "are sleep spasms dangerous?");
    // teloxide waits 10 s after any 5xx before reading the response, so allow more.
    bot.wait_sent_within(ALICE, 1, Duration::from_secs(30)).await;
    bot.say(ALICE, "/disclaimer");
    let sent = bot.wait_sent(ALICE, 2).await;
    let attempts = bot.api.calls_to("sendMessage");
    assert_eq!(attempts.iter().map(|c| c.status).collect::<Vec<_>>(), [500, 200, 200]);
    assert_eq!(attempts[0].body, attempts[1].body, "the same message was retried");
    assert_eq!(sent[1].text(), escape(bot.engine.disclaimer()));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_is_retried_after_its_retry_after() {
    let bot = TestBot::start().await;
    bot.api.fail_next("sendMessage", 1, Failure::TooManyRequests { retry_after: 1 });
    bot.say(ALICE, "are sleep spasms dangerous?");
    bot.wait_sent(ALICE, 1).await;
    let attempts = bot.api.calls_to("sendMessage");
    assert_eq!(attempts.iter().map(|c| c.status).collect::<Vec<_>>(), [429, 200]);
    let waited = attempts[1].at.duration_since(attempts[0].at);
    assert!(waited >= Duration::from_secs(1), "retried after {waited:?}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_reply_gets_one_apology_and_the_bot_keeps_running() {
    let bot = TestBot::start().await;
    bot.api.fail_next("sendMessage", 1, Failure::BadRequest("Bad Request: can't parse entities: oops"));
    bot.say(ALICE, "are sleep spasms dangerous?");
    let sent = bot.wait_sent(ALICE, 1).await;
    assert_eq!(sent[0].text(), escape(&bot.engine.texts().telegram.send_failed));
    bot.say(ALICE, "/disclaimer");
    bot.wait_sent(ALICE, 2).await;
    assert_eq!(bot.api.calls_to("sendMessage").len(), 3, "no retry of a refusal");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_gets_one_slow_down_and_the_rest_of_the_minute_is_dropped() {
    let bot = TestBot::start_with(support::engine(), |config| config.max_messages_per_minute = 2).await;
    for _ in 0..5 {
        bot.say(ALICE, "/disclaimer");
    }
    // A button press from the same person, after them: over the limit it is
    // acknowledged without an answer, which shows the messages were all handled.
    bot.api.push(press(ALICE, ALICE, 1, "t:causes"));
    bot.api
        .wait_for("answerCallbackQuery", WAIT, |calls| {
            calls.iter().any(|c| c.method == "answerCallbackQuery").then_some(())
        })
        .await;
    let sent = bot.sent_to(ALICE);
    let received: Vec<&str> = sent.iter().map(|c| c.text()).collect();
    let disclaimer = escape(bot.engine.disclaimer());
    let slow_down = escape(&bot.engine.texts().telegram.slow_down);
    assert_eq!(received, [disclaimer.as_str(), disclaimer.as_str(), slow_down.as_str()]);
    // Another person is not limited.
    bot.say(2002, "/disclaimer");
    bot.wait_sent(2002, 1).await;
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shutdown_during_start_up_returns_ok_at_once() {
    let api = support::FakeBotApi::start().await;
    api.fail_next("getMe", 100, Failure::TooManyRequests { retry_after: 1 });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = hypnic::telegram::run(support::config(&api), support::engine(), async move {
        let _ = stopped.await;
    });
    let task = tokio::spawn(run);
    api.wait_for("a getMe attempt", WAIT, |calls| calls.iter().any(|c| c.method == "getMe").then_some(())).await;
    let _ = stop.send(());
    let result = tokio::time::timeout(WAIT, task).await.expect("run returns promptly").expect("no panic");
    assert!(result.is_ok(), "{result:?}");
    assert!(api.calls_to("getUpdates").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_token_fails_start_up_with_an_error_that_does_not_show_it() {
    let api = support::FakeBotApi::start().await;
    let wrong = "123456:AAHwrongTokenWrongTokenWrongToken12";
    let mut config = support::config(&api);
    config.token = hypnic::telegram::Secret::new(wrong);
    let error = hypnic::telegram::run(config, support::engine(), std::future::pending())
        .await
        .map(|()| "started")
        .expect_err("a rejected token is fatal");
    let text = format!("{error:#}");
    assert!(text.contains("cannot connect to the Telegram Bot API"), "{text}");
    assert!(!text.contains("AAHwrong"), "{text}");
    assert_eq!(api.calls_to("getMe").len(), 1, "a rejected token is not retried");
}

/// Updates a killed bot left unanswered in its journal are answered when it
/// starts again, although the Bot API will not send them again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_left_by_a_killed_bot_is_answered_on_start() {
    let api = support::FakeBotApi::start().await;
    let config = support::config(&api);
    let journal = config.journal_path();
    let update = json!({"update_id": 41, "message": message(next_message_id(), chat(ALICE), person(ALICE),
        json!({"text": "are they dangerous?"}))});
    std::fs::create_dir_all(&config.state_dir).expect("the state folder");
    std::fs::write(&journal, format!("{{\"fetched\":{update}}}\n")).expect("a journal");
    let bot = tokio::spawn(hypnic::telegram::run(config, support::engine(), std::future::pending()));
    let sent = api
        .wait_for("the answer to the journal's update", WAIT, |calls| {
            let sent: Vec<_> = calls.iter().filter(|c| c.method == "sendMessage" && c.ok()).cloned().collect();
            (!sent.is_empty()).then_some(sent)
        })
        .await;
    assert_eq!(sent[0].chat_id(), ALICE);
    assert!(sent[0].text().contains("benign"), "{}", sent[0].text());
    bot.abort();
    let _ = std::fs::remove_file(journal);
}

/// A chat in Spanish: the reply, its buttons, a button's answer, `/help` and
/// the thanks for a vote are in Spanish; the command menu is registered in
/// every answered language.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_in_spanish_is_answered_in_spanish_down_to_its_buttons_and_commands() {
    let bot = TestBot::start().await;
    let spanish = bot.engine.voice("es");
    assert_eq!(&*spanish.id, "es");
    let registered = bot
        .api
        .wait_for("setMyCommands in every answered language", WAIT, |calls| {
            let menus: Vec<_> = calls.iter().filter(|c| c.method == "setMyCommands").cloned().collect();
            (menus.len() >= 3).then_some(menus)
        })
        .await;
    let menu_in = |code: &str| {
        registered.iter().find(|call| call.body["language_code"].as_str() == Some(code)).map(|call| call.body.clone())
    };
    assert!(registered[0].body.get("language_code").is_none(), "English for everyone");
    let menu = menu_in("es").expect("a Spanish menu");
    assert_eq!(menu["commands"][1]["command"], "help");
    assert_eq!(menu["commands"][1]["description"], spanish.texts.telegram.commands.help.as_str());
    assert!(menu_in("sw").is_some(), "a Swahili menu");

    bot.say(ALICE, "hola, ¿es peligroso tener sacudidas al dormirme?");
    let answer = bot.wait_sent(ALICE, 1).await.remove(0);
    assert!(answer.text().ends_with(&escape(&spanish.disclaimer)), "{}", answer.text());
    let buttons = callback_data(&answer);
    let topics: Vec<&String> = buttons.iter().filter(|data| data.starts_with("t:")).collect();
    assert!(!topics.is_empty() && topics.iter().all(|data| data.ends_with(":es")), "{buttons:?}");
    let vote = buttons.iter().find(|data| data.starts_with("f:")).expect("a vote").clone();

    let message_id = answer.body["message_id"].as_i64().unwrap_or(1);
    bot.api.push(press(ALICE, ALICE, message_id, topics[0]));
    let sent = bot.wait_sent(ALICE, 2).await;
    assert!(sent[1].text().ends_with(&escape(&spanish.disclaimer)), "the button's answer: {}", sent[1].text());

    bot.say(ALICE, "/help");
    let help = bot.wait_sent(ALICE, 3).await.remove(2);
    assert!(help.text().contains(&escape(&spanish.texts.telegram.commands.heading)), "{}", help.text());
    bot.say(ALICE, "/check");
    let check = bot.wait_sent(ALICE, 4).await.remove(3);
    assert!(check.text().contains(&escape(&spanish.check.texts().intro)), "the check in Spanish: {}", check.text());

    bot.api.push(press(ALICE, ALICE, message_id, &vote));
    let thanks = bot
        .api
        .wait_for("the thanks for a vote", WAIT, |calls| {
            calls
                .iter()
                .filter(|c| c.method == "answerCallbackQuery")
                .find(|c| c.body["text"].as_str() == Some(spanish.texts.telegram.feedback_thanks.as_str()))
                .cloned()
        })
        .await;
    assert!(thanks.body["callback_query_id"].as_str().is_some());
    bot.stop().await;
}
