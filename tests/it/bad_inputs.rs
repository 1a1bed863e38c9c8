//! The corpus of bad inputs in `tests/bad-inputs/`: every case runs the real binary and
//! must fail cleanly. README's ground rule: bad input gets a clear error and a non-zero exit,
//! nothing half-written, and no secret in the message.
//!
//! One directory per case, `tests/bad-inputs/<NNN>-<slug>/`, holding `case.yaml` and the
//! input files it needs:
//!
//! ```yaml
//! about: what the case proves, in one line
//! args: [render, -f, values.yaml]   # run in a copy of the case directory; {dir} is that
//!                                   # copy's absolute path, {repo} the repository's
//! stdin: input.yaml                 # optional: a file of the case as standard input
//! env: {ARGOCD_APP_NAME: x}         # optional: the whole environment (it starts empty)
//! generate:                         # optional: files made before the run, from pieces
//!   deep.yaml:                      #   text (times: n repeats it), hex bytes, or
//!     - {text: "a: "}               #   junk: n pseudo-random bytes (fixed seed), so that
//!     - {text: "[", times: 100000}  #   big or binary inputs need no committed file
//!     - {hex: "ff fe"}
//! links: {out/a.yaml: /proc/self/environ}  # optional: symbolic links made before the run
//!                                   #   (name: target; {dir} as above)
//! fifos: [out/b.yaml]               # optional: named pipes made before the run
//! exit: 1                           # the exit code
//! stderr: ["values.yaml:3:2:"]      # fragments that must all appear on stderr
//! stderr_absent: [Sup3rS3cret]      # optional: fragments that must not (planted secrets)
//! ```
//!
//! Every case must also: exit by itself within [`TIME_LIMIT`] and with at most
//! [`MEMORY_LIMIT`] of address space (not killed by a signal), not panic (exit 101, or
//! "panicked"/"RUST_BACKTRACE" on stderr), print nothing on stdout, and leave its directory
//! byte for byte as it was (so `--output-dir` cases prove that nothing was half-written).
//!
//! All failing cases are reported together. `QSPGB_BAD_INPUTS_ONLY=<substring>` runs only
//! matching cases.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::util::limited::{self, Run};

/// A case that takes longer hangs (or does work no bad input should cause).
const TIME_LIMIT: Duration = Duration::from_secs(10);

/// Address space per run. A whole render needs well under 100 MiB (the static binary, a
/// few threads); the alias bombs stop at a million nodes, about 120 MiB. A run over the
/// limit fails to allocate and aborts, which the runner reports as a signal.
const MEMORY_LIMIT: u64 = 256 * 1024 * 1024;

/// The floor for the corpus, so that it cannot shrink unnoticed.
const MIN_CASES: usize = 40;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    about: String,
    args: Vec<String>,
    #[serde(default)]
    stdin: Option<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    #[serde(default)]
    generate: BTreeMap<String, Vec<Piece>>,
    #[serde(default)]
    links: BTreeMap<String, String>,
    #[serde(default)]
    fifos: Vec<String>,
    exit: i32,
    stderr: Vec<String>,
    #[serde(default)]
    stderr_absent: Vec<String>,
}

/// A piece of a generated file: exactly one of `text`, `hex` or `junk`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Piece {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    hex: Option<String>,
    #[serde(default)]
    junk: Option<usize>,
    #[serde(default = "once")]
    times: usize,
}

fn once() -> usize {
    1
}

impl Piece {
    fn bytes(&self) -> Result<Vec<u8>, String> {
        let one = match (&self.text, &self.hex, self.junk) {
            (Some(text), None, None) => text.as_bytes().to_vec(),
            (None, Some(hex), None) => decode_hex(hex)?,
            (None, None, Some(n)) => junk(n),
            _ => return Err("a piece needs exactly one of text, hex, junk".into()),
        };
        Ok(one.repeat(self.times))
    }
}

fn decode_hex(hex: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = hex.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    digits
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .filter(|_| pair.len() == 2)
                .ok_or_else(|| format!("bad hex {hex:?}"))
        })
        .collect()
}

/// Pseudo-random bytes (xorshift64, fixed seed): binary junk that is the same every run.
fn junk(n: usize) -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

struct Loaded {
    name: String,
    dir: PathBuf,
    case: Case,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad-inputs")
}

/// Reads every case; a malformed corpus (bad name, duplicate number, unreadable case.yaml)
/// is reported like a failing case.
fn load_cases(problems: &mut Vec<String>) -> Vec<Loaded> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/bad-inputs exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut numbers = BTreeMap::new();
    let mut cases = Vec::new();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let well_named = name.len() > 4
            && name.as_bytes()[..3].iter().all(u8::is_ascii_digit)
            && name.as_bytes()[3] == b'-'
            && name[4..]
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !well_named {
            problems.push(format!("{name}: a case directory is named NNN-slug"));
            continue;
        }
        if let Some(other) = numbers.insert(name[..3].to_string(), name.clone()) {
            problems.push(format!("{name}: number already used by {other}"));
        }
        let text = match std::fs::read_to_string(dir.join("case.yaml")) {
            Ok(text) => text,
            Err(e) => {
                problems.push(format!("{name}: case.yaml: {e}"));
                continue;
            }
        };
        match serde_yaml::from_str::<Case>(&text) {
            Ok(case) if case.stderr.is_empty() => {
                problems.push(format!("{name}: case.yaml: stderr needs a fragment"))
            }
            Ok(case) if case.exit == 0 => {
                problems.push(format!("{name}: case.yaml: a bad input must not exit 0"))
            }
            Ok(case) => cases.push(Loaded { name, dir, case }),
            Err(e) => problems.push(format!("{name}: case.yaml: {e}")),
        }
    }
    cases
}

/// Every file and folder below `dir` with its bytes (`None` for a folder), without
/// following links (a link is its target's name) or opening special files (a fifo is a
/// marker): a case may plant both.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Option<Vec<u8>>>) {
        for entry in std::fs::read_dir(dir).expect("readable dir") {
            let path = entry.expect("readable entry").path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            let kind = std::fs::symlink_metadata(&path)
                .expect("readable entry")
                .file_type();
            if kind.is_symlink() {
                let target = std::fs::read_link(&path).expect("readable link");
                let mut marker = b"link -> ".to_vec();
                marker.extend(target.to_string_lossy().as_bytes());
                out.insert(rel, Some(marker));
            } else if kind.is_dir() {
                out.insert(rel, None);
                walk(root, &path, out);
            } else if kind.is_file() {
                out.insert(rel, Some(std::fs::read(&path).expect("readable file")));
            } else {
                out.insert(rel, Some(b"special file".to_vec()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create case copy");
    for entry in std::fs::read_dir(from).expect("readable case dir") {
        let path = entry.expect("readable entry").path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy case file");
        }
    }
}

fn run_binary(case: &Case, work: &Path) -> Run {
    let fill = |s: &str| {
        s.replace("{dir}", &work.display().to_string())
            .replace("{repo}", env!("CARGO_MANIFEST_DIR"))
    };
    let args: Vec<String> = case.args.iter().map(|a| fill(a)).collect();
    let env: Vec<(String, String)> = case.env.iter().map(|(k, v)| (k.clone(), fill(v))).collect();
    let input = case
        .stdin
        .as_ref()
        .map(|file| std::fs::read(work.join(file)).expect("readable stdin file"));
    limited::run_within(&args, &env, work, MEMORY_LIMIT, input, TIME_LIMIT)
}

/// How long a passing case took, or everything that went wrong.
type Outcome = Result<Duration, Vec<String>>;

/// Runs one case in `work` (a fresh copy of its directory); returns what went wrong.
fn check(loaded: &Loaded, work: &Path) -> Outcome {
    let case = &loaded.case;
    copy_dir(&loaded.dir, work);
    for (file, pieces) in &case.generate {
        let mut bytes = Vec::new();
        for piece in pieces {
            bytes.extend(
                piece
                    .bytes()
                    .map_err(|e| vec![format!("generate {file}: {e}")])?,
            );
        }
        let path = work.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).expect("create generated folder");
        std::fs::write(path, bytes).expect("write generated file");
    }
    let fill_dir = |s: &str| s.replace("{dir}", &work.display().to_string());
    for (name, target) in &case.links {
        let path = work.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).expect("create link folder");
        std::os::unix::fs::symlink(fill_dir(target), &path).expect("create link");
    }
    for name in &case.fifos {
        let path = work.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).expect("create fifo folder");
        let made = Command::new("mkfifo")
            .arg(&path)
            .status()
            .expect("run mkfifo");
        assert!(made.success(), "mkfifo {}", path.display());
    }
    let before = snapshot(work);
    let run = run_binary(case, work);
    let stderr = String::from_utf8_lossy(&run.stderr);
    let excerpt = |text: &str, limit: usize| -> String {
        let mut short: String = text.chars().take(limit).collect();
        if short.len() < text.len() {
            short.push('…');
        }
        short
    };
    let mut failures = Vec::new();
    match run.status {
        None => failures.push(format!(
            "did not finish within {TIME_LIMIT:?} (killed); a hang or runaway work"
        )),
        Some(status) => match status.code() {
            None => {
                use std::os::unix::process::ExitStatusExt;
                failures.push(format!(
                    "killed by signal {:?} (an abort: memory limit of {} MiB, or a crash)",
                    status.signal(),
                    MEMORY_LIMIT >> 20
                ));
            }
            Some(101) => failures.push("exit code 101: it panicked".into()),
            Some(code) if code != case.exit => {
                failures.push(format!("exit code {code}, expected {}", case.exit))
            }
            Some(_) => {}
        },
    }
    if !run.stdout.is_empty() {
        failures.push(format!(
            "stdout must stay empty, got {} bytes: {:?}",
            run.stdout.len(),
            excerpt(&String::from_utf8_lossy(&run.stdout), 200)
        ));
    }
    for marker in ["panicked", "RUST_BACKTRACE"] {
        if stderr.contains(marker) {
            failures.push(format!("stderr shows a panic ({marker:?})"));
        }
    }
    let fill = |s: &str| s.replace("{dir}", &work.display().to_string());
    for fragment in &case.stderr {
        if !stderr.contains(&fill(fragment)) {
            failures.push(format!("stderr lacks {:?}", fill(fragment)));
        }
    }
    for fragment in &case.stderr_absent {
        if stderr.contains(&fill(fragment)) {
            failures.push(format!("stderr must not contain {:?}", fill(fragment)));
        }
    }
    let after = snapshot(work);
    if after != before {
        let changed: Vec<String> = before
            .keys()
            .chain(after.keys())
            .filter(|path| before.get(*path) != after.get(*path))
            .map(|path| path.display().to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        failures.push(format!(
            "the case directory changed (something was written): {}",
            changed.join(", ")
        ));
    }
    if failures.is_empty() {
        Ok(run.elapsed)
    } else {
        let shown = excerpt(&stderr, 1500).replace('\n', "\n      ");
        failures.push(format!("stderr was: {shown}"));
        // What the case is about, so a failure reads without opening case.yaml.
        failures.insert(0, format!("({})", case.about));
        Err(failures)
    }
}

#[test]
fn bad_inputs_fail_cleanly() {
    let started = Instant::now();
    let mut problems = Vec::new();
    let cases = load_cases(&mut problems);
    let only = std::env::var("QSPGB_BAD_INPUTS_ONLY").unwrap_or_default();
    if only.is_empty() && cases.len() < MIN_CASES {
        problems.push(format!(
            "only {} cases, at least {MIN_CASES} wanted",
            cases.len()
        ));
    }
    let to_run: Vec<&Loaded> = cases.iter().filter(|c| c.name.contains(&only)).collect();

    let scratch = std::env::temp_dir().join(format!("qspgb-bad-inputs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    // Two cores are common (CI, the shared build machine); the runs are short processes.
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(String, Outcome)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(loaded) = to_run.get(i) else { break };
                    let outcome = check(loaded, &scratch.join(&loaded.name));
                    results.lock().unwrap().push((loaded.name.clone(), outcome));
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(&scratch);
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.0.cmp(&b.0));

    let limiter = limited::limiter_name();
    println!(
        "bad inputs: {} run ({} workers, {limiter} {} MiB, {:?} each at most) in {:.1?}",
        results.len(),
        workers,
        MEMORY_LIMIT >> 20,
        TIME_LIMIT,
        started.elapsed()
    );
    let mut timed: Vec<(&str, Duration)> = results
        .iter()
        .filter_map(|(name, r)| Some((name.as_str(), *r.as_ref().ok()?)))
        .collect();
    timed.sort_by_key(|(_, took)| std::cmp::Reverse(*took));
    let slowest: Vec<String> = timed
        .iter()
        .take(3)
        .map(|(name, took)| format!("{name} {took:.1?}"))
        .collect();
    println!("slowest: {}", slowest.join(", "));
    let mut report = problems;
    for (name, outcome) in &results {
        if let Err(failures) = outcome {
            report.push(format!("{name}:\n    {}", failures.join("\n    ")));
        }
    }
    assert!(
        report.is_empty(),
        "{} of {} bad-input cases failed:\n\n{}",
        report.len(),
        results.len(),
        report.join("\n\n")
    );
}

/// docs/bad-inputs.md lists every case, so the list of what is proven stays whole.
#[test]
fn docs_list_every_case() {
    let doc = std::fs::read_to_string("docs/bad-inputs.md").expect("docs/bad-inputs.md");
    let missing: Vec<String> = std::fs::read_dir(corpus_dir())
        .expect("tests/bad-inputs")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !doc.contains(&format!("`{name}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "cases missing from docs/bad-inputs.md: {missing:?}"
    );
}
