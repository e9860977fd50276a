//! The dispatcher's side of where updates come from: a bounded channel that the
//! poller ([`super::polling`]) or the webhook server fills, screened so that an
//! update teloxide cannot parse is dropped with a log line naming only its id
//! (teloxide's dispatcher would log its raw JSON, the person's text included).

use std::convert::Infallible;
use std::pin::Pin;

use teloxide::stop::{StopFlag, StopToken, mk_stop_token};
use teloxide::types::{AllowedUpdate, Update, UpdateKind};
use teloxide::update_listeners::{AsUpdateStream, StatefulListener, UpdateListener};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::{Stream, StreamExt};

/// The update kinds the bot asks for, in both transports: what the handler tree
/// handles. Edited messages are not even fetched: they are never answered again.
pub const ALLOWED_UPDATES: [AllowedUpdate; 2] = [AllowedUpdate::Message, AllowedUpdate::CallbackQuery];

/// The sending end of the webhook's update channel.
pub type UpdateSender = mpsc::Sender<Result<Update, Infallible>>;

/// A listener fed through a bounded channel of `capacity` updates, and the flag
/// that is raised when the dispatcher stops it. The stream ends when every
/// sender is dropped.
pub fn channel(capacity: usize) -> (UpdateSender, Screened<impl UpdateListener<Err = Infallible> + Send>, StopFlag) {
    let (sender, receiver) = mpsc::channel(capacity);
    let (token, flag) = mk_stop_token();
    let listener = StatefulListener::new((ReceiverStream::new(receiver), token), stream_of, stop_token_of);
    (sender, Screened(listener), flag)
}

type ChannelState = (ReceiverStream<Result<Update, Infallible>>, StopToken);

// Named functions rather than closures: the listener needs them to work for
// any borrow lifetime, which closures cannot be told (see teloxide's webhooks).
fn stream_of(state: &mut ChannelState) -> &mut ReceiverStream<Result<Update, Infallible>> {
    &mut state.0
}

fn stop_token_of(state: &mut ChannelState) -> StopToken {
    state.1.clone()
}

/// A listener without the updates teloxide could not parse.
pub struct Screened<L>(pub L);

impl<'a, L> AsUpdateStream<'a> for Screened<L>
where
    L: UpdateListener + 'a,
{
    type StreamErr = L::Err;
    type Stream = Pin<Box<dyn Stream<Item = Result<Update, L::Err>> + Send + 'a>>;

    fn as_stream(&'a mut self) -> Self::Stream {
        Box::pin(self.0.as_stream().filter(parsed))
    }
}

impl<L: UpdateListener> UpdateListener for Screened<L>
where
    Self: for<'a> AsUpdateStream<'a, StreamErr = L::Err>,
{
    type Err = L::Err;

    fn stop_token(&mut self) -> StopToken {
        self.0.stop_token()
    }

    fn hint_allowed_updates(&mut self, hint: &mut dyn Iterator<Item = AllowedUpdate>) {
        self.0.hint_allowed_updates(hint);
    }
}

fn parsed<E>(item: &Result<Update, E>) -> bool {
    match item {
        Ok(update) if matches!(update.kind, UpdateKind::Error(_)) => {
            tracing::warn!(update = update.id.0, "skipped an update of a kind teloxide cannot parse");
            false
        }
        _ => true,
    }
}
