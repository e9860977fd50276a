//! Running the real bot in production: `/healthz` and `/metrics` (on
//! `--metrics-listen` with long polling), the 👍/👎 feedback buttons, `/privacy`
//! and inline mode, against the fake Bot API with the real dispatcher.

mod support;

use std::collections::BTreeSet;

use hypnic::Topic;
use hypnic::telegram::Listen;
use hypnic::telegram::inline::MAX_OFFERS;
use serde_json::{Value, json};
use support::metrics_text::{Sample, parse, value};
use support::{ALICE, TestBot, WAIT, bot_user, bound_socket, callback_data, chat, http_get, message, person};
use teloxide::utils::html::escape;

/// The bot with `/healthz` and `/metrics` on a port of its own; returns it and that port's base URL.
async fn bot_with_metrics() -> (TestBot, String) {
    let socket = bound_socket();
    let base = format!("http://{}", socket.local_addr().expect("a bound address"));
    let bot =
        TestBot::start_with(support::engine(), move |config| config.metrics_listen = Some(Listen::Bound(socket))).await;
    (bot, base)
}

/// `/metrics`, parsed as a scraper parses it.
async fn scrape(base: &str) -> Vec<Sample> {
    let (status, text) = http_get(&format!("{base}/metrics")).await.expect("/metrics answers");
    assert_eq!(status, 200);
    parse(&text).unwrap_or_else(|problem| panic!("/metrics is not valid: {problem}\n{text}"))
}

/// Every value each label may take: a small fixed set, the knowledge's topic
/// ids and language ids. Nothing from a person.
fn allowed_label_values() -> Vec<(&'static str, BTreeSet<String>)> {
    let set = |values: &[&str]| values.iter().map(|value| value.to_string()).collect::<BTreeSet<String>>();
    let mut topics: BTreeSet<String> = support::engine().all_topics().map(|topic| topic.id().to_string()).collect();
    topics.insert("none".into());
    let languages_file = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/knowledge/languages.toml"))
        .expect("languages.toml");
    let languages: toml::Table = toml::from_str(&languages_file).expect("valid TOML");
    let mut ids: BTreeSet<String> = languages["language"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|language| language["id"].as_str().map(str::to_string))
        .collect();
    ids.extend(["en".to_string(), "none".to_string()]);
    let methods = ["sendMessage", "answerCallbackQuery", "answerInlineQuery", "getUpdates"];
    vec![
        ("kind", set(&["message", "edited_message", "callback_query", "inline_query", "other"])),
        ("topic", topics),
        ("language", ids),
        ("outcome", set(&["answered", "refused", "emergency", "flood_dropped"])),
        ("vote", set(&["up", "down"])),
        ("method", set(&methods)),
    ]
}

/// Fails unless every label of every sample takes a value of [`allowed_label_values`]
/// (`le` of histogram buckets is a number).
fn assert_bounded_labels(samples: &[Sample]) {
    let allowed = allowed_label_values();
    for sample in samples {
        for (key, label) in &sample.labels {
            if key == "le" {
                assert!(label == "+Inf" || label.parse::<f64>().is_ok(), "bucket bound {label}");
                continue;
            }
            let values = allowed.iter().find(|(name, _)| name == key).map(|(_, values)| values);
            let values = values.unwrap_or_else(|| panic!("unexpected label `{key}` on {}", sample.name));
            assert!(values.contains(label), "{}: `{key}` = `{label}` is not a known value", sample.name);
        }
    }
}

/// A callback query pressing `data` under the bot's message `message_id` in Alice's chat.
fn press(message_id: i64, data: &str) -> Value {
    json!({"callback_query": {
        "id": format!("cq-{}", support::next_message_id()),
        "from": person(ALICE),
        "chat_instance": "instance",
        "data": data,
        "message": message(message_id, chat(ALICE), bot_user(), json!({"text": "an answer"})),
    }})
}

/// An inline query from Alice.
fn inline_query(text: &str) -> Value {
    json!({"inline_query": {"id": format!("iq-{}", support::next_message_id()), "from": person(ALICE),
        "query": text, "offset": ""}})
}

/// Waits for the `answerInlineQuery` of query `n` (1-based) and returns its results.
async fn inline_results(bot: &TestBot, n: usize) -> Vec<Value> {
    let call = bot
        .api
        .wait_for("answerInlineQuery", WAIT, |calls| {
            calls.iter().filter(|c| c.method == "answerInlineQuery" && c.status != 0).nth(n - 1).cloned()
        })
        .await;
    assert!(call.ok(), "the fake Bot API refused it: {}", call.body);
    call.body["results"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_a_question_and_a_vote_with_only_bounded_labels() {
    let (bot, base) = bot_with_metrics().await;
    assert_eq!(http_get(&format!("{base}/healthz")).await.expect("/healthz answers"), (200, "serving".into()));
    let before = scrape(&base).await;
    assert_eq!(value(&before, "hypnic_replies_total", &[]), 0.0);

    let question = "Are sleep spasms dangerous for Zelda Quixote?";
    let expected = bot.engine.answer(question);
    bot.say(ALICE, question);
    let answer = bot.wait_sent(ALICE, 1).await.remove(0);
    let topic = expected.topic.id();
    let after_question = scrape(&base).await;
    let counted = [("topic", topic), ("language", "en"), ("outcome", "answered")];
    assert_eq!(value(&after_question, "hypnic_replies_total", &counted), 1.0);
    assert_eq!(value(&after_question, "hypnic_updates_total", &[("kind", "message")]), 1.0);
    assert_eq!(value(&after_question, "hypnic_bot_api_requests_total", &[("method", "sendMessage")]), 1.0);
    assert_eq!(value(&after_question, "hypnic_engine_seconds_count", &[]), 1.0);
    assert_eq!(value(&after_question, "hypnic_reply_seconds_count", &[]), 1.0);
    assert_eq!(value(&after_question, "hypnic_journal_backlog", &[]), 0.0);

    // 👍 and 👎 under the answer, after its topic buttons.
    let buttons = callback_data(&answer);
    let up = format!("f:{topic}:up");
    assert_eq!(buttons[buttons.len() - 2..], [up.clone(), format!("f:{topic}:down")], "{buttons:?}");
    let message_id = answer.body["message_id"].as_i64().unwrap_or(1);
    bot.api.push(press(message_id, &up));
    bot.api.push(press(message_id, "f:zelda_quixote:up"));
    let notices = bot
        .api
        .wait_for("two answerCallbackQuery", WAIT, |calls| {
            let notices: Vec<String> = calls
                .iter()
                .filter(|c| c.method == "answerCallbackQuery")
                .map(|c| c.body["text"].as_str().unwrap_or_default().to_string())
                .collect();
            (notices.len() == 2).then_some(notices)
        })
        .await;
    let texts = &bot.engine.texts().telegram;
    assert_eq!(notices, [texts.feedback_thanks.clone(), texts.stale_button.clone()]);
    let after_votes = scrape(&base).await;
    assert_eq!(value(&after_votes, "hypnic_feedback_total", &[("topic", topic), ("vote", "up")]), 1.0);
    assert_eq!(value(&after_votes, "hypnic_feedback_total", &[]), 1.0, "the stale vote is not counted");
    assert_eq!(value(&after_votes, "hypnic_updates_total", &[("kind", "callback_query")]), 2.0);
    assert_eq!(bot.sent_to(ALICE).len(), 1, "a vote sends no message");

    // A Spanish emergency is counted under its language.
    bot.say(ALICE, "mi hijo no respira, ayuda");
    bot.wait_sent(ALICE, 2).await;
    let after_emergency = scrape(&base).await;
    let urgent = [("topic", "emergency"), ("language", "es"), ("outcome", "emergency")];
    assert_eq!(value(&after_emergency, "hypnic_replies_total", &urgent), 1.0);

    assert_bounded_labels(&after_emergency);
    let (_, text) = http_get(&format!("{base}/metrics")).await.expect("/metrics answers");
    for private in ["Zelda", "Quixote", "zelda", "hijo", &ALICE.to_string()] {
        assert!(!text.contains(private), "`{private}` is in /metrics");
    }
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inline_queries_offer_at_most_three_answers_and_an_emergency_only_the_urgent_reply() {
    let bot = TestBot::start().await;
    let disclaimer = escape(bot.engine.disclaimer());

    bot.api.push(inline_query("are spasms dangerous"));
    let results = inline_results(&bot, 1).await;
    assert!((1..=MAX_OFFERS).contains(&results.len()), "{results:?}");
    let first = bot.engine.answer("are spasms dangerous");
    assert_eq!(results[0]["id"], first.topic.id());
    assert_eq!(results[0]["title"], bot.engine.label(first.topic));
    for result in &results {
        assert_eq!(result["type"], "article");
        let content = &result["input_message_content"];
        assert_eq!(content["parse_mode"], "HTML");
        assert!(content["message_text"].as_str().is_some_and(|text| text.ends_with(&disclaimer)), "{result}");
        assert!(result["description"].as_str().is_some_and(|text| !text.is_empty()));
    }
    assert!(
        results[0]["input_message_content"]["message_text"].as_str().is_some_and(|t| t.contains(&escape(&first.lead)))
    );

    let urgent = "my husband is not breathing after a spasm";
    bot.api.push(inline_query(urgent));
    let results = inline_results(&bot, 2).await;
    assert_eq!(results.len(), 1, "only the urgent reply: {results:?}");
    assert_eq!(results[0]["id"], Topic::EMERGENCY.id());
    let text = results[0]["input_message_content"]["message_text"].as_str().unwrap_or_default();
    assert!(text.starts_with(&escape(&bot.engine.answer(urgent).lead)) && text.ends_with(&disclaimer), "{text}");
    assert_eq!(results[0]["title"], bot.engine.texts().telegram.inline_titles["emergency"]);

    bot.api.push(inline_query(""));
    let starters: Vec<String> =
        inline_results(&bot, 3).await.iter().filter_map(|r| r["id"].as_str().map(str::to_string)).collect();
    let expected: Vec<String> =
        bot.engine.starter_topics().iter().take(MAX_OFFERS).map(|topic| topic.id().to_string()).collect();
    assert_eq!(starters, expected, "an empty query offers the starter topics");
    assert!(bot.api.calls_to("sendMessage").is_empty(), "inline mode sends no message itself");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn privacy_is_registered_listed_in_help_and_answers_its_text() {
    let bot = TestBot::start().await;
    let registered = bot.api.calls_to("setMyCommands").remove(0);
    let names: Vec<&str> = registered.body["commands"]
        .as_array()
        .map(|list| list.iter().filter_map(|c| c["command"].as_str()).collect())
        .unwrap_or_default();
    assert!(names.contains(&"privacy"), "{names:?}");
    bot.say(ALICE, "/privacy");
    bot.say(ALICE, "/help");
    let sent = bot.wait_sent(ALICE, 2).await;
    let privacy = &bot.engine.texts().telegram.privacy;
    assert_eq!(sent[0].text(), escape(privacy));
    for promise in ["30 minutes", "SQLite", "No text, names, usernames or ids"] {
        assert!(privacy.contains(promise), "the privacy text no longer says `{promise}`");
    }
    assert!(sent[1].text().contains("/privacy — "), "{}", sent[1].text());
    bot.stop().await;
}

#[test]
fn the_metrics_reader_reads_labels_and_escapes_and_rejects_junk() {
    let text =
        "# HELP a_total A.\n# TYPE a counter\na_total{x=\"1\",y=\"q\\\"z\"} 2\nb_bucket{le=\"+Inf\"} 3\nc 1.5\n# EOF\n";
    let samples = parse(text).expect("valid text");
    assert_eq!(samples.len(), 3);
    assert_eq!(samples[0].labels["y"], "q\"z");
    assert_eq!(value(&samples, "a_total", &[("x", "1")]), 2.0);
    assert_eq!(value(&samples, "c", &[]), 1.5);
    assert!(parse("a 1\n").is_err(), "no EOF");
    assert!(parse("a{x=\"1} 2\n# EOF\n").is_err(), "an unclosed label");
    assert!(parse("a b\n# EOF\n").is_err(), "not a number");
}
