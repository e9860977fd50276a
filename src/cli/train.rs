//! `hypnic train`: teaches the trained reader from the corpus of situations and
//! writes `reader.model` into the knowledge folder. It prints what it learned
//! from, the thresholds chosen on the dev writers, and the scores of the dev
//! and test writers, rules alone against rules and reader together. `--check`
//! only says whether the model was trained on the corpus as it is.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use crate::knowledge::{CORPUS_DIR, Knowledge, MODEL_FILE};
use crate::training::tune::{RULES_ALONE, engine_with};
use crate::training::{Corpus, Split, fit, score, tune};

/// Arguments of `hypnic train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// The knowledge folder whose corpus teaches and whose `reader.model` is
    /// written (the global `--knowledge`, else `knowledge/` here).
    #[arg(skip)]
    pub knowledge: Option<PathBuf>,

    /// Only check that the model was trained on the corpus as it is now; exit 1 if not.
    #[arg(long)]
    pub check: bool,
}

pub(super) fn run(args: &TrainArgs) -> anyhow::Result<ExitCode> {
    let dir = args.knowledge.clone().unwrap_or_else(|| PathBuf::from("knowledge"));
    let corpus = Corpus::load(&dir.join(CORPUS_DIR))?;
    let model_path = dir.join(MODEL_FILE);
    if args.check {
        return check(&corpus, &model_path);
    }
    let knowledge = Knowledge::from_dir_untrained(&dir)
        .with_context(|| format!("cannot load the knowledge in {}", dir.display()))?;
    let train = corpus.cases(Split::Train);
    let dev = corpus.cases(Split::Dev);
    let test = corpus.cases(Split::Test);
    println!(
        "corpus {}: train {} messages ({} writers), dev {} ({}), test {} ({}), fingerprint {}",
        dir.join(CORPUS_DIR).display(),
        train.len(),
        corpus.writer_count(Split::Train),
        dev.len(),
        corpus.writer_count(Split::Dev),
        test.len(),
        corpus.writer_count(Split::Test),
        corpus.fingerprint
    );
    let started = Instant::now();
    let model = fit(&train, &corpus.settings, corpus.writer_count(Split::Train), &corpus.fingerprint)?;
    println!("fitted in {:.1} s: {} features", started.elapsed().as_secs_f64(), model.feature_count());
    for (name, cases) in [("dev", &dev), ("test", &test)] {
        let (topic, urgency) = crate::training::reader_alone(&model, cases);
        println!("{name}, the reader alone: topic {topic:.1}%, urgency {urgency:.1}%");
    }
    let started = Instant::now();
    let (model, log) = tune(&knowledge, &model, &dev, &corpus.also_dev, &corpus.also_train)?;
    for line in log {
        println!("{line}");
    }
    println!("thresholds chosen in {:.1} s: {:?}", started.elapsed().as_secs_f64(), model.header.thresholds);
    let rules = engine_with(&knowledge, &model, RULES_ALONE)?;
    let hybrid = engine_with(&knowledge, &model, model.header.thresholds)?;
    for (name, cases) in [
        ("dev", &dev),
        ("test", &test),
        ("project sets (also_dev)", &corpus.also_dev),
        ("project sets (also_train)", &corpus.also_train),
    ] {
        println!("{name}, rules alone:       {}", score(&rules, cases).line());
        println!("{name}, rules and reader:  {}", score(&hybrid, cases).line());
    }
    let bytes = model.to_bytes();
    std::fs::write(&model_path, &bytes).with_context(|| format!("cannot write {}", model_path.display()))?;
    println!("wrote {} ({} bytes)", model_path.display(), bytes.len());
    Ok(ExitCode::SUCCESS)
}

/// Whether the model at `path` was trained on `corpus`.
fn check(corpus: &Corpus, path: &Path) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let model =
        crate::learned::Model::from_bytes(&bytes).map_err(|reason| anyhow::anyhow!("{}: {reason}", path.display()))?;
    if model.header.corpus == corpus.fingerprint {
        println!("{} was trained on the corpus as it is ({})", path.display(), corpus.fingerprint);
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "{} was trained on corpus {}, but the corpus is now {}: run `hypnic train`",
            path.display(),
            model.header.corpus,
            corpus.fingerprint
        );
        Ok(ExitCode::FAILURE)
    }
}
