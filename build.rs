//! Embeds the default `knowledge/` folder (its `.toml` files, `dictionary.txt`
//! and the trained reader's `reader.model`,
//! but not the training corpus in `knowledge/corpus/`) into the binary, so
//! `hypnic` works from any directory. It writes a sorted list
//! of `(relative path, include_str!(..))` pairs; sorting keeps the build deterministic.
//!
//! It also compiles the NFA of the English sign patterns of `signs.toml` (the
//! set that picks the signs a message may tell), so a process rebuilds it
//! from bytes instead of compiling it at every start. The bytes carry a
//! fingerprint of the patterns: should this script read them otherwise than
//! the engine does, the engine compiles its own and answers the same.

use std::collections::BTreeMap;
use std::env;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

#[allow(dead_code)] // The build uses only the compiling half.
#[path = "src/engine/set_nfa.rs"]
mod set_nfa;

#[path = "src/knowledge/placeholders.rs"]
mod placeholders;

/// The folder of the training corpus inside `knowledge/`: data for training,
/// not knowledge the engine loads (the same name as `CORPUS_DIR` in
/// `src/knowledge/mod.rs`).
const CORPUS_DIR: &str = "corpus";

/// The trained reader's model (the same name as `MODEL_FILE` in `src/knowledge/mod.rs`).
const MODEL_FILE: &str = "reader.model";

fn main() -> io::Result<()> {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let knowledge = root.join("knowledge");
    println!("cargo:rerun-if-changed={}", knowledge.display());

    let mut files = Vec::new();
    collect_knowledge_files(&knowledge, &knowledge, &mut files)?;
    files.sort();

    let mut out = String::from("/// The default knowledge files, as (path relative to `knowledge/`, text).\n");
    out.push_str("pub(crate) static FILES: &[(&str, &str)] = &[\n");
    for relative in &files {
        let absolute = knowledge.join(relative);
        println!("cargo:rerun-if-changed={}", absolute.display());
        out.push_str(&format!("    ({relative:?}, include_str!({:?})),\n", absolute.display().to_string()));
    }
    out.push_str("];\n");
    // The trained reader's model, when `hypnic train` wrote one.
    let model = knowledge.join(MODEL_FILE);
    println!("cargo:rerun-if-changed={}", model.display());
    out.push_str("/// The trained reader's model (`reader.model`), if there is one.\n");
    if model.is_file() {
        out.push_str(&format!(
            "pub(crate) static MODEL: Option<&[u8]> = Some(include_bytes!({:?}));\n",
            model.display().to_string()
        ));
    } else {
        out.push_str("pub(crate) static MODEL: Option<&[u8]> = None;\n");
    }

    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    for shared in ["src/engine/set_nfa.rs", "src/knowledge/placeholders.rs"] {
        println!("cargo:rerun-if-changed={}", root.join(shared).display());
    }
    let sign_set = out_dir.join("english_signs.nfa");
    let signs = fs::read_to_string(knowledge.join("signs.toml")).unwrap_or_default();
    fs::write(&sign_set, english_sign_set(&signs).unwrap_or_default())?;
    out.push_str("/// The compiled NFA of the English sign patterns (empty if they did not compile).\n");
    out.push_str(&format!(
        "pub(crate) static ENGLISH_SIGN_SET: &[u8] = include_bytes!({:?});\n",
        sign_set.display().to_string()
    ));

    fs::write(out_dir.join("embedded_knowledge.rs"), out)
}

/// The encoded NFA of the English sign patterns of `signs.toml`, in the
/// order the engine sets them (emergency, crisis, then warning signs, in file
/// order), `{name}` placeholders expanded; `None` when the file does not read.
fn english_sign_set(signs: &str) -> Option<Vec<u8>> {
    let table: toml::Table = toml::from_str(signs).ok()?;
    let mut words: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, list) in table.get("words").and_then(toml::Value::as_table).into_iter().flatten() {
        let list = list.as_array()?.iter().map(|word| word.as_str().map(str::to_string)).collect::<Option<_>>()?;
        words.insert(name.clone(), list);
    }
    let mut patterns = Vec::new();
    for kind in ["emergency", "crisis", "warning"] {
        for entry in table.get(kind).and_then(toml::Value::as_array).into_iter().flatten() {
            if entry.get("language").map_or(Some("en"), toml::Value::as_str)? != "en" {
                continue;
            }
            for pattern in entry.get("patterns")?.as_array()? {
                patterns.push(placeholders::expand(pattern.as_str()?, &words).ok()?);
            }
        }
    }
    let patterns: Vec<&str> = patterns.iter().map(String::as_str).collect();
    let nfa = set_nfa::compile(&patterns).ok()?;
    set_nfa::encode(&nfa, set_nfa::fingerprint(&patterns))
}

/// Adds every knowledge file under `dir` to `files`, as a `/`-separated path relative to `root`.
fn collect_knowledge_files(root: &Path, dir: &Path, files: &mut Vec<String>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            if dir == root && path.file_name().is_some_and(|name| name == CORPUS_DIR) {
                continue;
            }
            println!("cargo:rerun-if-changed={}", path.display());
            collect_knowledge_files(root, &path, files)?;
        } else if path.extension().is_some_and(|ext| ext == "toml")
            || path.file_name().is_some_and(|name| name == "dictionary.txt")
        {
            let relative = path.strip_prefix(root).expect("walked from root");
            let parts: Vec<String> =
                relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            files.push(parts.join("/"));
        }
    }
    Ok(())
}
