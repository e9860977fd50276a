//! Engine speed. First latency tables, for tidy questions, for realistic
//! messages (stories, red flags, other languages), and for the messages of the
//! language rounds in each of their languages: every message answered one at
//! a time, many rounds, with p50/p99/max for `Engine::answer` and for a bare
//! tantivy top-10 search on the same index, timed side by side, and the engine
//! with and without the trained reader's model, likewise. Then criterion
//! measurements of the same two workloads over all messages.
//!
//! Run: `cargo bench --bench engine` (add `-- --quick` for a short run). The
//! figures are also saved for `examples/bench_compare.rs` (see `results`).

mod results;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use hypnic::Engine;
use hypnic::eval::load_cases;
use results::Run;

/// Rounds over all questions for the latency table.
const ROUNDS: usize = 300;

/// The messages of some eval files, those that exist (the shared sets sit next
/// to the project only on a developer's machine).
fn messages(files: &[PathBuf]) -> Vec<String> {
    let mut messages = Vec::new();
    for file in files.iter().filter(|file| file.exists()) {
        let cases = load_cases(file).expect("the eval file loads");
        messages.extend(cases.into_iter().map(|case| case.question));
    }
    messages
}

/// Tidy questions: the project's and the shared set.
fn tidy_questions() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    messages(&[root.join("tests/eval/questions.toml"), root.join("../shared/eval/questions.toml")])
}

/// Messages as people type them: the project's realistic sets (stories, red
/// flags, other languages) and the shared realistic set.
fn realistic_messages() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("tests/eval/realistic"))
        .expect("tests/eval/realistic exists")
        .map(|entry| entry.expect("a readable folder entry").path())
        .collect();
    files.sort();
    files.push(root.join("../shared/eval/realistic.toml"));
    messages(&files)
}

/// The messages of the language rounds (`tests/eval/languages/`) written in `lang`.
fn messages_in(lang: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval/languages");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/eval/languages exists")
        .map(|entry| entry.expect("a readable folder entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    let mut messages = Vec::new();
    for file in files {
        let cases = load_cases(&file).expect("the eval file loads");
        messages.extend(cases.into_iter().filter(|case| case.lang.as_deref() == Some(lang)).map(|case| case.question));
    }
    messages
}

/// Both kinds.
fn questions() -> Vec<String> {
    let mut all = tidy_questions();
    all.extend(realistic_messages());
    all
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

/// Prints the latency tables of one set of messages, `kind` in the heading,
/// and keeps their figures, named `<set>: <row> <percentile>`.
fn print_latency_table(run: &mut Run, set: &str, kind: &str, questions: &[String]) {
    let engine = engine();
    let (answer, bare) = paired_latencies(
        questions,
        |q| {
            black_box(engine.answer(q));
        },
        |q| {
            black_box(engine.index().search_text(q, 10).expect("search works"));
        },
    );
    println!("latency per message, {kind}: {} messages x {ROUNDS} rounds:", questions.len());
    println!("  {:<24} {:>10} {:>10} {:>10}", "", "p50", "p99", "max");
    run.add(format!("{set}: messages"), questions.len() as f64, "messages");
    print_rows(run, set, &[("engine answer", &answer), ("bare tantivy top-10", &bare)]);
    let ratio = percentile(&answer, 0.99).as_secs_f64() / percentile(&bare, 0.99).as_secs_f64();
    println!("  engine p99 / bare p99 = {ratio:.2}");
    run.add(format!("{set}: engine p99 / bare p99"), ratio, "x");
    // The trained reader's cost: the same engine with and without its model.
    let rules = rules_alone();
    let (with_reader, without) = paired_latencies(
        questions,
        |q| {
            black_box(engine.answer(q));
        },
        |q| {
            black_box(rules.answer(q));
        },
    );
    print_rows(run, set, &[("engine with the reader", &with_reader), ("engine, rules alone", &without)]);
    println!();
}

/// One row of p50, p99 and max per named set of sorted times.
fn print_rows(run: &mut Run, set: &str, rows: &[(&str, &Vec<Duration>)]) {
    for (name, times) in rows {
        let (p50, p99, max) = (percentile(times, 0.50), percentile(times, 0.99), times[times.len() - 1]);
        println!("  {name:<24} {p50:>10.1?} {p99:>10.1?} {max:>10.1?}");
        run.time(format!("{set}: {name} p50"), p50);
        run.time(format!("{set}: {name} p99"), p99);
        run.time(format!("{set}: {name} max"), max);
    }
}

/// The engine over the embedded knowledge without the trained reader's model.
fn rules_alone() -> Engine {
    let mut knowledge = hypnic::knowledge::Knowledge::embedded().expect("the embedded knowledge loads");
    knowledge.model = None;
    Engine::new(knowledge).expect("the engine builds")
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
    let mut run = Run::start("engine");
    print_latency_table(&mut run, "tidy", "tidy questions", &tidy_questions());
    print_latency_table(&mut run, "realistic", "realistic messages", &realistic_messages());
    for (lang, name) in [("sw", "Swahili"), ("es", "Spanish"), ("fr", "French"), ("pt", "Portuguese")] {
        print_latency_table(&mut run, name, &format!("messages in {name}"), &messages_in(lang));
    }
    benches();
    criterion::Criterion::default().configure_from_args().final_summary();
    for id in [
        "all_eval_questions/engine_answer",
        "all_eval_questions/bare_tantivy_top10",
        "engine_build_from_embedded_knowledge",
    ] {
        run.criterion(id);
    }
    run.save();
}
