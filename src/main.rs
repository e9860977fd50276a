//! The `hypnic` binary: parses the command line and hands over to [`hypnic::cli`].

use std::process::ExitCode;

use clap::Parser;
use hypnic::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The bot lives long and its memory matters; a command that answers and
    // exits is faster with malloc's defaults.
    if cli.runs_the_bot() {
        tune_malloc();
    }
    match hypnic::cli::run_with(cli) {
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

/// glibc's malloc gives each thread that meets a busy lock an arena of its
/// own (up to 8 per core), keeps what is freed there for reuse, and raises its
/// mmap threshold as large blocks are freed, so they stay in the heap too. In
/// the bot, whose few threads all allocate briefly for each update, the tokio
/// workers' arenas held about 8 MiB each under load, most of it free. Two
/// arenas, blocks of 32 KiB and more mmapped (and so returned when freed), and
/// free memory at the top of a heap returned beyond 64 KiB keep the process
/// near what it uses; a single arena would save a little more memory but costs
/// about a third more CPU per reply in lock waits. Set before any thread starts.
/// Only the bot is tuned: building the engine makes many large blocks, and
/// mapping each one costs a command such as `hypnic ask` about a sixth of its
/// CPU time.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_malloc() {
    // SAFETY: `mallopt` only sets malloc parameters; no other thread exists yet.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 * 1024);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_malloc() {}
