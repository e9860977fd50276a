//! What a scenario measured, with the targets checked against it (see
//! [`super::targets`]), and the text that shows it to people.

use std::time::Duration;

use super::abuse::AbuseOutcome;
use super::bot_process::Exit;
use super::faults::{Fault, FaultCounts};
use super::ledger::Tally;
use super::session::CpuUse;

/// The bot was stopped by a signal in the middle of the load.
#[derive(Debug, Clone)]
pub struct Interruption {
    /// `SIGKILL` or `SIGTERM`.
    pub signal: &'static str,
    /// Questions answered when the signal was sent.
    pub answered_before: usize,
    /// How the process ended (`None`: it did not end in time).
    pub exit: Option<Exit>,
    /// Asked, unanswered and no longer in the `getUpdates` queue once the
    /// process had ended: confirmed to Telegram without a reply.
    pub dropped_at_stop: usize,
    /// Still in the queue for the next process.
    pub left_in_queue: usize,
}

/// Faults injected during the scenario.
#[derive(Debug, Clone)]
pub struct FaultSummary {
    /// Per kind, in the order of [`Fault::ALL`].
    pub counts: FaultCounts,
    /// Calls that went through the injector.
    pub calls: u64,
    /// `--send-attempts` given to the bot (`None`: the binary lacks the flag).
    pub send_attempts: Option<u32>,
}

/// The result of one scenario.
#[derive(Debug, Clone)]
pub struct Report {
    /// The scenario's name.
    pub scenario: &'static str,
    /// `polling` or `webhook`.
    pub transport: &'static str,
    /// Simulated users.
    pub users: usize,
    /// Questions per user.
    pub questions: usize,
    /// The measured traffic (during abuse, for the abuse scenario).
    pub tally: Tally,
    /// The same traffic without abuse (abuse scenario).
    pub baseline: Option<Tally>,
    /// From the first question to the last first reply, under faults or restarts.
    pub drain: Option<Duration>,
    /// Largest `VmHWM` of the bot processes, in KiB.
    pub peak_rss_kib: Option<u64>,
    /// The bot's `VmRSS` before and after the measured phase, in KiB.
    pub rss_kib: Option<(u64, u64)>,
    /// CPU used during the measured phase.
    pub cpu: Option<CpuUse>,
    /// How the last bot process ended when stopped with SIGTERM at the end.
    pub final_exit: Option<Exit>,
    /// A signal in the middle of the load, for the restart scenarios.
    pub interruption: Option<Interruption>,
    /// Faults injected.
    pub faults: Option<FaultSummary>,
    /// Abusive requests and their answers.
    pub abuse: Option<AbuseOutcome>,
    /// Whether the bot was still running after the abuse.
    pub alive_after_abuse: Option<bool>,
    /// Whether the abuse was still going on when the real traffic ended.
    pub abuse_overlapped: Option<bool>,
    /// Bot API calls answered 200, per method.
    pub api_calls: Vec<(&'static str, u64)>,
    /// Webhook posts tried again.
    pub webhook_retries: u64,
    /// Updates returned by `getUpdates` during the measured traffic,
    /// re-deliveries of updates still in flight included.
    pub updates_served: u64,
    /// The most updates waiting to be confirmed at once (polling).
    pub most_unconfirmed: u64,
    /// From spawn to ready (polling or webhook set), per bot process.
    pub start_ups: Vec<Duration>,
    /// Anything worth knowing when reading the numbers.
    pub notes: Vec<String>,
}

impl Report {
    /// A report of `scenario` with nothing measured yet.
    pub fn new(scenario: &'static str, transport: &'static str, users: usize, questions: usize) -> Report {
        Report {
            scenario,
            transport,
            users,
            questions,
            tally: Tally::default(),
            baseline: None,
            drain: None,
            peak_rss_kib: None,
            rss_kib: None,
            cpu: None,
            final_exit: None,
            interruption: None,
            faults: None,
            abuse: None,
            alive_after_abuse: None,
            abuse_overlapped: None,
            api_calls: Vec::new(),
            webhook_retries: 0,
            updates_served: 0,
            start_ups: Vec::new(),
            most_unconfirmed: 0,
            notes: Vec::new(),
        }
    }

    /// The report for people.
    pub fn text(&self) -> String {
        let t = &self.tally;
        let mut out = format!(
            "== {} ({}): {} users x {} questions = {} ==\n",
            self.scenario,
            self.transport,
            self.users,
            self.questions,
            self.users * self.questions
        );
        let mut line = |label: &str, value: String| out.push_str(&format!("  {label:<24} {value}\n"));
        line("asked / answered", format!("{} / {}", t.asked, t.answered));
        line("lost / never asked", format!("{} / {}", t.lost, t.not_asked));
        line("duplicated replies", format!("{} (in {} questions)", t.duplicated, t.duplicated_questions));
        line("other messages", t.strays.to_string());
        line("elapsed", format!("{:.2} s", t.elapsed.as_secs_f64()));
        line("replies/s", format!("{:.0}", t.replies_per_second()));
        line("latency p50/p99/max", latencies(t));
        if let Some(base) = &self.baseline {
            line("unloaded p50/p99/max", latencies(base));
            line("unloaded replies/s", format!("{:.0}", base.replies_per_second()));
        }
        if let Some(drain) = self.drain {
            line("drain", format!("{:.2} s", drain.as_secs_f64()));
        }
        line("peak RSS (VmHWM)", mib(self.peak_rss_kib));
        if let Some((before, after)) = self.rss_kib {
            line("RSS before / after phase", format!("{} / {}", mib(Some(before)), mib(Some(after))));
        }
        if let Some(cpu) = self.cpu {
            line("CPU during phase", cpu_text(&cpu, t.answered));
        }
        if let Some(i) = &self.interruption {
            let exit = i
                .exit
                .map_or("did not exit".into(), |e| format!("code {:?} after {:.2} s", e.code, e.took.as_secs_f64()));
            line(&format!("{} at", i.signal), format!("{} answered; {exit}", i.answered_before));
            line("dropped / left in queue", format!("{} / {}", i.dropped_at_stop, i.left_in_queue));
        }
        if let Some(exit) = self.final_exit {
            line("final SIGTERM", format!("code {:?} after {:.2} s", exit.code, exit.took.as_secs_f64()));
        }
        if let Some(faults) = &self.faults {
            let kinds: Vec<String> =
                Fault::ALL.iter().zip(faults.counts).map(|(f, n)| format!("{} {n}", f.name())).collect();
            line(
                "faults injected",
                format!("{} of {} calls: {}", faults.counts.iter().sum::<u64>(), faults.calls, kinds.join(", ")),
            );
            line(
                "--send-attempts",
                faults.send_attempts.map_or("not supported by this binary".into(), |n| n.to_string()),
            );
        }
        if let Some(abuse) = &self.abuse {
            line(
                "abuse sent / 4xx / as documented",
                format!("{} / {} / {}", abuse.sent(), abuse.rejected(), abuse.as_documented()),
            );
            for (kind, outcome) in &abuse.kinds {
                line(&format!("  {}", kind.name()), format!("{:?} {:?}", outcome.statuses, outcome.failures));
            }
            line("abuse duration", format!("{:.2} s", abuse.finished.duration_since(abuse.started).as_secs_f64()));
            line("abuse overlapped traffic", format!("{:?}", self.abuse_overlapped));
        }
        if self.updates_served > 0 {
            let factor = if t.asked > 0 { self.updates_served as f64 / t.asked as f64 } else { 0.0 };
            line("updates served", format!("{} by getUpdates ({factor:.2} per question)", self.updates_served));
            line(
                "most in queue",
                format!("{} updates waiting to be fetched or confirmed at once", self.most_unconfirmed),
            );
        }
        if self.webhook_retries > 0 {
            line("webhook posts retried", self.webhook_retries.to_string());
        }
        let starts: Vec<String> =
            self.start_ups.iter().map(|d| format!("{:.0} ms", d.as_secs_f64() * 1000.0)).collect();
        line("bot start-up", starts.join(", "));
        let calls: Vec<String> = self.api_calls.iter().map(|(m, n)| format!("{m} {n}")).collect();
        line("Bot API calls (200)", calls.join(", "));
        for check in self.checks() {
            let verdict = if check.met { "met" } else { "MISSED" };
            out.push_str(&format!(
                "  target {:<17} {:<16} measured {:<22} {verdict}\n",
                check.name, check.target, check.measured
            ));
        }
        for note in &self.notes {
            out.push_str(&format!("  note: {note}\n"));
        }
        out
    }
}

/// "bot 1.20 s (60% of 2 cores, 120 us/reply), harness ...".
fn cpu_text(cpu: &CpuUse, replies: usize) -> String {
    let wall = cpu.wall.as_secs_f64().max(1e-9);
    let part = |name: &str, used: Option<Duration>| match used {
        Some(used) => {
            let seconds = used.as_secs_f64();
            let per_reply = if replies > 0 { seconds * 1e6 / replies as f64 } else { 0.0 };
            format!("{name} {seconds:.2} s ({:.0}% of a core, {per_reply:.0} us/reply)", 100.0 * seconds / wall)
        }
        None => format!("{name} -"),
    };
    format!("{:.2} s wall; {}; {}", cpu.wall.as_secs_f64(), part("bot", cpu.bot), part("harness", cpu.harness))
}

fn latencies(t: &Tally) -> String {
    format!("{} / {} / {}", ms(t.percentile(50.0)), ms(t.percentile(99.0)), ms(t.max_latency()))
}

/// A duration in milliseconds, or `-`.
pub(super) fn ms(duration: Option<Duration>) -> String {
    duration.map_or("-".into(), |d| format!("{:.2} ms", d.as_secs_f64() * 1000.0))
}

/// A size in MiB, or `-`.
pub(super) fn mib(kib: Option<u64>) -> String {
    kib.map_or("-".into(), |kib| format!("{:.1} MiB", kib as f64 / 1024.0))
}
