//! What chats remember, kept in a real Redis server (`tests/support/redis.rs`):
//! shared by two bots, each key expiring with its context, and a server
//! that cannot be reached is an error that shows no password.

mod support;

use std::time::Duration;

use deadpool_redis::redis;
use hypnic::ChatContext;
use hypnic::conversation::{CONTEXT_TTL_SECS, now_secs};
use hypnic::telegram::chats::ChatMemory;
use hypnic::telegram::config::RedisUrl;
use support::redis::{TestRedis, unique_chat};
use teloxide::types::ChatId;

fn context(topic: &str, updated_at: u64) -> ChatContext {
    ChatContext { topic: Some(topic.into()), updated_at, ..ChatContext::default() }
}

/// A plain connection to the server, to look at keys as Redis sees them.
async fn connection(redis: &TestRedis) -> deadpool_redis::Connection {
    let pool = deadpool_redis::Config::from_url(redis.url())
        .create_pool(Some(deadpool_redis::Runtime::Tokio1))
        .expect("a Redis pool");
    pool.get().await.expect("a Redis connection")
}

/// Seconds until `chat`'s key expires; `-2` when there is no key, `-1` when it never expires.
async fn ttl(connection: &mut deadpool_redis::Connection, chat: ChatId) -> i64 {
    redis::cmd("TTL").arg(chat.0).query_async(connection).await.expect("TTL answers")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_bots_share_what_a_chat_remembers_and_every_key_expires_with_its_context() {
    let redis = TestRedis::start();
    let url = RedisUrl::parse(redis.url()).expect("a redis:// URL");
    let (one, other) = (ChatMemory::redis(&url).await.expect("Redis answers"), ChatMemory::redis(&url).await.unwrap());
    let mut keys = connection(&redis).await;
    let chat = ChatId(unique_chat());
    let now = now_secs();

    assert_eq!(other.recall(chat, now).await, ChatContext::default());
    let asked = one.converse(chat, now, |before| (before.clone(), context("triggers", now))).await;
    assert_eq!(asked, ChatContext::default());
    assert_eq!(other.recall(chat, now).await, context("triggers", now), "the other bot reads it");
    let left = ttl(&mut keys, chat).await;
    assert!((CONTEXT_TTL_SECS as i64 - 5..=CONTEXT_TTL_SECS as i64 + 1).contains(&left), "TTL {left}");

    // The other bot's turn moves the expiry with the context's time.
    let later = now + 60;
    other.converse(chat, later, |before| ((), ChatContext { updated_at: later, ..before.clone() })).await;
    let left = ttl(&mut keys, chat).await;
    assert!(left > CONTEXT_TTL_SECS as i64 + 50, "TTL {left} after a later turn");

    // A context that expires in two seconds is gone from Redis after them.
    let soon = now - CONTEXT_TTL_SECS + 1;
    one.remember(chat, context("safety", soon)).await;
    assert!((1..=3).contains(&ttl(&mut keys, chat).await));
    tokio::time::sleep(Duration::from_millis(3_500)).await;
    assert_eq!(ttl(&mut keys, chat).await, -2, "the key expired");
    assert_eq!(other.recall(chat, now).await, ChatContext::default());

    // A context already expired is not kept at all.
    one.remember(chat, context("safety", now - CONTEXT_TTL_SECS - 5)).await;
    assert_eq!(ttl(&mut keys, chat).await, -2);

    // Forgetting removes the key; forgetting nothing is no error.
    one.remember(chat, context("doctor", now)).await;
    other.forget(chat).await;
    assert_eq!(ttl(&mut keys, chat).await, -2);
    one.forget(chat).await;
    assert_eq!(one.recall(chat, now).await, ChatContext::default());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_redis_is_an_error_that_shows_no_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|s| s.local_addr()).expect("a free port").port();
    let url = RedisUrl::parse(&format!("redis://hypnic:pa55word-xyz@127.0.0.1:{port}/2")).expect("a redis:// URL");
    assert_eq!(format!("{url}"), format!("redis://[redacted]@127.0.0.1:{port}/2"));
    assert!(!format!("{url:?}").contains("pa55word"));
    let error = ChatMemory::redis(&url).await.map(|_| ()).expect_err("nothing listens on the port");
    let message = format!("{error:#}");
    assert!(message.contains("cannot connect to the chat state's Redis"), "{message}");
    assert!(message.contains(&format!("127.0.0.1:{port}")) && !message.contains("pa55word"), "{message}");
}
