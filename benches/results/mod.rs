//! The figures a bench measured, kept for `examples/bench_compare.rs`, which
//! compares them with the figures recorded in `benches/recorded.toml`.
//!
//! Every `cargo bench` run of a bench appends one JSON line per figure to
//! `<target dir>/bench-results/<bench>.jsonl`:
//! `{"run":1765100000,"name":"tidy: engine answer p99","value":0.000121,"unit":"s"}`.
//! The latest line of a name is that figure's latest measurement, so the load
//! scenarios, run one at a time, each keep theirs. Included by the benches and
//! by the comparison tool, and by nothing else.

// Each bench, and the comparison tool, uses a part of it.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// The folder of the results files under the target directory.
const RESULTS_FOLDER: &str = "bench-results";

/// One measured figure: one line of a results file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// When the run that measured it started, in seconds since the Unix epoch.
    pub run: u64,
    /// Its name, the key it has in `benches/recorded.toml`.
    pub name: String,
    /// The figure, in `unit`.
    pub value: f64,
    /// `s`, `KiB`, `MiB`, `replies/s`, `x` (a ratio) or `messages`.
    pub unit: String,
}

/// The figures of one bench run, saved when `cargo bench` ran it.
pub struct Run {
    bench: &'static str,
    started: SystemTime,
    figures: Vec<Figure>,
}

impl Run {
    /// A run of `bench` starting now.
    pub fn start(bench: &'static str) -> Run {
        Run { bench, started: SystemTime::now(), figures: Vec::new() }
    }

    /// Adds a figure in `unit`.
    pub fn add(&mut self, name: impl Into<String>, value: f64, unit: &str) {
        let run = self.started.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        self.figures.push(Figure { run, name: name.into(), value, unit: unit.to_string() });
    }

    /// Adds a time, in seconds.
    pub fn time(&mut self, name: impl Into<String>, time: Duration) {
        self.add(name, time.as_secs_f64(), "s");
    }

    /// Adds the time criterion printed for benchmark `id` (`group/function`),
    /// named `id`: the middle of its `time: [..]`, the slope of the samples or
    /// else their mean. Nothing when this run did not measure it (a filter
    /// left it out).
    pub fn criterion(&mut self, id: &str) {
        let file = criterion_folder().join(id).join("new/estimates.json");
        let fresh = std::fs::metadata(&file).and_then(|meta| meta.modified()).is_ok_and(|at| at >= self.started);
        let estimates: Option<serde_json::Value> =
            std::fs::read(&file).ok().filter(|_| fresh).and_then(|bytes| serde_json::from_slice(&bytes).ok());
        let nanos = estimates.and_then(|estimates| {
            let point = |statistic: &str| estimates[statistic]["point_estimate"].as_f64();
            point("slope").or_else(|| point("mean"))
        });
        if let Some(nanos) = nanos {
            self.add(id, nanos / 1e9, "s");
        }
    }

    /// Appends the figures added since the last save to the bench's results
    /// file, when `cargo bench` ran this bench (it passes `--bench`; `cargo
    /// test --benches` does not). A failure is reported, never fatal: the
    /// figures were printed anyway.
    pub fn save(&mut self) {
        if self.figures.is_empty() || !std::env::args().any(|arg| arg == "--bench") {
            return;
        }
        let mut lines = String::new();
        for figure in self.figures.drain(..) {
            // A struct of strings and numbers always serialises.
            lines.push_str(&serde_json::to_string(&figure).expect("a figure serialises"));
            lines.push('\n');
        }
        let folder = results_folder();
        let file = results_file(&folder, self.bench);
        let appended = std::fs::create_dir_all(&folder).and_then(|()| {
            std::fs::OpenOptions::new().create(true).append(true).open(&file)?.write_all(lines.as_bytes())
        });
        match appended {
            Ok(()) => eprintln!("{}: figures saved to {}", self.bench, file.display()),
            Err(error) => eprintln!("{}: cannot save the figures to {}: {error}", self.bench, file.display()),
        }
    }
}

/// The results file of `bench` in `folder`.
pub fn results_file(folder: &Path, bench: &str) -> PathBuf {
    folder.join(format!("{bench}.jsonl"))
}

/// Where the results files are: `bench-results` in cargo's target directory.
pub fn results_folder() -> PathBuf {
    target_dir().join(RESULTS_FOLDER)
}

/// Where criterion keeps its measurements, found as criterion finds it.
fn criterion_folder() -> PathBuf {
    std::env::var_os("CRITERION_HOME").map_or_else(|| target_dir().join("criterion"), PathBuf::from)
}

/// Cargo's target directory: `CARGO_TARGET_DIR`, else what `cargo metadata`
/// says (it knows a `target-dir` set in a config file; cargo sets `CARGO` for
/// what it runs), else `target` in the project.
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let from_metadata = std::env::var_os("CARGO").and_then(|cargo| {
        let output = Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()?;
        let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
        metadata["target_directory"].as_str().map(PathBuf::from)
    });
    from_metadata.unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}
