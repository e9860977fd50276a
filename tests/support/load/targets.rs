//! The targets, checked against a [`Report`]. A check is either
//! about correctness (lost, duplicated, exit codes, rejected abuse), which the
//! tests assert, or about timing and size, which only the benchmark reports.

use std::time::Duration;

use super::report::{Report, mib, ms};

/// Replies per second the load scenarios must reach on the 2-core machine.
pub const TARGET_REPLIES_PER_SECOND: f64 = 5_000.0;
/// p99 latency target of the load scenarios.
pub const TARGET_P99: Duration = Duration::from_millis(20);
/// Peak RSS target, in KiB (40 MiB).
pub const TARGET_RSS_KIB: u64 = 40 * 1024;
/// How soon a SIGTERMed bot must exit.
pub const TARGET_SIGTERM_EXIT: Duration = Duration::from_secs(5);
/// Abused p99 may be at most this many times the unloaded p99.
pub const TARGET_ABUSE_P99_FACTOR: f64 = 2.0;

/// One target checked.
#[derive(Debug, Clone)]
pub struct Check {
    /// What is checked.
    pub name: &'static str,
    /// The target, in words.
    pub target: String,
    /// What was measured.
    pub measured: String,
    /// Whether the target is met.
    pub met: bool,
    /// A timing or size target (benchmark only), not a correctness one.
    pub timing: bool,
}

impl Report {
    /// The targets that apply to this scenario, checked.
    pub fn checks(&self) -> Vec<Check> {
        let t = &self.tally;
        let mut checks = Vec::new();
        let mut check = |name, target: &str, measured: String, met, timing| {
            checks.push(Check { name, target: target.to_string(), measured, met, timing });
        };
        let exactly_once = |check: &mut dyn FnMut(&'static str, &str, String, bool, bool)| {
            check("lost", "0", t.lost.to_string(), t.lost == 0, false);
            check("never asked", "0", t.not_asked.to_string(), t.not_asked == 0, false);
            check("duplicated", "0", t.duplicated.to_string(), t.duplicated == 0, false);
        };
        match self.scenario {
            "polling" | "polling-redis" | "webhook" => {
                let rate = t.replies_per_second();
                check("replies/s", ">= 5000", format!("{rate:.0}"), rate >= TARGET_REPLIES_PER_SECOND, true);
                let p99 = t.percentile(99.0);
                check("p99 latency", "<= 20 ms", ms(p99), p99.is_some_and(|p| p <= TARGET_P99), true);
                let rss = self.peak_rss_kib;
                check("peak RSS", "<= 40 MiB", mib(rss), rss.is_some_and(|kib| kib <= TARGET_RSS_KIB), true);
                exactly_once(&mut check);
            }
            "faults" => exactly_once(&mut check),
            "sigkill" => {
                check("lost", "0", t.lost.to_string(), t.lost == 0, false);
                check("never asked", "0", t.not_asked.to_string(), t.not_asked == 0, false);
            }
            "sigterm" => {
                let exit = self.interruption.as_ref().and_then(|i| i.exit);
                let code = exit.and_then(|exit| exit.code);
                check("exit code", "0", format!("{code:?}"), code == Some(0), false);
                let took = exit.map(|exit| exit.took);
                let in_time = took.is_some_and(|took| took <= TARGET_SIGTERM_EXIT);
                check(
                    "exit time",
                    "<= 5 s",
                    took.map_or("none".into(), |t| format!("{:.2} s", t.as_secs_f64())),
                    in_time,
                    true,
                );
                let dropped = self.interruption.as_ref().map_or(0, |i| i.dropped_at_stop);
                check("dropped at stop", "0", dropped.to_string(), dropped == 0, false);
                exactly_once(&mut check);
            }
            "abuse" => {
                if let Some(abuse) = &self.abuse {
                    let (rejected, sent) = (abuse.rejected(), abuse.sent());
                    check("abuse rejected 4xx", "all", format!("{rejected}/{sent}"), rejected == sent, false);
                }
                let alive = self.alive_after_abuse == Some(true);
                check("bot still running", "yes", format!("{:?}", self.alive_after_abuse), alive, false);
                check("abusive updates answered", "0", t.strays.to_string(), t.strays == 0, false);
                let base = self.baseline.as_ref().and_then(|b| b.percentile(99.0));
                let p99 = t.percentile(99.0);
                let ratio = match (p99, base) {
                    (Some(p99), Some(base)) if !base.is_zero() => Some(p99.as_secs_f64() / base.as_secs_f64()),
                    _ => None,
                };
                let measured =
                    format!("{} vs {} ({})", ms(p99), ms(base), ratio.map_or("-".into(), |r| format!("{r:.2}x")));
                check(
                    "p99 under abuse",
                    "<= 2x unloaded",
                    measured,
                    ratio.is_some_and(|r| r <= TARGET_ABUSE_P99_FACTOR),
                    true,
                );
                exactly_once(&mut check);
            }
            _ => exactly_once(&mut check),
        }
        checks
    }
}
