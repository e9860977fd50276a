//! Compares the latest run of a bench with the figures recorded in
//! `benches/recorded.toml` and lists every figure more than 20% worse
//! (`--threshold`). A report, never a timed test: it exits 0 whatever it finds
//! (1 with `--fail` when a figure is worse), and 2 on input it cannot read.
//!
//! ```sh
//! cargo bench --bench engine     # appends to target/bench-results/engine.jsonl
//! cargo run --release --example bench_compare -- engine
//! cargo run --release --example bench_compare -- all --verbose
//! ```
//!
//! The unit of a figure says what worse is: higher for times (`ns` to `s`),
//! sizes (`KiB`, `MiB`, `GiB`) and ratios (`x`), lower for rates
//! (`replies/s`). A recorded range (`20.3 – 20.4 µs`, several runs) counts by
//! its worse end, so a figure is listed only when it is worse than every
//! recorded run. Counts (`messages`) are neither: when one differs, the run
//! measured other work than the record, and the report says so.
//!
//! - `results`, shared with the benches: the saved figures and where they are.
//! - [`record`]: the recorded figures and their units.
//! - [`compare`]: a bench's latest figures beside the record, and the report.

#[path = "../../benches/results/mod.rs"]
mod results;

mod compare;
mod record;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use clap::Parser;

use compare::{compare, latest_figures};
use record::parse_recorded_file;

/// The benches that save figures, as `cargo bench --bench` names them.
pub const BENCHES: [&str; 4] = ["engine", "ask_process", "load", "index_scale"];

/// Compares the latest run of a bench with the figures recorded in benches/recorded.toml.
#[derive(Debug, Parser)]
#[command(name = "bench_compare")]
struct Args {
    /// engine, ask_process, load, index_scale, or all (every bench with saved figures).
    #[arg(required = true, value_parser = ["engine", "ask_process", "load", "index_scale", "all"])]
    benches: Vec<String>,

    /// Exit 1 when a figure is worse by more than the threshold.
    #[arg(long)]
    fail: bool,

    /// How much worse than the record a figure must be to be listed, in percent.
    #[arg(long, default_value_t = 20.0)]
    threshold: f64,

    /// Also list every figure compared, the recorded figures not measured and
    /// the measured figures not recorded.
    #[arg(long, short)]
    verbose: bool,

    /// The folder of the results files [default: bench-results in cargo's target directory].
    #[arg(long, value_name = "DIR")]
    results: Option<PathBuf>,

    /// The recorded figures [default: benches/recorded.toml].
    #[arg(long, value_name = "FILE")]
    recorded: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(worse) if worse && args.fail => ExitCode::from(1),
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench_compare: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// Compares and prints every bench asked for; whether a figure was worse.
fn run(args: &Args) -> anyhow::Result<bool> {
    if args.threshold.is_nan() || args.threshold < 0.0 {
        bail!("--threshold must be a percentage of 0 or more");
    }
    let recorded_file =
        args.recorded.clone().unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/recorded.toml"));
    let text = std::fs::read_to_string(&recorded_file)
        .with_context(|| format!("cannot read the recorded figures, {}", recorded_file.display()))?;
    let recorded = parse_recorded_file(&text).with_context(|| format!("in {}", recorded_file.display()))?;
    let folder = args.results.clone().unwrap_or_else(results::results_folder);
    let benches: Vec<&str> = if args.benches.iter().any(|bench| bench == "all") {
        let saved: Vec<&str> =
            BENCHES.into_iter().filter(|bench| results::results_file(&folder, bench).exists()).collect();
        if saved.is_empty() {
            bail!("no saved figures in {}: run `cargo bench --bench <name>` first", folder.display());
        }
        saved
    } else {
        BENCHES.into_iter().filter(|bench| args.benches.iter().any(|asked| asked == bench)).collect()
    };
    // Everything is read before anything is printed: bad input prints no half report.
    let mut reports = Vec::new();
    for bench in benches {
        let file = results::results_file(&folder, bench);
        let text = std::fs::read_to_string(&file).with_context(|| {
            format!("no saved figures for {bench} in {}: run `cargo bench --bench {bench}` first", file.display())
        })?;
        let measured = latest_figures(&text).with_context(|| format!("in {}", file.display()))?;
        let comparison = compare(recorded.get(bench).unwrap_or(&BTreeMap::new()), &measured, args.threshold)
            .with_context(|| format!("comparing {} with {}", file.display(), recorded_file.display()))?;
        reports.push((bench, file, comparison));
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    for (bench, file, comparison) in &reports {
        println!(
            "{bench}: the latest figures in {} ({}), against {}",
            file.display(),
            comparison.age(now),
            recorded_file.display()
        );
        print!("{}", comparison.text(args.threshold, args.verbose));
    }
    Ok(reports.iter().any(|(_, _, comparison)| !comparison.worse().is_empty()))
}
