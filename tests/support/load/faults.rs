//! Which Bot API calls fail, and how. A fixed share of calls (any method)
//! fails, the kinds in equal parts: HTTP 500; 429 with `retry_after`; a dropped
//! connection (closed without a response and without processing the call);
//! a stall (the call waits, then is processed and answered normally). Whether
//! a call fails is a hash of its sequence number (reproducible, lock-free); the
//! failing calls take the kinds in turn, so the mix is exactly even.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use super::fake_bot_api::{Failure, FaultSource};

/// The kinds of fault, in turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 500 with a Bot API error body; not processed.
    ServerError,
    /// HTTP 429 with `retry_after`; not processed.
    TooManyRequests,
    /// The connection is closed before any response; not processed.
    Dropped,
    /// Processed and answered normally after a wait.
    Stalled,
}

impl Fault {
    /// Every kind, in the order of [`FaultCounts`].
    pub const ALL: [Fault; 4] = [Fault::ServerError, Fault::TooManyRequests, Fault::Dropped, Fault::Stalled];

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Fault::ServerError => "http_500",
            Fault::TooManyRequests => "http_429",
            Fault::Dropped => "dropped",
            Fault::Stalled => "stalled",
        }
    }
}

/// What to inject.
#[derive(Debug, Clone, Copy)]
pub struct FaultPlan {
    /// The share of calls that fail, `0.0..=1.0`.
    pub rate: f64,
    /// How long a stalled call waits.
    pub stall: Duration,
    /// The `retry_after` of a 429, in seconds.
    pub retry_after: u32,
    /// Seeds the choice of calls.
    pub seed: u64,
    /// Fail only calls of this method (`sendMessage`, say); `None`: any method.
    pub only: Option<&'static str>,
}

impl Default for FaultPlan {
    /// 20% of calls, 2 s stalls, `retry_after: 1`.
    fn default() -> FaultPlan {
        FaultPlan { rate: 0.2, stall: Duration::from_secs(2), retry_after: 1, seed: 0x0005_eed4_1055, only: None }
    }
}

/// Injected faults per kind, in the order of [`Fault::ALL`].
pub type FaultCounts = [u64; 4];

/// The fault injector of one fake API; off until [`Faults::arm`].
pub struct Faults {
    plan: Option<FaultPlan>,
    armed: AtomicBool,
    calls: AtomicU64,
    faults: AtomicU64,
    injected: [AtomicU64; 4],
}

impl Faults {
    /// An injector following `plan` (none: never fails), disarmed.
    pub fn new(plan: Option<FaultPlan>) -> Faults {
        Faults {
            plan,
            armed: AtomicBool::new(false),
            calls: AtomicU64::new(0),
            faults: AtomicU64::new(0),
            injected: Default::default(),
        }
    }

    /// Starts failing calls (the scenario does it once the bot is up: a
    /// failing start-up exits by design and is not what is measured).
    pub fn arm(&self) {
        self.armed.store(true, Ordering::Release);
    }

    /// Stops failing calls.
    pub fn disarm(&self) {
        self.armed.store(false, Ordering::Release);
    }

    /// Faults injected so far, per kind.
    pub fn counts(&self) -> FaultCounts {
        std::array::from_fn(|kind| self.injected[kind].load(Ordering::Relaxed))
    }

    /// Calls that went through the injector while armed.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }
}

impl FaultSource for Faults {
    fn next(&self, method: &str) -> Option<Failure> {
        let plan = self.plan.filter(|_| self.armed.load(Ordering::Acquire))?;
        if plan.only.is_some_and(|only| only != method) {
            return None;
        }
        let n = self.calls.fetch_add(1, Ordering::Relaxed);
        let hash = splitmix64(plan.seed ^ n);
        let unit = (hash >> 11) as f64 / (1u64 << 53) as f64;
        if unit >= plan.rate {
            return None;
        }
        let kind = (self.faults.fetch_add(1, Ordering::Relaxed) % Fault::ALL.len() as u64) as usize;
        self.injected[kind].fetch_add(1, Ordering::Relaxed);
        Some(match Fault::ALL[kind] {
            Fault::ServerError => Failure::ServerError,
            Fault::TooManyRequests => Failure::TooManyRequests { retry_after: plan.retry_after },
            Fault::Dropped => Failure::Dropped,
            Fault::Stalled => Failure::Stalled(plan.stall),
        })
    }
}

/// SplitMix64: a fast, well-mixed hash of a counter.
fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
