//! The corpus of situations as training reads it: every `writer-NN.toml` of
//! `knowledge/corpus/`, each writer in one split of `training.toml`, and the
//! fingerprint that ties a model to the corpus and settings it learned from.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::eval::{Case, parse_cases};
use crate::learned::FeatureSpec;
use crate::learned::features::fingerprint;

/// The settings file of a corpus folder.
pub const SETTINGS_FILE: &str = "training.toml";

/// The split a writer belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// The writers the reader learns from.
    Train,
    /// The writers the thresholds are chosen on.
    Dev,
    /// The writers only scored.
    Test,
}

/// How to learn from the corpus (`training.toml`).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Seeds the order examples are seen in: the same seed, the same model.
    pub seed: u64,
    /// Passes over the train writers.
    pub epochs: usize,
    /// AdaGrad's step.
    pub learning_rate: f32,
    /// L2 penalty on the weights a message touches.
    pub l2: f32,
    /// A feature is kept when at least this many train messages have it.
    pub min_count: usize,
    /// How messages are cut into features.
    pub features: FeatureSpec,
    /// Writers by split, as the numbers of their files (`writer-03.toml` is 3).
    pub split: Splits,
    /// More labelled files that teach, beside the train writers: the
    /// project's own eval sets, paths relative to the corpus folder (a folder
    /// stands for its `.toml` files). Cases read as follow-ups are left out:
    /// the reader reads one message alone.
    #[serde(default)]
    pub also_train: Vec<String>,
    /// More labelled files that choose the thresholds beside the dev
    /// writers, likewise: the reader never learns from them.
    #[serde(default)]
    pub also_dev: Vec<String>,
}

/// Writers by split.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Splits {
    /// Writers who teach.
    pub train: Vec<u32>,
    /// Writers who choose the thresholds.
    pub dev: Vec<u32>,
    /// Writers who are only scored.
    pub test: Vec<u32>,
}

/// One writer's labelled messages.
#[derive(Debug, Clone)]
pub struct Writer {
    /// The number of the writer's file.
    pub number: u32,
    /// The file.
    pub path: PathBuf,
    /// The split it belongs to.
    pub split: Split,
    /// The messages, as eval cases.
    pub cases: Vec<Case>,
}

/// A corpus folder, read.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// How to learn from it.
    pub settings: Settings,
    /// Its writers, by number.
    pub writers: Vec<Writer>,
    /// The cases of `also_train`, which teach beside the train writers.
    pub also_train: Vec<Case>,
    /// The cases of `also_dev`, which choose the thresholds beside the dev writers.
    pub also_dev: Vec<Case>,
    /// The fingerprint of its files and settings, in hex.
    pub fingerprint: String,
}

impl Corpus {
    /// Reads a corpus folder: `training.toml` and every `writer-NN.toml`.
    ///
    /// # Errors
    /// An unreadable or malformed file, a writer in no split or in two, or a
    /// split that names a writer with no file; each message says which.
    pub fn load(dir: &Path) -> anyhow::Result<Corpus> {
        use anyhow::Context;
        let settings_path = dir.join(SETTINGS_FILE);
        let settings_text =
            fs::read_to_string(&settings_path).with_context(|| format!("cannot read {}", settings_path.display()))?;
        let settings: Settings =
            toml::from_str(&settings_text).with_context(|| format!("{} is malformed", settings_path.display()))?;
        let mut paths: Vec<PathBuf> = fs::read_dir(dir)
            .with_context(|| format!("cannot read the corpus folder {}", dir.display()))?
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| writer_number(path).is_some())
            .collect();
        paths.sort();
        let mut print = fingerprint(settings_text.as_bytes(), 0xcbf2_9ce4_8422_2325);
        let mut writers = Vec::with_capacity(paths.len());
        for path in paths {
            let number = writer_number(&path).unwrap_or_default();
            let splits = [
                (Split::Train, &settings.split.train),
                (Split::Dev, &settings.split.dev),
                (Split::Test, &settings.split.test),
            ];
            let mut found = splits.iter().filter(|(_, numbers)| numbers.contains(&number)).map(|(split, _)| *split);
            let split = found.next().with_context(|| {
                format!("{} is in no split of {SETTINGS_FILE}: add {number} to train, dev or test", path.display())
            })?;
            anyhow::ensure!(found.next().is_none(), "{} is in two splits of {SETTINGS_FILE}", path.display());
            let text = fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
            print = fingerprint(path.file_name().map_or(&[][..], |name| name.as_encoded_bytes()), print);
            print = fingerprint(text.as_bytes(), print);
            let cases = parse_cases(&path.display().to_string(), text)?;
            writers.push(Writer { number, path, split, cases });
        }
        let mut also = [Vec::new(), Vec::new()];
        for (cases, entries) in also.iter_mut().zip([&settings.also_train, &settings.also_dev]) {
            for entry in entries {
                for file in toml_files(&dir.join(entry))? {
                    let text = fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
                    print = fingerprint(entry.as_bytes(), print);
                    print = fingerprint(text.as_bytes(), print);
                    let parsed = parse_cases(&file.display().to_string(), text)?;
                    cases.extend(parsed.into_iter().filter(|case| case.context.is_none()));
                }
            }
        }
        let [also_train, also_dev] = also;
        let all = settings.split.train.iter().chain(&settings.split.dev).chain(&settings.split.test);
        for number in all {
            anyhow::ensure!(
                writers.iter().any(|writer| writer.number == *number),
                "{SETTINGS_FILE} names writer {number}, who has no writer-{number:02}.toml in {}",
                dir.display()
            );
        }
        Ok(Corpus { settings, writers, also_train, also_dev, fingerprint: format!("{print:016x}") })
    }

    /// The cases of one split, writer by writer; the train split ends with
    /// the cases of `also_train`.
    pub fn cases(&self, split: Split) -> Vec<Case> {
        let writers =
            self.writers.iter().filter(|writer| writer.split == split).flat_map(|writer| writer.cases.clone());
        let also = if split == Split::Train { self.also_train.clone() } else { Vec::new() };
        writers.chain(also).collect()
    }

    /// How many writers a split has.
    pub fn writer_count(&self, split: Split) -> usize {
        self.writers.iter().filter(|writer| writer.split == split).count()
    }
}

/// The `.toml` files a path of `also_train` or `also_dev` stands for, sorted.
fn toml_files(path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    use anyhow::Context;
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = fs::read_dir(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

/// The number of a writer's file (`writer-07.toml` is 7), if it is one.
fn writer_number(path: &Path) -> Option<u32> {
    let name = path.file_name()?.to_str()?;
    name.strip_prefix("writer-")?.strip_suffix(".toml")?.parse().ok()
}
