//! The load, fault and restart benchmark of issue 4: runs the real `hypnic`
//! process against a fast fake Bot API on 127.0.0.1 and prints one report per
//! scenario (the issue's targets marked met or MISSED).
//!
//! ```sh
//! cargo bench --bench load -- --scenario all
//! cargo bench --bench load -- --scenario polling --users 100 --questions 100 --json
//! ```
//!
//! Scenarios: polling, webhook, faults, sigkill, sigterm, abuse, all.

#[path = "../tests/support/load/mod.rs"]
mod load;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use load::{Options, Report, Scenario};

/// Load, fault and restart benchmark of the hypnic bot.
#[derive(Debug, Parser)]
#[command(name = "load")]
struct Args {
    /// polling, webhook, faults, sigkill, sigterm, abuse or all.
    #[arg(long, default_value = "all")]
    scenario: String,

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
    /// diagnostic: the issue fails any method).
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
        "all" => Scenario::ALL.to_vec(),
        name => match Scenario::parse(name) {
            Some(scenario) => vec![scenario],
            None => {
                eprintln!("load: unknown scenario `{name}` (polling, webhook, faults, sigkill, sigterm, abuse, all)");
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
    let mut failed = false;
    for scenario in scenarios {
        match runtime.block_on(scenario.run(&options)) {
            Ok(report) => print(&report, args.json),
            Err(error) => {
                eprintln!("load: {}: {error:#}", scenario.name());
                failed = true;
            }
        }
    }
    if failed { ExitCode::from(2) } else { ExitCode::SUCCESS }
}

/// Parses `KEY=VALUE`.
fn key_value(text: &str) -> Result<(String, String), String> {
    let (key, value) = text.split_once('=').ok_or_else(|| format!("`{text}` is not KEY=VALUE"))?;
    Ok((key.to_string(), value.to_string()))
}

/// Prints one report, as text or as one line of JSON.
fn print(report: &Report, json: bool) {
    if json {
        println!("{}", report.json());
    } else {
        println!("{}", report.text());
    }
}
