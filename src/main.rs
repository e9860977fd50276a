//! The `hypnic` binary: parses the command line and hands over to [`hypnic::cli`].

use std::process::ExitCode;

fn main() -> ExitCode {
    use_one_malloc_arena();
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

/// glibc's malloc gives each thread that meets a busy lock an arena of its
/// own, and an arena keeps what was freed in it for reuse. In the bot, whose
/// few threads all allocate briefly for each update, the tokio workers' arenas
/// held about 8 MiB each under load, most of it free. One arena keeps the
/// whole process near what it actually uses; the lock it shares costs little
/// with a thread per core. It must be set before any thread starts.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn use_one_malloc_arena() {
    // SAFETY: `mallopt` only sets a malloc parameter; no other thread exists yet.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn use_one_malloc_arena() {}
