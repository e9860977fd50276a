//! The deployment files are checked by the tools that read them: the systemd
//! unit `deploy/hypnic.service` by `systemd-analyze`, with `ExecStart` pointing
//! at the binary this build made. `systemd-analyze` comes with systemd (on
//! Debian: `apt-get install -y systemd`); without it these tests fail and say
//! so, because a unit nobody checked is not a unit that works.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Where the unit expects the binary; the copy under test points at the built one.
const INSTALLED_BINARY: &str = "/usr/local/bin/hypnic";

/// The highest exposure `systemd-analyze security` may give the unit, in the
/// tenths its `--threshold` takes: 20 is the 2.0 it prints, on a scale from 0
/// (fully locked down) to 10 (fully exposed). The unit needs the network,
/// which costs about one point.
const MAX_EXPOSURE_TENTHS: u32 = 20;

/// The unit with `ExecStart` pointing at the built binary, in a fresh temp folder.
fn unit_under_test() -> (tempfile::TempDir, PathBuf) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/hypnic.service");
    let unit = std::fs::read_to_string(&source).expect("deploy/hypnic.service is readable");
    let exec_start = format!("ExecStart={INSTALLED_BINARY} ");
    assert!(unit.contains(&exec_start), "the unit starts {INSTALLED_BINARY}:\n{unit}");
    let unit = unit.replace(&exec_start, &format!("ExecStart={} ", env!("CARGO_BIN_EXE_hypnic")));
    let folder = tempfile::tempdir().expect("a temp folder");
    let path = folder.path().join("hypnic.service");
    std::fs::write(&path, unit).expect("the unit copy is written");
    (folder, path)
}

/// Runs `systemd-analyze ARGS`; fails the test, saying what to install, when
/// the tool is missing.
fn systemd_analyze(args: &[&str], unit: &Path) -> Output {
    match Command::new("systemd-analyze").args(args).arg(unit).output() {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => panic!(
            "systemd-analyze is not installed, so deploy/hypnic.service cannot be checked; \
             install systemd (Debian: apt-get install -y systemd)"
        ),
        Err(error) => panic!("systemd-analyze cannot run: {error}"),
    }
}

#[test]
fn the_systemd_unit_verifies_without_a_warning() {
    let (_folder, unit) = unit_under_test();
    let output = systemd_analyze(&["verify"], &unit);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // verify exits 0 on unknown keys and bad values, and only warns: any word
    // on stderr is a finding.
    assert!(
        output.status.success() && stderr.trim().is_empty(),
        "systemd-analyze verify ({}):\n{stderr}",
        output.status
    );
}

#[test]
fn the_systemd_unit_is_locked_down() {
    let (_folder, unit) = unit_under_test();
    let threshold = format!("--threshold={MAX_EXPOSURE_TENTHS}");
    let output = systemd_analyze(&["security", "--offline=yes", "--no-pager", &threshold], &unit);
    let report = String::from_utf8_lossy(&output.stdout);
    let overall =
        report.lines().find(|line| line.contains("Overall exposure level")).unwrap_or("no overall exposure line");
    assert!(
        output.status.success(),
        "exposure above {MAX_EXPOSURE_TENTHS} tenths: {overall}\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
