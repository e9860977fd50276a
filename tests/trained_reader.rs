//! The trained reader: the model in `knowledge/` is the one training gives
//! from the corpus as it is, the reader and the rules together do better than
//! the rules alone on the test writers (only scored here), and a missing or
//! broken model is handled.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use hypnic::Engine;
use hypnic::knowledge::{CORPUS_DIR, Knowledge, MODEL_FILE};
use hypnic::learned::Model;
use hypnic::training::tune::{RULES_ALONE, engine_with};
use hypnic::training::{Corpus, Split, fit, score};

fn knowledge_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge")
}

fn committed_model() -> Model {
    let bytes = fs::read(knowledge_dir().join(MODEL_FILE)).expect("knowledge/reader.model is committed");
    Model::from_bytes(&bytes).expect("the committed model reads")
}

fn corpus() -> Corpus {
    Corpus::load(&knowledge_dir().join(CORPUS_DIR)).expect("the corpus loads")
}

/// A copy of `knowledge/` without its corpus, in a fresh temporary folder.
fn knowledge_copy(name: &str) -> PathBuf {
    let target = std::env::temp_dir().join(format!("hypnic-reader-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&target);
    support::copy_dir(&knowledge_dir(), &target);
    fs::remove_dir_all(target.join(CORPUS_DIR)).expect("remove the corpus copy");
    target
}

#[test]
fn the_model_is_what_training_gives_from_the_corpus_as_it_is() {
    let corpus = corpus();
    let committed = committed_model();
    assert_eq!(
        committed.header.corpus, corpus.fingerprint,
        "knowledge/corpus changed since knowledge/reader.model was trained: run `hypnic train`"
    );
    // Training is seeded: the same corpus gives the same weights, byte for byte.
    let train = corpus.cases(Split::Train);
    let mut fitted =
        fit(&train, &corpus.settings, corpus.writer_count(Split::Train), &corpus.fingerprint).expect("training runs");
    fitted.header.thresholds = committed.header.thresholds;
    assert!(fitted.to_bytes() == committed.to_bytes(), "training again gives another model: run `hypnic train`");
}

#[test]
fn the_reader_and_the_rules_do_better_than_the_rules_on_the_test_writers() {
    let corpus = corpus();
    let model = committed_model();
    let knowledge = Knowledge::from_dir_untrained(&knowledge_dir()).expect("the knowledge loads");
    let test = corpus.cases(Split::Test);
    assert!(test.len() >= 600, "only {} test messages", test.len());
    let rules = score(&engine_with(&knowledge, &model, RULES_ALONE).expect("an engine"), &test);
    let both = score(&engine_with(&knowledge, &model, model.header.thresholds).expect("an engine"), &test);
    assert!(both.topic_correct >= rules.topic_correct + test.len() / 6, "rules {}\nboth {}", rules.line(), both.line());
    assert!(both.urgent_caught > rules.urgent_caught, "rules {}\nboth {}", rules.line(), both.line());
    assert!(both.false_alarms <= rules.false_alarms, "rules {}\nboth {}", rules.line(), both.line());
    assert!(both.harmful < rules.harmful, "rules {}\nboth {}", rules.line(), both.line());
}

#[test]
fn explain_shows_what_the_reader_read_and_who_decided() {
    let engine = Engine::embedded().expect("the embedded knowledge loads");
    let explanation = engine.explain("mi hermano se tomo todas las pastillas de mi mama y no despierta");
    let reasons = explanation.reasons.join("\n");
    assert!(reasons.contains("trained reader: `"), "{reasons}");
    assert!(reasons.contains("urgency routine"), "{reasons}");
    assert!(reasons.contains("topic decided by"), "{reasons}");
    assert_eq!(explanation.answer.topic, hypnic::Topic::EMERGENCY, "{reasons}");
}

#[test]
fn without_a_model_the_rules_read_alone() {
    let dir = knowledge_copy("none");
    fs::remove_file(dir.join(MODEL_FILE)).expect("remove the model copy");
    let engine = Engine::from_dir(&dir).expect("knowledge without a model loads");
    let explanation = engine.explain("are sleep spasms dangerous?");
    assert!(!explanation.reasons.iter().any(|reason| reason.contains("trained reader")), "{:?}", explanation.reasons);
    assert_eq!(explanation.answer.topic, support::topic("safety"));
    fs::remove_dir_all(dir).ok();
}

#[test]
fn a_broken_model_is_refused_with_its_name() {
    let dir = knowledge_copy("broken");
    let bytes = fs::read(dir.join(MODEL_FILE)).expect("the model copy");
    fs::write(dir.join(MODEL_FILE), &bytes[..bytes.len() / 2]).expect("cut the model");
    let error = Engine::from_dir(&dir).err().expect("a cut model is refused").to_string();
    assert!(error.contains("reader.model") && error.contains("cut short"), "{error}");
    fs::write(dir.join(MODEL_FILE), b"not a model").expect("replace the model");
    let error = Engine::from_dir(&dir).err().expect("garbage is refused").to_string();
    assert!(error.contains("reader.model") && error.contains("hypnic train"), "{error}");
    fs::remove_dir_all(dir).ok();
}
