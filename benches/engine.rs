//! Engine speed. First a latency table: every eval question answered one at a
//! time, many rounds, with p50/p99/max per question for `Engine::answer` and for
//! a bare tantivy top-10 search on the same index, timed side by side. Then criterion measurements
//! of the same two workloads.
//!
//! Run: `cargo bench --bench engine` (add `-- --quick` for a short run).

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use hypnic::Engine;
use hypnic::eval::load_cases;

/// Rounds over all questions for the latency table.
const ROUNDS: usize = 300;

/// The eval questions: the project's own, and the shared acceptance set if it is
/// next to the project.
fn questions() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut questions = Vec::new();
    for file in [root.join("tests/eval/questions.toml"), root.join("../shared/eval/questions.toml")] {
        if file.exists() {
            let cases = load_cases(&file).expect("the eval file loads");
            questions.extend(cases.into_iter().map(|case| case.question));
        }
    }
    questions
}

fn engine() -> Engine {
    Engine::embedded().expect("the embedded knowledge loads")
}

fn percentile(sorted: &[Duration], share: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * share).round() as usize;
    sorted[rank]
}

/// Times `first` and `second` once per question per round, one call at a time
/// and side by side, so both meet the same machine noise (this machine is
/// shared). Returns both sets of times, sorted.
fn paired_latencies(
    questions: &[String],
    mut first: impl FnMut(&str),
    mut second: impl FnMut(&str),
) -> (Vec<Duration>, Vec<Duration>) {
    for question in questions {
        first(question); // warm up
        second(question);
    }
    let mut times = (Vec::with_capacity(questions.len() * ROUNDS), Vec::with_capacity(questions.len() * ROUNDS));
    for _ in 0..ROUNDS {
        for question in questions {
            let start = Instant::now();
            first(question);
            times.0.push(start.elapsed());
            let start = Instant::now();
            second(question);
            times.1.push(start.elapsed());
        }
    }
    times.0.sort();
    times.1.sort();
    times
}

fn print_latency_table() {
    let engine = engine();
    let questions = questions();
    let (answer, bare) = paired_latencies(
        &questions,
        |q| {
            black_box(engine.answer(q));
        },
        |q| {
            black_box(engine.index().search_text(q, 10).expect("search works"));
        },
    );
    println!("latency per question over {} questions x {ROUNDS} rounds:", questions.len());
    println!("  {:<24} {:>10} {:>10} {:>10}", "", "p50", "p99", "max");
    for (name, times) in [("engine answer", &answer), ("bare tantivy top-10", &bare)] {
        println!(
            "  {:<24} {:>10.1?} {:>10.1?} {:>10.1?}",
            name,
            percentile(times, 0.50),
            percentile(times, 0.99),
            times[times.len() - 1]
        );
    }
    let ratio = percentile(&answer, 0.99).as_secs_f64() / percentile(&bare, 0.99).as_secs_f64();
    println!("  engine p99 / bare p99 = {ratio:.2}\n");
}

fn criterion_benches(c: &mut Criterion) {
    let engine = engine();
    let questions = questions();
    let mut group = c.benchmark_group("all_eval_questions");
    group.bench_function("engine_answer", |b| {
        b.iter(|| {
            for question in &questions {
                black_box(engine.answer(question));
            }
        })
    });
    group.bench_function("bare_tantivy_top10", |b| {
        b.iter(|| {
            for question in &questions {
                black_box(engine.index().search_text(question, 10).expect("search works"));
            }
        })
    });
    group.finish();
    c.bench_function("engine_build_from_embedded_knowledge", |b| b.iter(|| black_box(engine_build())));
}

fn engine_build() -> Engine {
    Engine::embedded().expect("the embedded knowledge loads")
}

criterion_group!(benches, criterion_benches);

fn main() {
    print_latency_table();
    benches();
    criterion::Criterion::default().configure_from_args().final_summary();
}
