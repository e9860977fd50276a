//! The passage index on disk as a user runs it: `hypnic index --build DIR`,
//! then `hypnic --index DIR ...`, with the real binary.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output};

fn hypnic() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hypnic"));
    command.env_remove("TELOXIDE_TOKEN").env_remove("TELOXIDE_API_URL");
    // Run from a folder without knowledge/: the embedded copy must be used.
    command.current_dir(std::env::temp_dir());
    command
}

/// A folder under the system's temp folder, unique to this test, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("hypnic-index-dir-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn build(dir: &TempDir) -> Output {
    hypnic().args(["index", "--build"]).arg(&dir.0).output().unwrap()
}

/// An index built with `hypnic index --build` and opened with `--index` gives
/// exactly the reply of the index built in RAM at start-up.
#[test]
fn an_index_built_on_disk_answers_like_the_ram_index() {
    let dir = TempDir::new("same-reply");
    let built = build(&dir);
    assert!(built.status.success(), "{}", stderr(&built));
    let report = stdout(&built);
    for part in ["passages:", "distinct terms:", "bytes on disk:", "built in:"] {
        assert!(report.contains(part), "{part} missing:\n{report}");
    }
    // Options go before the question: every word after it is the question's.
    let question = ["ask", "--json", "Are sleep spasms dangerous?"];
    let on_disk = hypnic().arg("--index").arg(&dir.0).args(question).output().unwrap();
    assert!(on_disk.status.success(), "{}", stderr(&on_disk));
    let in_ram = hypnic().args(question).output().unwrap();
    assert!(in_ram.status.success(), "{}", stderr(&in_ram));
    assert_eq!(stdout(&on_disk), stdout(&in_ram));
    assert!(stdout(&on_disk).contains("\"topic\":\"safety\""), "{}", stdout(&on_disk));
    // A second build replaces the first, and `--index` is global.
    assert!(build(&dir).status.success());
    let again = hypnic().arg("ask").arg("--index").arg(&dir.0).args(&question[1..]).output().unwrap();
    assert_eq!(stdout(&again), stdout(&in_ram));
}

/// A bad `--index`: exit code 2 and a message naming the folder and what to
/// do, never a panic.
#[test]
fn a_bad_index_folder_exits_2_with_a_clear_message() {
    let dir = TempDir::new("bad");
    let ask = |dir: &PathBuf| hypnic().arg("--index").arg(dir).args(["ask", "hi"]).output().unwrap();
    let expect_error = |output: &Output, parts: &[&str]| {
        let error = stderr(output);
        assert_eq!(output.status.code(), Some(2), "{error}");
        assert!(output.stdout.is_empty(), "{}", stdout(output));
        assert!(!error.contains("panicked"), "{error}");
        assert!(error.contains(&dir.0.display().to_string()), "{error}");
        for part in parts {
            assert!(error.contains(part), "{part} missing: {error}");
        }
    };

    expect_error(&ask(&dir.0), &["does not exist", "hypnic index --build"]);
    fs::create_dir_all(&dir.0).unwrap();
    fs::write(dir.0.join("notes.txt"), "mine").unwrap();
    expect_error(&ask(&dir.0), &["holds no hypnic index"]);
    // Nor does a build write into a folder of other files.
    expect_error(&build(&dir), &["is not empty and is not a hypnic index"]);
    assert_eq!(fs::read_to_string(dir.0.join("notes.txt")).unwrap(), "mine");

    fs::remove_file(dir.0.join("notes.txt")).unwrap();
    assert!(build(&dir).status.success());
    // The index of other knowledge: its manifest's fingerprint no longer matches.
    let manifest = dir.0.join("hypnic-index.toml");
    let text = fs::read_to_string(&manifest).unwrap();
    let line = text.lines().find(|line| line.starts_with("fingerprint")).unwrap();
    fs::write(&manifest, text.replace(line, "fingerprint = \"0000000000000000\"")).unwrap();
    let rebuild = format!("rebuild it with `hypnic index --build {}`", dir.0.display());
    expect_error(&ask(&dir.0), &["was built from other knowledge", &rebuild]);
}
