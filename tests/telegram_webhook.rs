//! The real bot with the webhook transport: it registers the webhook with its
//! secret, and its own server answers only requests that carry that secret.

mod support;

use hypnic::telegram::webhook::SECRET_HEADER;
use hypnic::telegram::{Listen, Secret, Transport, WebhookConfig};
use serde_json::json;
use support::{ALICE, TestBot, WAIT, chat, message, next_message_id, person};
use teloxide::utils::html::escape;

const SECRET: &str = "webhook_secret-for-tests";

fn update(text: &str) -> String {
    json!({"update_id": next_message_id(), "message": message(next_message_id(), chat(ALICE), person(ALICE), json!({"text": text}))})
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_rejects_a_missing_or_wrong_secret_with_401_and_answers_with_the_right_one() {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = socket.local_addr().expect("a bound address").port();
    let url = format!("http://127.0.0.1:{port}/telegram/hook");
    let public_url = url.parse().expect("a valid URL");
    let bot = TestBot::start_with(support::engine(), move |config| {
        let mut webhook = WebhookConfig::new(public_url, Listen::Bound(socket), Secret::new(SECRET));
        webhook.drop_pending_updates = true;
        config.transport = Transport::Webhook(webhook);
    })
    .await;

    let registered = bot.api.calls_to("setWebhook").remove(0);
    assert_eq!(registered.body["url"], url.as_str());
    assert_eq!(registered.body["secret_token"], SECRET);
    assert_eq!(registered.body["drop_pending_updates"], true);
    assert_eq!(registered.body["allowed_updates"], json!(["message", "callback_query", "inline_query"]));

    let client = reqwest::Client::new();
    let post = |secret: Option<&str>, body: String| {
        let mut request = client.post(&url).header("content-type", "application/json").body(body);
        if let Some(secret) = secret {
            request = request.header(SECRET_HEADER, secret);
        }
        async move { request.send().await.map(|response| response.status().as_u16()).expect("the webhook answers") }
    };
    assert_eq!(post(None, update("/sources")).await, 401);
    assert_eq!(post(Some("not-the-secret"), update("/sources")).await, 401);
    assert_eq!(post(Some(SECRET), "{\"update_id\": 1, \"message\": ".into()).await, 400);
    assert_eq!(post(Some(SECRET), update("/disclaimer")).await, 200);

    // Updates of a chat are handled in order: only the accepted one was answered.
    let sent = bot.wait_sent(ALICE, 1).await;
    assert_eq!(sent[0].text(), escape(bot.engine.disclaimer()));
    assert_eq!(bot.sent_to(ALICE).len(), 1);

    // The webhook's listener also serves /healthz and /metrics, without the secret.
    let base = format!("http://127.0.0.1:{port}");
    assert_eq!(support::http_get(&format!("{base}/healthz")).await.ok(), Some((200, "serving".to_string())));
    let (status, text) = support::http_get(&format!("{base}/metrics")).await.expect("/metrics answers");
    assert_eq!(status, 200);
    let samples = support::metrics_text::parse(&text).unwrap_or_else(|problem| panic!("{problem}\n{text}"));
    assert_eq!(support::metrics_text::value(&samples, "hypnic_updates_total", &[("kind", "message")]), 1.0);

    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_a_webhook_bot_deletes_the_webhook() {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = socket.local_addr().expect("a bound address").port();
    let public_url = format!("http://127.0.0.1:{port}/hook").parse().expect("a valid URL");
    let mut bot = TestBot::start_with(support::engine(), move |config| {
        config.transport =
            Transport::Webhook(WebhookConfig::new(public_url, Listen::Bound(socket), Secret::new(SECRET)));
    })
    .await;
    bot.shut_down().await;
    bot.api
        .wait_for("deleteWebhook", WAIT, |calls| calls.iter().any(|c| c.method == "deleteWebhook").then_some(()))
        .await;
}
