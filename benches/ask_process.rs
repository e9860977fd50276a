//! The whole `hypnic ask` process: start, load the embedded knowledge, build the
//! index, answer one question, print, exit. This is what a shell user waits for.
//!
//! Run: `cargo bench --bench ask_process`.

use std::process::Command;

use criterion::{Criterion, criterion_group, criterion_main};

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
criterion_main!(benches);
