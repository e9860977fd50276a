//! `hypnic index`: what the knowledge holds once cleaned and indexed, per
//! article: what cleaning kept and dropped, and the topics, factors and
//! people its passages serve, so a curator can check cleaning and see what a
//! new article changes; and `hypnic index --build DIR`, which writes the
//! passage index into a folder for `hypnic --index DIR` to open.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use crate::cleaning::Corpus;
use crate::engine::{Engine, PassageRoles};
use crate::index::{PassageIndex, size_on_disk};

/// Arguments of `hypnic index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Also print every dropped piece of text with the reason.
    #[arg(long)]
    pub dropped: bool,

    /// Also print every kept passage.
    #[arg(long)]
    pub passages: bool,

    /// Build the passage index into this folder (created if missing; a hypnic
    /// index in it is replaced, any other content refused) for `hypnic --index DIR`.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["dropped", "passages"])]
    pub build: Option<PathBuf>,
}

/// Cleans the knowledge in `knowledge_dir` (or the embedded knowledge), writes its
/// passage index into `dir` and says what it wrote.
///
/// # Errors
/// The knowledge cannot be loaded, `dir` cannot take an index, or its files
/// cannot be written or measured.
pub(super) fn build(knowledge_dir: Option<&Path>, dir: &Path) -> anyhow::Result<ExitCode> {
    let knowledge = super::load_knowledge(knowledge_dir)?;
    let corpus = Corpus::clean(&knowledge.articles, &knowledge.junk);
    let start = Instant::now();
    let index = PassageIndex::build_in(&corpus.passages, dir).context("cannot build the passage index")?;
    let took = start.elapsed();
    let bytes = size_on_disk(dir).context("cannot measure the index")?;
    println!("knowledge: {}", knowledge.place);
    println!("index: {}", dir.display());
    println!("  passages: {}", index.num_docs());
    println!("  distinct terms: {}", index.num_terms());
    println!("  bytes on disk: {bytes}");
    println!("  built in: {took:.1?}");
    let knowledge_option = knowledge_dir.map(|k| format!("--knowledge {} ", k.display())).unwrap_or_default();
    println!(
        "open it with `hypnic {knowledge_option}--index {} ...`; rebuild it when the knowledge changes",
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub(super) fn run(engine: &Engine, args: &IndexArgs) -> anyhow::Result<ExitCode> {
    let corpus = engine.corpus();
    let roles = engine.passage_roles();
    println!("knowledge: {}", engine.place());
    for (article, source) in corpus.sources.iter().enumerate() {
        let kept: Vec<_> = corpus.passages_of(article).collect();
        let dropped: Vec<_> = corpus.dropped_from(article).collect();
        let kept_chars: usize = kept.iter().map(|p| p.text.chars().count()).sum();
        let dropped_chars: usize = dropped.iter().map(|d| d.text.chars().count()).sum();
        println!("\n{} ({})", source.title, source.publisher);
        println!("  passages kept: {:>3}  ({kept_chars} characters)", kept.len());
        println!("  pieces dropped: {:>3}  ({dropped_chars} characters)", dropped.len());
        let served: Vec<&PassageRoles> = kept.iter().map(|passage| &roles[passage.id]).collect();
        print_roles(&served);
        if args.passages {
            for passage in &kept {
                println!("  [{}] {}{}", passage.id, passage.text, role_note(&roles[passage.id]));
            }
        }
        for passage in kept.iter().filter(|passage| roles[passage.id].alarming) {
            println!("  alarms, never quoted under a reassuring lead: [{}] {}", passage.id, passage.text);
        }
        for passage in &kept {
            for factor in &roles[passage.id].silent_but_named {
                println!(
                    "  check factors.toml: `{factor}` is `named = false`, and [{}] names it: {}",
                    passage.id, passage.text
                );
            }
        }
        if args.dropped {
            for piece in &dropped {
                println!("  dropped ({}): {}", piece.reason, piece.text);
            }
        }
    }
    let index = engine.index();
    println!("\nindex: {} passages, {} distinct terms", index.num_docs(), index.num_terms());
    println!("vocabulary: {} curated phrases", engine.vocabulary_size());
    println!("topics (backing passages):");
    for spec in engine.topics() {
        println!("  {:<11} {}", spec.topic.id(), engine.backing_passages(spec.topic).len());
    }
    Ok(ExitCode::SUCCESS)
}

/// An article's summary: curated or not, and how many of its passages serve
/// each topic, factor and person, and how many nothing.
fn print_roles(passages: &[&PassageRoles]) {
    let curated = passages.first().is_some_and(|roles| roles.curated);
    println!(
        "  curated:        {}",
        if curated {
            "yes: its quotes are the backing fragments of topics.toml and factors.toml"
        } else {
            "no: retrieval chooses its quotes"
        }
    );
    let count = |names: &mut dyn Iterator<Item = String>| {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for name in names {
            *counts.entry(name).or_default() += 1;
        }
        let listed: Vec<String> = counts.into_iter().map(|(name, n)| format!("{name} {n}")).collect();
        if listed.is_empty() { "none".to_string() } else { listed.join(", ") }
    };
    let topics = count(&mut passages.iter().flat_map(|roles| roles.topics.iter().map(|t| t.id().to_string())));
    let factors = count(&mut passages.iter().flat_map(|roles| roles.factors.iter().cloned()));
    let people = count(&mut passages.iter().flat_map(|roles| roles.people.iter().cloned()));
    let never = passages.iter().filter(|roles| !roles.is_quoted()).count();
    println!("  serves topics:  {topics}");
    println!("  serves factors: {factors}");
    if !curated {
        println!("  speaks of:      {people}");
    }
    println!("  never quoted:   {never} of {} passages", passages.len());
}

/// What a passage serves, after its text in `--passages`.
fn role_note(roles: &PassageRoles) -> String {
    let mut served: Vec<String> = roles.topics.iter().map(|topic| topic.id().to_string()).collect();
    served.extend(roles.factors.iter().map(|factor| format!("factor {factor}")));
    served.extend(roles.people.iter().map(|person| format!("person {person}")));
    if served.is_empty() { "  <- never quoted".to_string() } else { format!("  <- {}", served.join(", ")) }
}
