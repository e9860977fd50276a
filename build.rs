//! Embeds the default `knowledge/` folder (its `.toml` files, `dictionary.txt`
//! and the trained reader's `reader.model`,
//! but not the training corpus in `knowledge/corpus/`) into the binary, so
//! `hypnic` works from any directory. It writes a sorted list
//! of `(relative path, include_str!(..))` pairs; sorting keeps the build deterministic.

use std::env;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

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

    let target = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_knowledge.rs");
    fs::write(target, out)
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
