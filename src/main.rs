//! The `hypnic` binary: parses the command line and hands over to [`hypnic::cli`].

use std::process::ExitCode;

fn main() -> ExitCode {
    match hypnic::cli::run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("hypnic: {err:#}");
            ExitCode::from(2)
        }
    }
}
