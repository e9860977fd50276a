//! The corpus of situations (`knowledge/corpus/`): at least 3,000 labelled
//! messages by at least 20 writers, every label a topic the engine knows and
//! an urgency of the four, every message in one writer's file only.

use std::collections::HashSet;
use std::path::Path;

use hypnic::Engine;
use serde::Deserialize;

#[derive(Deserialize)]
struct CorpusFile {
    case: Vec<CorpusCase>,
}

#[derive(Deserialize)]
struct CorpusCase {
    id: String,
    q: String,
    topic: toml::Value,
    urgency: String,
    lang: String,
}

#[test]
fn the_corpus_has_3000_messages_by_20_writers_with_known_labels() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge/corpus");
    let engine = Engine::embedded().expect("the embedded knowledge loads");
    let mut writers = 0;
    let mut ids = HashSet::new();
    let mut languages = HashSet::new();
    let mut entries: Vec<_> =
        std::fs::read_dir(&folder).expect("the corpus folder").map(|e| e.unwrap().path()).collect();
    entries.sort();
    let writer_files = entries
        .iter()
        .filter(|path| path.file_name().is_some_and(|name| name.to_string_lossy().starts_with("writer-")));
    for path in writer_files {
        let text = std::fs::read_to_string(path).unwrap();
        let file: CorpusFile = toml::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        writers += 1;
        for case in file.case {
            assert!(!case.q.trim().is_empty(), "{}: {} has no message", path.display(), case.id);
            assert!(ids.insert(case.id.clone()), "{}: {} twice", path.display(), case.id);
            let topics: Vec<String> = match &case.topic {
                toml::Value::String(one) => vec![one.clone()],
                toml::Value::Array(many) => many.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
                other => panic!("{}: {} has topic {other}", path.display(), case.id),
            };
            for topic in &topics {
                assert!(
                    engine.topic_by_id(topic).is_some(),
                    "{}: {} has unknown topic {topic}",
                    path.display(),
                    case.id
                );
            }
            assert!(
                ["routine", "doctor", "emergency", "crisis"].contains(&case.urgency.as_str()),
                "{}: {} has urgency {}",
                path.display(),
                case.id,
                case.urgency
            );
            languages.insert(case.lang);
        }
    }
    assert!(writers >= 20, "only {writers} writers");
    assert!(ids.len() >= 3000, "only {} messages", ids.len());
    for language in ["en", "sw", "es", "fr", "pt"] {
        assert!(languages.contains(language), "no message in {language}");
    }
}
