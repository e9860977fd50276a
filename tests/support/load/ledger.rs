//! The ledger of one phase: for each question, when it became available and
//! how many replies named it. Lock-free (atomics per slot), because the fake
//! API records replies from many connections at thousands per second.

use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What a recorded reply was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// The first reply to its question.
    First,
    /// Another reply to an answered question: a duplicate.
    Again,
    /// A message that names no question of this phase (a second part of a
    /// long reply, an apology, a reply to an earlier phase).
    Stray,
}

#[derive(Default)]
struct Slot {
    /// Nanoseconds since the epoch + 1 when first available; 0 if never.
    offered: AtomicU64,
    replies: AtomicU32,
    /// Nanoseconds since the epoch + 1 of the first reply; 0 if none.
    replied: AtomicU64,
}

/// Questions and replies of one phase.
pub struct Ledger {
    epoch: Instant,
    slots: Box<[Slot]>,
    answered: AtomicUsize,
    strays: AtomicUsize,
}

/// What a ledger holds, summed up.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Questions made available to the bot.
    pub asked: usize,
    /// Questions with at least one reply.
    pub answered: usize,
    /// Questions asked and never answered.
    pub lost: usize,
    /// Questions never asked (their user waited on a lost reply).
    pub not_asked: usize,
    /// Replies beyond the first, over all questions.
    pub duplicated: usize,
    /// Questions answered more than once.
    pub duplicated_questions: usize,
    /// Messages naming no question of the phase.
    pub strays: usize,
    /// From the first question available to the last first reply.
    pub elapsed: Duration,
    /// Latency of each answered question (available -> first reply), sorted.
    pub latencies: Vec<Duration>,
}

impl Ledger {
    /// A ledger of `len` questions.
    pub fn new(len: usize) -> Ledger {
        Ledger {
            epoch: Instant::now(),
            slots: (0..len).map(|_| Slot::default()).collect(),
            answered: AtomicUsize::new(0),
            strays: AtomicUsize::new(0),
        }
    }

    fn stamp(&self, at: Instant) -> u64 {
        at.saturating_duration_since(self.epoch).as_nanos() as u64 + 1
    }

    /// Question `slot` became available at `at`; later offers (a retried
    /// webhook post) keep the first time.
    pub fn offered(&self, slot: usize, at: Instant) {
        let stamp = self.stamp(at);
        let _ = self.slots[slot].offered.compare_exchange(0, stamp, Ordering::Release, Ordering::Relaxed);
    }

    /// A reply naming `slot` (or nothing of this phase) arrived at `at`.
    pub fn replied(&self, slot: Option<usize>, at: Instant) -> Recorded {
        let Some(slot) = slot.and_then(|slot| self.slots.get(slot)) else {
            self.strays.fetch_add(1, Ordering::Relaxed);
            return Recorded::Stray;
        };
        if slot.replies.fetch_add(1, Ordering::AcqRel) > 0 {
            return Recorded::Again;
        }
        slot.replied.store(self.stamp(at), Ordering::Release);
        self.answered.fetch_add(1, Ordering::Release);
        Recorded::First
    }

    /// Questions answered at least once so far.
    pub fn answered(&self) -> usize {
        self.answered.load(Ordering::Acquire)
    }

    /// The counts and latencies so far.
    pub fn tally(&self) -> Tally {
        let mut tally = Tally::default();
        let (mut first_offer, mut last_reply) = (u64::MAX, 0);
        for slot in self.slots.iter() {
            let offered = slot.offered.load(Ordering::Acquire);
            let replies = slot.replies.load(Ordering::Acquire) as usize;
            let replied = slot.replied.load(Ordering::Acquire);
            if offered == 0 && replies == 0 {
                tally.not_asked += 1;
                continue;
            }
            tally.asked += 1;
            if replies == 0 {
                tally.lost += 1;
                continue;
            }
            tally.answered += 1;
            tally.duplicated += replies - 1;
            tally.duplicated_questions += usize::from(replies > 1);
            if offered != 0 && replied != 0 {
                first_offer = first_offer.min(offered);
                last_reply = last_reply.max(replied);
                tally.latencies.push(Duration::from_nanos(replied.saturating_sub(offered)));
            }
        }
        tally.strays = self.strays.load(Ordering::Relaxed);
        tally.elapsed = Duration::from_nanos(last_reply.saturating_sub(first_offer.min(last_reply)));
        tally.latencies.sort_unstable();
        tally
    }
}

impl Tally {
    /// First replies per second over the phase.
    pub fn replies_per_second(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 { self.answered as f64 / seconds } else { 0.0 }
    }

    /// The `p`-th percentile latency (nearest rank), `p` in `0.0..=100.0`.
    pub fn percentile(&self, p: f64) -> Option<Duration> {
        let n = self.latencies.len();
        if n == 0 {
            return None;
        }
        let rank = ((p / 100.0) * n as f64).ceil() as usize;
        Some(self.latencies[rank.clamp(1, n) - 1])
    }

    /// The largest latency.
    pub fn max_latency(&self) -> Option<Duration> {
        self.latencies.last().copied()
    }
}
