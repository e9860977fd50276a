//! `hypnic index`: what the knowledge holds once cleaned and indexed, per
//! article, with the dropped text on request, so a curator can check cleaning.

use std::process::ExitCode;

use clap::Args;

use crate::engine::Engine;

/// Arguments of `hypnic index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Also print every dropped piece of text with the reason.
    #[arg(long)]
    pub dropped: bool,

    /// Also print every kept passage.
    #[arg(long)]
    pub passages: bool,
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
