//! Running the real binary under an address-space limit, for the sweep tests of
//! `it/secrets.rs`, `it/files.rs` and `it/budgets.rs`, and for every case of
//! `it/bad_inputs.rs`.
//!
//! The limit is RLIMIT_AS, set by util-linux `prlimit` when installed, else by the shell's
//! `ulimit -v`; either then execs the binary, so the status is the binary's own. A run
//! over the limit fails to allocate and aborts: a signal, which [`Run::clean`] refuses.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A whole render needs well under 100 MiB of address space (static binary, a few threads).
pub const DEFAULT_MEMORY: u64 = 256 << 20;

/// Not a timing assertion: a run still going after this long is stopped and reported as a
/// hang, so that a regression fails the test instead of blocking it.
const HANG: Duration = Duration::from_secs(60);

/// What one run did.
#[derive(Debug)]
pub struct Run {
    /// The exit code; `None` when a signal ended the run (or it was stopped as a hang).
    pub code: Option<i32>,
    /// Whether it was stopped as a hang.
    pub hung: bool,
    /// How it ended; `None` when it was stopped as a hang.
    pub status: Option<ExitStatus>,
    /// How long it ran.
    pub elapsed: Duration,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Run {
    /// Standard error as text.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// Standard output as text.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Ended by itself with an exit code other than a panic's 101.
    pub fn clean(&self) -> bool {
        !self.hung
            && matches!(self.code, Some(c) if c != 101)
            && !self.stderr().contains("panicked")
    }
}

/// util-linux `prlimit`, when installed.
fn prlimit() -> Option<&'static Path> {
    ["/usr/bin/prlimit", "/bin/prlimit", "/usr/local/bin/prlimit"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.is_file())
}

/// How the address-space limit is applied, for a summary line.
pub fn limiter_name() -> &'static str {
    match prlimit() {
        Some(_) => "prlimit --as",
        None => "sh ulimit -v",
    }
}

/// One run of the binary: `args`, in `cwd`, with exactly `env` as its environment, at most
/// `memory` bytes of address space, and `stdin` (or nothing) as its input; stopped as a
/// hang after a minute.
pub fn run(
    args: &[String],
    env: &[(String, String)],
    cwd: &Path,
    memory: u64,
    stdin: Option<Vec<u8>>,
) -> Run {
    run_within(args, env, cwd, memory, stdin, HANG)
}

/// [`run`], stopped as a hang after `time_limit`.
pub fn run_within(
    args: &[String],
    env: &[(String, String)],
    cwd: &Path,
    memory: u64,
    stdin: Option<Vec<u8>>,
    time_limit: Duration,
) -> Run {
    let binary = Path::new(env!("CARGO_BIN_EXE_qspgb"));
    let mut cmd = match prlimit() {
        Some(prlimit) => {
            let mut cmd = Command::new(prlimit);
            cmd.arg(format!("--as={memory}")).arg("--").arg(binary);
            cmd
        }
        None => {
            let mut cmd = Command::new("/bin/sh");
            cmd.arg("-c")
                .arg(format!("ulimit -v {} && exec \"$0\" \"$@\"", memory / 1024))
                .arg(binary);
            cmd
        }
    };
    cmd.args(args)
        .current_dir(cwd)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().expect("start qspgb");
    let mut input = child.stdin.take();
    let feeder = std::thread::spawn(move || {
        if let (Some(pipe), Some(bytes)) = (input.as_mut(), stdin) {
            // The binary may stop reading early (it failed): not our error.
            let _ = pipe.write_all(&bytes);
        }
    });
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for qspgb") {
            break Some(status);
        }
        if start.elapsed() > time_limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    let _ = feeder.join();
    Run {
        code: status.and_then(|s| s.code()),
        hung: status.is_none(),
        status,
        elapsed,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

/// Runs `jobs` on a few threads (the machines are small and the runs are processes),
/// keeping their order.
pub fn in_parallel<T: Send, R: Send>(jobs: Vec<T>, work: impl Fn(T) -> R + Sync) -> Vec<R> {
    use std::sync::Mutex;
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
    let queue = Mutex::new(jobs.into_iter().enumerate().collect::<Vec<_>>());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().unwrap().pop();
                    let Some((i, job)) = next else { break };
                    let result = work(job);
                    results.lock().unwrap().push((i, result));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// Every run of `min` or more characters of `secret` found in `text`, for a report.
pub fn leaks(text: &str, secret: &str, min: usize) -> Vec<String> {
    let chars: Vec<char> = secret.chars().collect();
    let mut found = Vec::new();
    for window in chars.windows(min) {
        let part: String = window.iter().collect();
        if text.contains(&part) && !found.contains(&part) {
            found.push(part);
        }
    }
    found
}

/// A fresh scratch directory for one test, removed first if a previous run left it.
pub fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("qspgb-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}
