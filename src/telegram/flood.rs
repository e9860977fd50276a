//! Incoming flood control: each person may send a number of messages per
//! minute. The first one over the limit gets a "please slow down"; the rest of
//! that minute is ignored. Time is passed in, so tests need no sleeping.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The length of a counting window.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Forget people whose window ended, once this many are remembered.
const PRUNE_ABOVE: usize = 4096;

/// What to do with one incoming message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Within the limit: answer it.
    Allowed,
    /// The first message over the limit this minute: say "please slow down".
    SlowDown,
    /// Over the limit, and already told: ignore it.
    Drop,
}

/// Counts messages per person in fixed one-minute windows, each starting at the
/// person's first message.
#[derive(Debug)]
pub struct FloodGate {
    limit: u32,
    // A std mutex, not tokio's: it is held for a few instructions and never
    // across an `.await`.
    windows: Mutex<HashMap<u64, Window>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    count: u32,
}

impl FloodGate {
    /// A gate letting `limit` messages per minute through for each person;
    /// `0` lets everything through.
    pub fn new(limit: u32) -> FloodGate {
        FloodGate { limit, windows: Mutex::new(HashMap::new()) }
    }

    /// Admits one message from `person` now.
    pub fn check(&self, person: u64) -> Admission {
        self.check_at(person, Instant::now())
    }

    /// Admits one message from `person` at `now`.
    pub fn check_at(&self, person: u64, now: Instant) -> Admission {
        if self.limit == 0 {
            return Admission::Allowed;
        }
        // A poisoned lock only means another thread panicked while counting; the
        // counts are still usable.
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        if windows.len() > PRUNE_ABOVE {
            windows.retain(|_, window| now.saturating_duration_since(window.started) < WINDOW);
        }
        let window = windows.entry(person).or_insert(Window { started: now, count: 0 });
        if now.saturating_duration_since(window.started) >= WINDOW {
            *window = Window { started: now, count: 0 };
        }
        window.count = window.count.saturating_add(1);
        match window.count.checked_sub(self.limit) {
            None | Some(0) => Admission::Allowed,
            Some(1) => Admission::SlowDown,
            Some(_) => Admission::Drop,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_the_limit_says_slow_down_once_then_drops_until_the_minute_ends() {
        let gate = FloodGate::new(3);
        let t0 = Instant::now();
        let at = |secs: u64| t0 + Duration::from_secs(secs);
        assert_eq!(gate.check_at(1, at(0)), Admission::Allowed);
        assert_eq!(gate.check_at(1, at(1)), Admission::Allowed);
        assert_eq!(gate.check_at(1, at(2)), Admission::Allowed);
        assert_eq!(gate.check_at(1, at(3)), Admission::SlowDown);
        assert_eq!(gate.check_at(1, at(4)), Admission::Drop);
        assert_eq!(gate.check_at(1, at(59)), Admission::Drop);
        // Another person is counted apart.
        assert_eq!(gate.check_at(2, at(59)), Admission::Allowed);
        // A new minute, a new count.
        assert_eq!(gate.check_at(1, at(60)), Admission::Allowed);
        assert_eq!(gate.check_at(1, at(61)), Admission::Allowed);
    }

    #[test]
    fn the_default_of_twenty_per_minute() {
        let gate = FloodGate::new(20);
        let t0 = Instant::now();
        let verdicts: Vec<Admission> = (0..25).map(|i| gate.check_at(7, t0 + Duration::from_millis(100 * i))).collect();
        assert!(verdicts[..20].iter().all(|v| *v == Admission::Allowed));
        assert_eq!(verdicts[20], Admission::SlowDown);
        assert!(verdicts[21..].iter().all(|v| *v == Admission::Drop));
    }

    #[test]
    fn zero_means_no_limit() {
        let gate = FloodGate::new(0);
        let t0 = Instant::now();
        assert!((0..1000).all(|_| gate.check_at(1, t0) == Admission::Allowed));
    }

    #[test]
    fn old_windows_are_forgotten() {
        let gate = FloodGate::new(1);
        let t0 = Instant::now();
        for person in 0..=PRUNE_ABOVE as u64 {
            gate.check_at(person, t0);
        }
        gate.check_at(u64::MAX, t0 + WINDOW);
        let remembered = gate.windows.lock().map(|w| w.len()).unwrap_or_default();
        assert!(remembered <= 2, "{remembered} windows kept");
    }
}
