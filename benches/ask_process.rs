//! The whole `hypnic ask` process: start, load the embedded knowledge, build the
//! index, answer one question, print, exit. This is what a shell user waits for.
//!
//! Run: `cargo bench --bench ask_process`. The time is also saved for
//! `examples/bench_compare.rs` (see `results`).

mod results;

use std::process::Command;

use criterion::{Criterion, criterion_group};
use results::Run;

fn ask_process(c: &mut Criterion) {
    let binary = env!("CARGO_BIN_EXE_hypnic");
    let mut group = c.benchmark_group("process");
    group.sample_size(40);
    group.bench_function("hypnic_ask", |b| {
        b.iter(|| {
            let output = Command::new(binary)
                .args(["ask", "Are sleep spasms dangerous?"])
                .env_remove("TELOXIDE_TOKEN")
                .output()
                .expect("hypnic runs");
            assert!(output.status.success());
        })
    });
    group.finish();
}

criterion_group!(benches, ask_process);

fn main() {
    let mut run = Run::start("ask_process");
    benches();
    Criterion::default().configure_from_args().final_summary();
    run.criterion("process/hypnic_ask");
    run.save();
}
