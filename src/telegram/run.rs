//! Starting and stopping the bot: connect (`getMe`), register the commands,
//! dispatch updates from the chosen transport until the shutdown future
//! resolves, then stop fetching, let the replies in flight finish (bounded by
//! the grace period) and return. A shutdown during start-up stops at once.

use std::fmt::Debug;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, anyhow};
use teloxide::dispatching::{DefaultKey, Dispatcher};
use teloxide::error_handlers::ErrorHandler;
use teloxide::prelude::*;
use teloxide::requests::Request;
use teloxide::types::Me;
use teloxide::update_listeners::UpdateListener;
use teloxide::{RequestError, dptree};

use super::commands::Commands;
use super::config::{BotConfig, Transport};
use super::flood::FloodGate;
use super::incoming::Identity;
use super::journal::Replay;
use super::listen;
use super::outbox::Outbox;
use super::polling::{self, Ledger};
use super::redact::Redactor;
use super::retry::{RetryPolicy, with_retry};
use super::schema::schema;
use super::state::BotState;
use super::webhook;
use crate::engine::Engine;

/// Updates fetched by the poller and waiting for the dispatcher.
const POLLING_QUEUE: usize = 256;

/// How long to wait for `deleteWebhook` when stopping a webhook bot.
const DELETE_WEBHOOK_TIMEOUT: Duration = Duration::from_millis(500);

/// The dispatcher the bot runs.
type BotDispatcher = Dispatcher<Bot, anyhow::Error, DefaultKey>;

/// Runs the bot until `shutdown` resolves. Then it stops fetching updates,
/// lets the replies in flight finish for up to `config.shutdown_grace`, and
/// returns `Ok`. A Bot API error while running is logged and never ends it.
///
/// # Errors
/// Start-up failures: the Bot API cannot be reached or rejects the token, the
/// webhook address cannot be bound, or `setWebhook` fails. Messages never
/// contain the token.
pub async fn run(config: BotConfig, engine: Engine, shutdown: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
    let mut shutdown = pin!(shutdown);
    let redactor = config.redactor();
    let bot = bot(&config).map_err(|error| anyhow!(redactor.chain(&error)))?;
    let Some(me) = until(&mut shutdown, connect(&bot, &config.retry, &redactor)).await else {
        return stopped_early();
    };
    let me = me?;
    let username = me.user.username.clone().context("getMe returned a bot without a username")?;
    tracing::info!(bot = %username, "connected to Telegram");
    let commands = Commands::new(&engine).map_err(|reason| anyhow!("the knowledge's commands: {reason}"))?;
    if until(&mut shutdown, register_commands(&bot, &commands, &config.retry, &redactor)).await.is_none() {
        return stopped_early();
    }

    let state = Arc::new(BotState {
        engine,
        identity: Identity { id: me.user.id, username },
        commands,
        flood: FloodGate::new(config.max_messages_per_minute),
        outbox: Outbox::new(bot.clone(), config.throttle, config.retry, redactor.clone()),
        redactor: redactor.clone(),
    });
    let (ledger, replay) = match config.transport {
        Transport::Polling { .. } => Ledger::open(&config.journal_path()),
        Transport::Webhook(_) => (Ledger::default(), Replay::default()),
    };
    let mut dispatcher = dispatcher(&bot, state, ledger.clone(), &redactor);
    let grace = config.shutdown_grace;
    match config.transport {
        Transport::Polling { drop_pending_updates } => {
            if until(&mut shutdown, delete_webhook(&bot, &config.retry, &redactor)).await.is_none() {
                return stopped_early();
            }
            let (updates, listener, stop) = listen::channel(POLLING_QUEUE);
            let poller = polling::spawn(
                bot.clone(),
                ledger.clone(),
                replay,
                updates,
                stop,
                drop_pending_updates,
                redactor.clone(),
            );
            tracing::info!("receiving updates by long polling");
            let on_error = Arc::new(|never: std::convert::Infallible| async move { match never {} });
            dispatch(&mut dispatcher, listener, on_error, shutdown, grace, &redactor).await;
            drop(poller);
            polling::finish(&bot, &ledger, &redactor).await;
        }
        Transport::Webhook(webhook) => {
            let started = until(&mut shutdown, webhook::start(&bot, webhook, &config.retry, &redactor)).await;
            let Some(started) = started else { return stopped_early() };
            let (listener, server) = started?;
            let on_error = Arc::new(|never: std::convert::Infallible| async move { match never {} });
            dispatch(&mut dispatcher, listener, on_error, shutdown, grace, &redactor).await;
            match tokio::time::timeout(DELETE_WEBHOOK_TIMEOUT, bot.delete_webhook().send()).await {
                Ok(Ok(_)) => {}
                Ok(Err(error)) => tracing::warn!(error = %redactor.error(&error), "deleteWebhook failed"),
                Err(_) => tracing::warn!("deleteWebhook timed out"),
            }
            // The server stopped with the listener; dropping it stops slow clients too.
            drop(server);
        }
    }
    tracing::info!("stopped");
    Ok(())
}

/// Runs `work` unless `shutdown` resolves first.
async fn until<T>(shutdown: &mut Pin<&mut impl Future<Output = ()>>, work: impl Future<Output = T>) -> Option<T> {
    tokio::select! {
        value = work => Some(value),
        () = shutdown.as_mut() => None,
    }
}

/// What `run` returns when shut down before it dispatched anything.
fn stopped_early() -> anyhow::Result<()> {
    tracing::info!("stopped during start-up");
    Ok(())
}

/// The bot for `config`: token, API URL and proxy, with teloxide's default
/// HTTP client settings (5 s connect timeout, 17 s request timeout).
fn bot(config: &BotConfig) -> anyhow::Result<Bot> {
    let mut client = teloxide::net::default_reqwest_settings();
    if let Some(proxy) = &config.proxy {
        client = client.proxy(reqwest::Proxy::all(proxy.expose()).context("TELOXIDE_PROXY is not a valid proxy")?);
    }
    let client = client.build().context("cannot build the HTTP client")?;
    let mut bot = Bot::with_client(config.token.expose(), client);
    if let Some(url) = &config.api_url {
        bot = bot.set_api_url(url.clone());
    }
    Ok(bot)
}

/// `deleteWebhook`, retried: long polling is refused while a webhook is set. A
/// failure is logged; `getUpdates` will then say what is wrong.
async fn delete_webhook(bot: &Bot, policy: &RetryPolicy, redactor: &Redactor) {
    let request = bot.delete_webhook();
    if let Err(error) = with_retry(policy, || request.send_ref(), |_, _, _| {}).await {
        tracing::warn!(error = %redactor.error(&error), "deleteWebhook failed");
    }
}

/// `getMe`, retried: checks the token and tells who the bot is.
async fn connect(bot: &Bot, policy: &RetryPolicy, redactor: &Redactor) -> anyhow::Result<Me> {
    let on_retry = |error: &RequestError, attempt, _| {
        tracing::warn!(attempt, error = %redactor.error(error), "getMe failed; retrying");
    };
    with_retry(policy, || bot.get_me().send(), on_retry)
        .await
        .map_err(|error| anyhow!("cannot connect to the Telegram Bot API: {}", redactor.error(&error)))
}

/// Registers the commands so Telegram clients list them; a failure is logged
/// and does not stop the bot.
async fn register_commands(bot: &Bot, commands: &Commands, policy: &RetryPolicy, redactor: &Redactor) {
    let request = bot.set_my_commands(commands.registered());
    if let Err(error) = with_retry(policy, || request.send_ref(), |_, _, _| {}).await {
        tracing::warn!(error = %redactor.error(&error), "setMyCommands failed; commands will not be suggested");
    }
}

/// The dispatcher over [`schema`], with `state` as its dependency, updates
/// that are not for the bot ignored quietly, and handler errors logged redacted.
/// Every update carries a guard that tells `ledger` when its handling ended, so
/// polling confirms only what was handled.
fn dispatcher(bot: &Bot, state: Arc<BotState>, ledger: Ledger, redactor: &Redactor) -> BotDispatcher {
    let redactor = redactor.clone();
    let tree = dptree::entry().map(|update: Update, ledger: Ledger| ledger.guard(update.id.0)).chain(schema());
    Dispatcher::builder(bot.clone(), tree)
        .dependencies(dptree::deps![state, ledger])
        .default_handler(|update| async move {
            // Not for the bot, or dropped by flood control: nothing to say. The
            // default handler would log the whole update, text and names included.
            tracing::debug!(update = update.id.0, "update ignored");
        })
        .error_handler(Arc::new(move |error: anyhow::Error| {
            let text = redactor.chain(&error);
            async move { tracing::error!(error = %text, "handler failed") }
        }))
        .build()
}

/// Dispatches from `listener` until `shutdown`, then shuts the dispatcher down
/// and waits up to `grace` for it to finish the updates in flight.
async fn dispatch<L, E>(
    dispatcher: &mut BotDispatcher,
    listener: L,
    on_error: Arc<E>,
    mut shutdown: Pin<&mut impl Future<Output = ()>>,
    grace: Duration,
    redactor: &Redactor,
) where
    L: UpdateListener + Send,
    L::Err: Debug,
    E: ErrorHandler<L::Err> + Send + Sync,
{
    let token = dispatcher.shutdown_token();
    let mut dispatching = pin!(dispatcher.try_dispatch_with_listener(listener, on_error));
    tokio::select! {
        result = dispatching.as_mut() => {
            // The listener ended by itself.
            if let Err(error) = result {
                tracing::error!(error = %redactor.error(&error), "dispatching could not start");
            }
            return;
        }
        () = shutdown.as_mut() => {}
    }
    tracing::info!("shutting down: no new updates; finishing the replies in flight");
    if token.shutdown().is_err() {
        // The dispatcher had not started yet: nothing is in flight.
        return;
    }
    if tokio::time::timeout(grace, dispatching).await.is_err() {
        tracing::warn!(grace_ms = grace.as_millis() as u64, "replies still in flight at the end of the grace period");
    }
}
