//! The load, fault and restart benchmark: runs the real `hypnic` process
//! against the fake Bot API on 127.0.0.1 and prints one report per scenario
//! (each target marked met or MISSED).
//!
//! ```sh
//! cargo bench --bench load -- --scenario all
//! cargo bench --bench load -- --scenario polling --users 100 --questions 100 --json
//! cargo bench --bench load -- --scenario polling --chats private   # SQLite chat state per message
//! ```
//!
//! Scenarios: polling, polling-redis, webhook, faults, sigkill, sigterm, abuse, all.
//!
//! Each report's figures are also saved for `examples/bench_compare.rs` (see
//! `results`), named after the scenario and its size, when this build ran with
//! the default knobs.

#[path = "../tests/support/load/mod.rs"]
mod load;
mod results;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use load::bot_process::Exit;
use load::faults::Fault;
use load::ledger::Tally;
use load::{Options, Report, Scenario};
use results::Run;
use serde_json::{Value, json};

/// Every scenario, in the order `all` runs them.
const SCENARIOS: [Scenario; 7] = [
    Scenario::Polling,
    Scenario::PollingRedis,
    Scenario::Webhook,
    Scenario::Faults,
    Scenario::Sigkill,
    Scenario::Sigterm,
    Scenario::Abuse,
];

/// Load, fault and restart benchmark of the hypnic bot.
#[derive(Debug, Parser)]
#[command(name = "load")]
struct Args {
    /// polling, polling-redis, webhook, faults, sigkill, sigterm, abuse or all.
    #[arg(long, default_value = "all")]
    scenario: String,

    /// Where the users of polling and webhook write: `groups` (mentioning the
    /// bot; no chat state) or `private` (each message reads and keeps its
    /// chat's state). polling-redis always uses private chats.
    #[arg(long, default_value = "groups", value_parser = ["groups", "private"])]
    chats: String,

    /// Simulated users (closed loop: each waits for the reply before asking again).
    #[arg(long, default_value_t = Options::bench().users)]
    users: usize,

    /// Questions per user.
    #[arg(long, default_value_t = Options::bench().questions)]
    questions: usize,

    /// Questions per user asked first and not measured.
    #[arg(long, default_value_t = Options::bench().warmup)]
    warmup: usize,

    /// Connections the fake Telegram uses to post to the webhook.
    #[arg(long, default_value_t = Options::bench().webhook_connections)]
    webhook_connections: usize,

    /// Users in the faults scenario (its own size: every 5xx costs teloxide 10 s).
    #[arg(long, default_value_t = Options::bench().fault_users)]
    fault_users: usize,

    /// Questions per user in the faults scenario.
    #[arg(long, default_value_t = Options::bench().fault_questions)]
    fault_questions: usize,

    /// Share of Bot API calls that fail in the faults scenario.
    #[arg(long, default_value_t = Options::bench().fault_rate)]
    fault_rate: f64,

    /// Fail only this method in the faults scenario, e.g. `sendMessage` (a
    /// diagnostic: by default any method fails).
    #[arg(long, value_name = "METHOD")]
    fault_only: Option<String>,

    /// `--send-attempts` given to the bot in the faults scenario.
    #[arg(long, default_value_t = Options::bench().send_attempts)]
    send_attempts: u32,

    /// Abusive requests in the abuse scenario.
    #[arg(long, default_value_t = Options::bench().abuse_requests)]
    abuse_requests: usize,

    /// Seconds the abusive requests are spread over.
    #[arg(long, default_value_t = Options::bench().abuse_spread.as_secs_f64())]
    abuse_seconds: f64,

    /// An environment variable for the bot process, `KEY=VALUE` (repeatable),
    /// e.g. `MALLOC_ARENA_MAX=2` or `TOKIO_WORKER_THREADS=1`.
    #[arg(long, value_name = "KEY=VALUE", value_parser = key_value)]
    bot_env: Vec<(String, String)>,

    /// Worker threads of the harness (fake API and users); the bot has its own process.
    #[arg(long, default_value_t = 2)]
    harness_threads: usize,

    /// Print one JSON object per scenario instead of text.
    #[arg(long)]
    json: bool,

    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let scenarios = match args.scenario.as_str() {
        "all" => SCENARIOS.to_vec(),
        name => match SCENARIOS.into_iter().find(|scenario| scenario.name() == name) {
            Some(scenario) => vec![scenario],
            None => {
                eprintln!(
                    "load: unknown scenario `{name}` (polling, polling-redis, webhook, faults, sigkill, sigterm, abuse, all)"
                );
                return ExitCode::from(2);
            }
        },
    };
    let options = Options {
        users: args.users,
        questions: args.questions,
        warmup: args.warmup,
        webhook_connections: args.webhook_connections,
        fault_users: args.fault_users,
        fault_questions: args.fault_questions,
        fault_rate: args.fault_rate,
        // Leaked once per run: the plan is shared with the fake API's tasks for the whole run.
        fault_only: args.fault_only.clone().map(|method| &*method.leak()),
        send_attempts: args.send_attempts,
        abuse_requests: args.abuse_requests,
        abuse_spread: Duration::from_secs_f64(args.abuse_seconds.max(0.0)),
        bot_env: args.bot_env.clone(),
        chats: if args.chats == "private" { load::plan::Chats::Private } else { load::plan::Chats::Groups },
        ..Options::bench()
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.harness_threads.max(1))
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("load: cannot start the runtime: {error}");
            return ExitCode::from(2);
        }
    };
    let mut run = Run::start("load");
    let unlike_the_record = unlike_the_record(&args);
    if let Some(reason) = unlike_the_record {
        eprintln!("load: the figures are not saved for bench_compare: {reason}");
    }
    let mut failed = false;
    for scenario in scenarios {
        match runtime.block_on(scenario.run(&options)) {
            Ok(report) => {
                print(&report, args.json);
                if unlike_the_record.is_none() {
                    keep_figures(&mut run, &report, &args.chats);
                    run.save();
                }
            }
            Err(error) => {
                eprintln!("load: {}: {error:#}", scenario.name());
                failed = true;
            }
        }
    }
    if failed { ExitCode::from(2) } else { ExitCode::SUCCESS }
}

/// Why this run measures something else than the recorded figures, if it
/// does: another binary, an environment for the bot, or a knob other than the
/// scenario, the chats and the sizes (which name the figures) changed.
fn unlike_the_record(args: &Args) -> Option<&'static str> {
    let defaults = Options::bench();
    if std::env::var_os(load::bot_process::BINARY_VAR).is_some_and(|binary| !binary.is_empty()) {
        Some("another binary (HYPNIC_LOAD_BINARY)")
    } else if !args.bot_env.is_empty() {
        Some("--bot-env")
    } else if args.warmup != defaults.warmup
        || args.webhook_connections != defaults.webhook_connections
        || args.fault_rate != defaults.fault_rate
        || args.fault_only.is_some()
        || args.send_attempts != defaults.send_attempts
        || args.abuse_requests != defaults.abuse_requests
        || args.abuse_seconds != defaults.abuse_spread.as_secs_f64()
        || args.harness_threads != 2
    {
        Some("a knob other than --scenario, --chats and the sizes differs from its default")
    } else {
        None
    }
}

/// The figures of one report, named `<scenario>[ --chats private], <users>x<questions>: <figure>`.
fn keep_figures(run: &mut Run, report: &Report, chats: &str) {
    let chats = if chats == "private" && report.scenario != "polling-redis" { " --chats private" } else { "" };
    let prefix = format!("{}{chats}, {}x{}", report.scenario, report.users, report.questions);
    let name = |figure: &str| format!("{prefix}: {figure}");
    let t = &report.tally;
    if t.answered > 0 {
        run.add(name("replies/s"), t.replies_per_second(), "replies/s");
    }
    for (figure, latency) in
        [("latency p50", t.percentile(50.0)), ("latency p99", t.percentile(99.0)), ("latency max", t.max_latency())]
    {
        if let Some(latency) = latency {
            run.time(name(figure), latency);
        }
    }
    if let Some(base) = &report.baseline
        && let (Some(loaded), Some(unloaded)) = (t.percentile(99.0), base.percentile(99.0))
    {
        run.time(name("unloaded latency p99"), unloaded);
        run.add(name("latency p99 / unloaded p99"), loaded.as_secs_f64() / unloaded.as_secs_f64(), "x");
    }
    if let Some(drain) = report.drain {
        run.time(name("drain"), drain);
    }
    if let Some(kib) = report.peak_rss_kib {
        run.add(name("peak RSS"), kib as f64, "KiB");
    }
    if let Some(cpu) = report.cpu
        && t.answered > 0
    {
        for (figure, used) in [("bot CPU per reply", cpu.bot), ("harness CPU per reply", cpu.harness)] {
            if let Some(used) = used {
                run.add(name(figure), used.as_secs_f64() / t.answered as f64, "s");
            }
        }
    }
    if let Some(interruption) = &report.interruption
        && let Some(exit) = interruption.exit
    {
        run.time(name(&format!("exit after {}", interruption.signal)), exit.took);
    }
}

/// Parses `KEY=VALUE`.
fn key_value(text: &str) -> Result<(String, String), String> {
    let (key, value) = text.split_once('=').ok_or_else(|| format!("`{text}` is not KEY=VALUE"))?;
    Ok((key.to_string(), value.to_string()))
}

/// Prints one report, as text or as one line of JSON.
fn print(report: &Report, json: bool) {
    if json {
        println!("{}", to_json(report));
    } else {
        println!("{}", report.text());
    }
}

/// The report for machines: one JSON object.
fn to_json(report: &Report) -> Value {
    let checks: Vec<Value> = report
        .checks()
        .iter()
        .map(|c| json!({"name": c.name, "target": c.target, "measured": c.measured, "met": c.met, "timing": c.timing}))
        .collect();
    json!({
        "scenario": report.scenario,
        "transport": report.transport,
        "users": report.users,
        "questions_per_user": report.questions,
        "traffic": tally_json(&report.tally),
        "baseline": report.baseline.as_ref().map(tally_json),
        "drain_s": report.drain.map(|d| d.as_secs_f64()),
        "peak_rss_kib": report.peak_rss_kib,
        "rss_kib_before_after": report.rss_kib,
        "cpu": report.cpu.map(|cpu| json!({
            "wall_s": cpu.wall.as_secs_f64(),
            "bot_s": cpu.bot.map(|d| d.as_secs_f64()),
            "harness_s": cpu.harness.map(|d| d.as_secs_f64()),
        })),
        "final_exit": report.final_exit.map(exit_json),
        "interruption": report.interruption.as_ref().map(|i| json!({
            "signal": i.signal, "answered_before": i.answered_before, "exit": i.exit.map(exit_json),
            "dropped_at_stop": i.dropped_at_stop, "left_in_queue": i.left_in_queue,
        })),
        "faults": report.faults.as_ref().map(|f| json!({
            "calls": f.calls, "send_attempts": f.send_attempts,
            "injected": Fault::ALL.iter().zip(f.counts).map(|(k, n)| (k.name().to_string(), json!(n))).collect::<serde_json::Map<_, _>>(),
        })),
        "abuse": report.abuse.as_ref().map(|a| json!({
            "sent": a.sent(), "rejected_4xx": a.rejected(), "as_documented": a.as_documented(),
            "duration_s": a.finished.duration_since(a.started).as_secs_f64(),
            "kinds": a.kinds.iter().map(|(k, o)| (k.name().to_string(), json!({
                "sent": o.sent,
                "statuses": o.statuses.iter().map(|(s, n)| (s.to_string(), json!(n))).collect::<serde_json::Map<_, _>>(),
                "failures": o.failures,
            }))).collect::<serde_json::Map<_, _>>(),
        })),
        "alive_after_abuse": report.alive_after_abuse,
        "abuse_overlapped": report.abuse_overlapped,
        "api_calls": report.api_calls.iter().map(|(m, n)| (m.to_string(), json!(n))).collect::<serde_json::Map<_, _>>(),
        "webhook_retries": report.webhook_retries,
        "updates_served": report.updates_served,
        "most_unconfirmed": report.most_unconfirmed,
        "start_up_s": report.start_ups.iter().map(Duration::as_secs_f64).collect::<Vec<_>>(),
        "checks": checks,
        "notes": report.notes,
    })
}

fn tally_json(t: &Tally) -> Value {
    let us = |d: Option<Duration>| d.map(|d| d.as_micros() as u64);
    json!({
        "planned": t.asked + t.not_asked, "asked": t.asked, "answered": t.answered, "lost": t.lost, "never_asked": t.not_asked,
        "duplicated": t.duplicated, "duplicated_questions": t.duplicated_questions, "other_messages": t.strays,
        "elapsed_s": t.elapsed.as_secs_f64(), "replies_per_second": t.replies_per_second(),
        "latency_us": {"p50": us(t.percentile(50.0)), "p99": us(t.percentile(99.0)), "max": us(t.max_latency())},
    })
}

fn exit_json(exit: Exit) -> Value {
    json!({"code": exit.code, "took_s": exit.took.as_secs_f64()})
}
