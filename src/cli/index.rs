//! `hypnic index`: what the knowledge holds once cleaned and indexed, per
//! article, with the dropped text on request, so a curator can check cleaning;
//! and `hypnic index --build DIR`, which writes the passage index into a folder
//! for `hypnic --index DIR` to open.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use crate::cleaning::Corpus;
use crate::engine::Engine;
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
    println!("knowledge: {}", engine.place());
    for (article, source) in corpus.sources.iter().enumerate() {
        let kept: Vec<_> = corpus.passages_of(article).collect();
        let dropped: Vec<_> = corpus.dropped_from(article).collect();
        let kept_chars: usize = kept.iter().map(|p| p.text.chars().count()).sum();
        let dropped_chars: usize = dropped.iter().map(|d| d.text.chars().count()).sum();
        println!("\n{} ({})", source.title, source.publisher);
        println!("  passages kept: {:>3}  ({kept_chars} characters)", kept.len());
        println!("  pieces dropped: {:>3}  ({dropped_chars} characters)", dropped.len());
        if args.passages {
            for passage in &kept {
                println!("  [{}] {}", passage.id, passage.text);
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
