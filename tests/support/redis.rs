//! The Redis server of the tests: the one named by `HYPNIC_TEST_REDIS_URL`
//! (CI starts one), else a `redis-server` from `PATH` started on a free
//! loopback port with no persistence, stopped when the handle is dropped.
//! Without either a test that needs Redis fails, saying how to get one.
//!
//! Tests share a server, so each uses chat ids of its own ([`unique_chat`]).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

/// The variable that names a running Redis server for the tests.
pub const REDIS_URL_VAR: &str = "HYPNIC_TEST_REDIS_URL";

/// How long a started server may take to accept connections.
const START_WAIT: Duration = Duration::from_secs(10);

/// A Redis server for one test.
pub struct TestRedis {
    url: String,
    server: Option<Child>,
}

impl TestRedis {
    /// The server of `HYPNIC_TEST_REDIS_URL`, or a new `redis-server`.
    ///
    /// # Panics
    /// Neither is available, or the server does not start: the test fails
    /// with what to install.
    pub fn start() -> TestRedis {
        match TestRedis::try_start() {
            Ok(redis) => redis,
            Err(reason) => panic!(
                "this test needs Redis: {reason}. Install redis-server (Debian: `apt-get install -y \
                 redis-server`) so the test can start one from PATH, or set {REDIS_URL_VAR} to a \
                 running server's redis://127.0.0.1:PORT URL"
            ),
        }
    }

    /// As [`TestRedis::start`], returning why there is no server instead of panicking.
    ///
    /// # Errors
    /// No URL is set and `redis-server` cannot be started.
    pub fn try_start() -> Result<TestRedis, String> {
        if let Some(url) = std::env::var(REDIS_URL_VAR).ok().filter(|url| !url.trim().is_empty()) {
            return Ok(TestRedis { url: url.trim().to_string(), server: None });
        }
        let port = free_port().map_err(|error| format!("no free loopback port ({error})"))?;
        let server = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string(), "--save", "", "--appendonly", "no"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|error| format!("{REDIS_URL_VAR} is not set and redis-server cannot be started ({error})"))?;
        let redis = TestRedis { url: format!("redis://127.0.0.1:{port}/"), server: Some(server) };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > START_WAIT {
                return Err(format!("redis-server did not accept connections on port {port} within {START_WAIT:?}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(redis)
    }

    /// The server's `redis://` URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        if let Some(server) = &mut self.server {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

/// A private chat id that no other test, nor a recent run, uses on a shared
/// server (chat ids are Redis keys): the process id, the time and a counter.
pub fn unique_chat() -> i64 {
    static NEXT: AtomicI64 = AtomicI64::new(0);
    let seconds = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |t| t.as_secs());
    let seconds = i64::try_from(seconds % 1024).unwrap_or_default();
    (i64::from(std::process::id()) << 30) | (seconds << 20) | (NEXT.fetch_add(1, Ordering::Relaxed) % (1 << 20))
}

/// A free port on 127.0.0.1.
fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
