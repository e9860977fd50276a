//! Starting and stopping the bot: serve `/healthz` and `/metrics` (503 until
//! serving), connect (`getMe`), register the commands, start the transport's listener, dispatch its updates until the shutdown
//! future resolves, then stop the listener, let the replies in flight finish
//! (bounded by the grace period) and return. Apart from choosing the listener,
//! both transports run alike. A shutdown during start-up stops at once.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, anyhow};
use teloxide::dispatching::{DefaultKey, Dispatcher};
use teloxide::prelude::*;
use teloxide::requests::Request;
use teloxide::types::Me;
use teloxide::{RequestError, dptree};

use super::chats::ChatMemory;
use super::commands::Commands;
use super::config::{BotConfig, Transport, WebhookConfig};
use super::flood::FloodGate;
use super::incoming::Identity;
use super::listen::Listener;
use super::metrics::Metrics;
use super::outbox::Outbox;
use super::polling;
use super::redact::Redactor;
use super::retry::{RetryPolicy, with_retry};
use super::schema::schema;
use super::state::BotState;
use super::status::{self, Health};
use super::webhook;
use crate::engine::Engine;
use crate::knowledge::ENGLISH;

/// The dispatcher the bot runs.
type BotDispatcher = Dispatcher<Bot, anyhow::Error, DefaultKey>;

/// Runs the bot until `shutdown` resolves. Then it stops fetching updates,
/// lets the replies in flight finish for up to `config.shutdown_grace`, and
/// returns `Ok`. A Bot API error while running is logged and never ends it.
///
/// # Errors
/// Start-up failures: the Bot API cannot be reached or rejects the token, the
/// webhook address cannot be bound, `setWebhook` fails, or the dispatcher
/// cannot start. Messages never contain the token.
pub async fn run(config: BotConfig, engine: Engine, shutdown: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
    let mut shutdown = pin!(shutdown);
    let redactor = config.redactor();
    let bot = bot(&config).map_err(|error| anyhow!(redactor.chain(&error)))?;
    let (journal, chats_path) = (config.journal_path(), config.chats_path());
    let metrics = Arc::new(Metrics::new());
    let health = Health::starting();
    // Served from before `getMe`, so that `/healthz` says "starting" while the bot starts.
    let (transport, _status_server) = match config.transport {
        Transport::Webhook(webhook) => {
            let endpoint = webhook::serve(&webhook, status::routes(metrics.clone(), health.clone())).await?;
            (Started::Webhook(Box::new(endpoint), webhook), None)
        }
        Transport::Polling { drop_pending_updates } => {
            let server = match &config.metrics_listen {
                Some(listen) => Some(status::serve(listen, metrics.clone(), health.clone()).await?),
                None => None,
            };
            (Started::Polling { drop_pending_updates }, server)
        }
    };
    let Some(me) = until(&mut shutdown, connect(&bot, &config.retry, &redactor)).await else {
        return stopped_early(&health);
    };
    let me = me?;
    let username = me.user.username.clone().context("getMe returned a bot without a username")?;
    tracing::info!(bot = %username, "connected to Telegram");
    let commands = Commands::new(&engine).map_err(|reason| anyhow!("the knowledge's commands: {reason}"))?;
    if until(&mut shutdown, register_commands(&bot, &commands, &config.retry, &redactor)).await.is_none() {
        return stopped_early(&health);
    }

    std::fs::create_dir_all(&config.state_dir)
        .with_context(|| format!("cannot create the state folder {}", config.state_dir.display()))?;
    let chats =
        ChatMemory::open(&config.storage, &chats_path).await.map_err(|error| anyhow!(redactor.chain(&error)))?;
    let outbox = Outbox::new(bot.clone(), config.throttle, config.retry, redactor.clone(), metrics.clone());
    let state = Arc::new(BotState {
        engine,
        identity: Identity { id: me.user.id, username },
        commands,
        chats,
        flood: FloodGate::new(config.max_messages_per_minute),
        outbox,
        redactor: redactor.clone(),
        metrics: metrics.clone(),
    });
    let listening = match transport {
        Started::Webhook(endpoint, webhook) => {
            until(&mut shutdown, webhook::listener(&bot, *endpoint, &webhook, &config.retry, &redactor)).await
        }
        Started::Polling { drop_pending_updates } => {
            let polling = polling::listener(&bot, &journal, drop_pending_updates, &config.retry, &redactor, &metrics);
            until(&mut shutdown, async { Ok(polling.await) }).await
        }
    };
    let Some(listener) = listening else {
        return stopped_early(&health);
    };
    let listener = listener?;
    let mut dispatcher = dispatcher(&bot, state, &listener, &redactor);
    health.serve();
    let dispatched = dispatch(&mut dispatcher, listener, shutdown, &health, config.shutdown_grace).await;
    health.stop();
    dispatched.map_err(|error| anyhow!("the dispatcher could not start (getMe failed): {}", redactor.error(&error)))?;
    tracing::info!("stopped");
    Ok(())
}

/// The transport, once its server (if any) is listening.
enum Started {
    /// Long polling, which starts fetching only once the bot is connected.
    Polling { drop_pending_updates: bool },
    /// The webhook server, listening with its path closed, and its configuration.
    Webhook(Box<webhook::Endpoint>, WebhookConfig),
}

/// Runs `work` unless `shutdown` resolves first.
async fn until<T>(shutdown: &mut Pin<&mut impl Future<Output = ()>>, work: impl Future<Output = T>) -> Option<T> {
    tokio::select! {
        value = work => Some(value),
        () = shutdown.as_mut() => None,
    }
}

/// What `run` returns when shut down before it dispatched anything.
fn stopped_early(health: &Health) -> anyhow::Result<()> {
    health.stop();
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

/// `getMe`, retried: checks the token and tells who the bot is.
async fn connect(bot: &Bot, policy: &RetryPolicy, redactor: &Redactor) -> anyhow::Result<Me> {
    let on_retry = |error: &RequestError, attempt, _| {
        tracing::warn!(attempt, error = %redactor.error(error), "getMe failed; retrying");
    };
    with_retry(policy, || bot.get_me().send(), on_retry)
        .await
        .map_err(|error| anyhow!("cannot connect to the Telegram Bot API: {}", redactor.error(&error)))
}

/// Registers the commands so Telegram clients list them: in English for
/// everyone, and in each other answered language for the users whose app is
/// set to it (`language_code`). A failure is logged and does not stop the bot.
async fn register_commands(bot: &Bot, commands: &Commands, policy: &RetryPolicy, redactor: &Redactor) {
    let request = bot.set_my_commands(commands.registered(ENGLISH));
    if let Err(error) = with_retry(policy, || request.send_ref(), |_, _, _| {}).await {
        tracing::warn!(error = %redactor.error(&error), "setMyCommands failed; commands will not be suggested");
    }
    for lang in commands.other_languages() {
        let request = bot.set_my_commands(commands.registered(lang)).language_code(lang);
        if let Err(error) = with_retry(policy, || request.send_ref(), |_, _, _| {}).await {
            tracing::warn!(lang, error = %redactor.error(&error), "setMyCommands failed for a language");
        }
    }
}

/// The dispatcher over [`schema`] (as the listener needs it), with `state` as
/// its dependency, updates that are not for the bot ignored quietly, and
/// handler errors logged redacted. Every update goes to the dispatcher's one
/// concurrent worker; the listener's turns keep each chat's updates in order,
/// without the channel per chat that teloxide's workers would keep.
fn dispatcher(bot: &Bot, state: Arc<BotState>, listener: &Listener, redactor: &Redactor) -> BotDispatcher {
    let redactor = redactor.clone();
    Dispatcher::builder(bot.clone(), listener.handler(schema()))
        .distribution_function(|_| None::<DefaultKey>)
        .dependencies(dptree::deps![state])
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

/// Dispatches from `listener` until `shutdown`, then marks the bot stopping
/// in `health`, shuts the dispatcher down and waits up to `grace` for it to
/// finish the updates in flight.
///
/// # Errors
/// The dispatcher could not start: its own `getMe` failed.
async fn dispatch(
    dispatcher: &mut BotDispatcher,
    listener: Listener,
    mut shutdown: Pin<&mut impl Future<Output = ()>>,
    health: &Health,
    grace: Duration,
) -> Result<(), RequestError> {
    let token = dispatcher.shutdown_token();
    // The listener's errors are `Infallible`: there is nothing to handle.
    let on_error = Arc::new(|never: std::convert::Infallible| async move { match never {} });
    let mut dispatching = pin!(dispatcher.try_dispatch_with_listener(listener, on_error));
    tokio::select! {
        // The listener ended by itself, or the dispatcher could not start.
        result = dispatching.as_mut() => return result,
        () = shutdown.as_mut() => {}
    }
    health.stop();
    tracing::info!("shutting down: no new updates; finishing the replies in flight");
    if token.shutdown().is_err() {
        // The dispatcher had not started yet: nothing is in flight.
        return Ok(());
    }
    if tokio::time::timeout(grace, dispatching).await.is_err() {
        tracing::warn!(grace_ms = grace.as_millis() as u64, "replies still in flight at the end of the grace period");
    }
    Ok(())
}
