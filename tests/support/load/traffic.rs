//! Closed-loop simulated users: each asks their first question at the start,
//! and the next one as soon as the fake API receives the reply to the previous
//! one (right there on the connection's task, so no hop between tasks). A
//! question becomes "available" when it is put in the `getUpdates` queue
//! (polling) or just before its first POST starts (webhook).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hyper::body::Bytes;

use super::fake_bot_api::{ReplySink, SentMessage, UpdateQueue};
use super::ledger::{Ledger, Recorded};
use super::plan::{Chats, Plan, Turn};
use super::webhook_client::{Job, Poster, WebhookTarget};

/// How often waiting loops look at the ledger.
const TICK: Duration = Duration::from_millis(5);

/// Where questions go.
#[derive(Clone)]
pub enum Feed {
    /// Into the fake API's `getUpdates` queue.
    Polling(Arc<UpdateQueue>),
    /// Posted to the bot's webhook over this many connections.
    Webhook(Arc<WebhookTarget>, usize),
}

enum Route {
    Queue(Arc<UpdateQueue>),
    Poster(Poster),
}

/// One phase of questions, driven by the replies.
pub struct Traffic {
    plan: Plan,
    ledger: Arc<Ledger>,
    route: Route,
    /// Replies received in each user's private chat.
    private_replies: Box<[AtomicUsize]>,
}

impl Traffic {
    /// The traffic of `plan` into `feed`; nothing is asked before [`Traffic::start`].
    pub fn new(plan: Plan, feed: &Feed) -> Arc<Traffic> {
        let ledger = Arc::new(Ledger::new(plan.total()));
        let route = match feed {
            Feed::Polling(queue) => Route::Queue(queue.clone()),
            Feed::Webhook(target, connections) => {
                Route::Poster(Poster::start(target.clone(), ledger.clone(), *connections))
            }
        };
        let private_replies = (0..plan.users()).map(|_| AtomicUsize::new(0)).collect();
        Arc::new(Traffic { plan, ledger, route, private_replies })
    }

    /// Every user asks their first question.
    pub fn start(&self) {
        if self.plan.per_user() == 0 {
            return;
        }
        for user in 0..self.plan.users() {
            self.ask(Turn { user, index: 0 });
        }
    }

    /// The ledger of this phase.
    pub fn ledger(&self) -> &Arc<Ledger> {
        &self.ledger
    }

    /// The plan of this phase.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Replies received so far in user `user`'s private chat (0 in groups).
    // Read by `tests/load.rs` (what a killed bot had kept), not by the bench.
    #[allow(dead_code)]
    pub fn private_replies(&self, user: usize) -> usize {
        self.private_replies.get(user).map_or(0, |replies| replies.load(Ordering::Relaxed))
    }

    /// Webhook posts tried again (0 for polling).
    pub fn webhook_retries(&self) -> u64 {
        match &self.route {
            Route::Queue(_) => 0,
            Route::Poster(poster) => poster.stats().retried.load(std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// Waits until every question is answered (`true`), or nothing was
    /// answered for `idle`, or `cap` passed (`false`).
    pub async fn wait_complete(&self, idle: Duration, cap: Duration) -> bool {
        self.wait_answered(self.plan.total(), idle, cap).await
    }

    /// As [`Traffic::wait_complete`], until `count` questions are answered.
    pub async fn wait_answered(&self, count: usize, idle: Duration, cap: Duration) -> bool {
        let start = Instant::now();
        let (mut seen, mut progress) = (self.ledger.answered(), start);
        loop {
            let answered = self.ledger.answered();
            if answered >= count {
                return true;
            }
            let now = Instant::now();
            if answered != seen {
                (seen, progress) = (answered, now);
            }
            if now.duration_since(progress) > idle || now.duration_since(start) > cap {
                return false;
            }
            tokio::time::sleep(TICK).await;
        }
    }

    fn ask(&self, turn: Turn) {
        let slot = self.plan.slot(turn);
        let message = self.plan.message_json(turn);
        match &self.route {
            Route::Queue(queue) => {
                // Stamped first: the reply cannot come before the question.
                self.ledger.offered(slot, Instant::now());
                queue.push(&format!(r#"{{"message":{message}}}"#));
            }
            Route::Poster(poster) => {
                // Update ids only need to be unique; the message id is.
                let id = self.plan.message_id(turn);
                let body = format!(r#"{{"update_id":{id},"message":{message}}}"#);
                poster.post(turn.user, Job { slot, body: Bytes::from(body) });
            }
        }
    }
}

impl ReplySink for Traffic {
    fn sent(&self, message: &SentMessage) {
        let slot = match self.plan.chats() {
            Chats::Groups => message.reply_to.and_then(|id| self.plan.slot_of_reply(message.chat_id, id)),
            Chats::Private => self.private_slot(message.chat_id),
        };
        if self.ledger.replied(slot, message.at) != Recorded::First {
            return;
        }
        if let Some(next) = slot.and_then(|slot| self.plan.next(self.plan.turn(slot))) {
            self.ask(next);
        }
    }
}

impl Traffic {
    /// The slot a reply in private chat `chat` answers: the user's n-th reply
    /// answers their n-th question; one past their last question counts as a
    /// second reply to it (a duplicate).
    fn private_slot(&self, chat: i64) -> Option<usize> {
        let user = self.plan.user_of_private_chat(chat)?;
        let index = self.private_replies[user].fetch_add(1, Ordering::Relaxed);
        (self.plan.per_user() > 0).then(|| self.plan.slot(Turn { user, index: index.min(self.plan.per_user() - 1) }))
    }
}
