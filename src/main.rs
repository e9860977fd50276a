//! The `hypnic` binary: parses the command line and hands over to [`hypnic::cli`].

use std::process::ExitCode;

fn main() -> ExitCode {
    match hypnic::cli::run() {
        Ok(code) => code,
        // A reader that stops early (`hypnic index | head`) is not an error.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("hypnic: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
