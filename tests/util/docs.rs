//! The commands the documentation shows, as the test suites run them
//! (`it/docs_commands.rs` offline, `e2e/docs_commands.rs` against the real API server).
//!
//! Every fenced block of README.md and docs/*.md whose info string starts with `sh` is a
//! list of commands a reader copies, so every one is executed, and none can rot. The words
//! after `sh` say where it runs (a block with none runs offline):
//!
//! | info string | runs |
//! |---|---|
//! | `sh` | offline, in a scratch directory shared by the document's blocks, `qspgb` on PATH |
//! | `sh checkout` | offline, in the repository root, which it must leave unchanged |
//! | `sh cluster` | against the real kube-apiserver (`KUBECONFIG`, `kubectl` on PATH), in the document's scratch directory; `sh cluster checkout` in the repository root |
//! | `sh node` | against a cluster with a node that runs Pods (the real-node suite, `QSPGB_KUBE_NODE`); the API server alone never runs a Pod |
//! | `sh ci` | by CI itself: each command must appear as a command line of `.ci/run` or a script it runs |
//! | `exit=N` (added to any of these) | the block must end with exit code N (the commands run without `-e`) |
//!
//! Anything else after `sh` is an error, so a typo cannot silently exempt a block. Blocks in
//! other languages (`text`, `yaml`, `ini`) show output or files, not commands.

use std::path::{Path, PathBuf};

/// Where a block runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A scratch directory, no cluster.
    Offline,
    /// The repository root, no cluster.
    Checkout,
    /// A scratch directory, against the API server.
    Cluster,
    /// The repository root, against the API server.
    ClusterCheckout,
    /// A cluster whose node runs Pods.
    Node,
    /// Run by CI itself.
    Ci,
}

/// One `sh` block of a document.
#[derive(Debug, Clone)]
pub struct Block {
    /// The document, relative to the repository root.
    pub file: String,
    /// The line of the opening fence (1-based).
    pub line: usize,
    /// Where it runs.
    pub place: Place,
    /// The exit code it must end with.
    pub exit: i32,
    /// The commands.
    pub text: String,
}

impl Block {
    /// `file:line`, for messages.
    pub fn at(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The documents whose commands are executed: README.md and every docs/*.md, in name order.
pub fn documents() -> Vec<String> {
    let mut docs = vec!["README.md".to_string()];
    let mut names: Vec<String> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    names.sort();
    docs.extend(names);
    docs
}

/// The `sh` blocks of one document; an unknown word in an info string is an error.
pub fn blocks_of(file: &str, markdown: &str) -> Result<Vec<Block>, String> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, String, Vec<&str>)> = None;
    for (index, line) in markdown.lines().enumerate() {
        let fence = line.trim_start();
        match &mut open {
            Some((start, info, body)) => {
                if fence.starts_with("```") {
                    if let Some(block) = block(file, *start, info, body.join("\n"))? {
                        blocks.push(block);
                    }
                    open = None;
                } else {
                    body.push(line);
                }
            }
            None => {
                if let Some(info) = fence.strip_prefix("```") {
                    open = Some((index + 1, info.trim().to_string(), Vec::new()));
                }
            }
        }
    }
    if let Some((start, _, _)) = open {
        return Err(format!("{file}:{start}: a fenced block is never closed"));
    }
    Ok(blocks)
}

fn block(file: &str, line: usize, info: &str, text: String) -> Result<Option<Block>, String> {
    let mut words = info.split_whitespace();
    match words.next() {
        Some("sh") => {}
        Some("bash" | "shell" | "console" | "zsh") => {
            return Err(format!(
                "{file}:{line}: commands are fenced as `sh` (with `checkout`, `cluster`, `ci` or \
                 `exit=N`), found `{info}`"
            ));
        }
        _ => return Ok(None),
    }
    let (mut checkout, mut cluster, mut ci, mut node, mut exit) = (false, false, false, false, 0);
    for word in words {
        match word {
            "checkout" => checkout = true,
            "cluster" => cluster = true,
            "ci" => ci = true,
            "node" => node = true,
            _ => match word.strip_prefix("exit=").map(str::parse::<i32>) {
                Some(Ok(code)) => exit = code,
                _ => {
                    return Err(format!(
                        "{file}:{line}: unknown word `{word}` after `sh` (known: checkout, \
                         cluster, node, ci, exit=N)"
                    ));
                }
            },
        }
    }
    if node {
        if ci || cluster || checkout {
            return Err(format!("{file}:{line}: `node` stands alone"));
        }
        return Ok(Some(Block {
            file: file.to_string(),
            line,
            place: Place::Node,
            exit,
            text,
        }));
    }
    let place = match (ci, cluster, checkout) {
        (true, false, false) => Place::Ci,
        (true, _, _) => return Err(format!("{file}:{line}: `ci` stands alone")),
        (false, true, true) => Place::ClusterCheckout,
        (false, true, false) => Place::Cluster,
        (false, false, true) => Place::Checkout,
        (false, false, false) => Place::Offline,
    };
    Ok(Some(Block {
        file: file.to_string(),
        line,
        place,
        exit,
        text,
    }))
}

/// Every `sh` block of every document, or every problem with their info strings.
pub fn all_blocks() -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut problems = Vec::new();
    for file in documents() {
        let markdown = std::fs::read_to_string(root().join(&file)).expect("read document");
        match blocks_of(&file, &markdown) {
            Ok(found) => blocks.extend(found),
            Err(problem) => problems.push(problem),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    blocks
}

/// The command lines of a block: comments and blank lines dropped, continuation lines
/// joined, a trailing `# comment` removed.
pub fn command_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for raw in text.lines() {
        let line = raw.trim();
        if current.is_empty() && (line.is_empty() || line.starts_with('#')) {
            continue;
        }
        if let Some(part) = line.strip_suffix('\\') {
            current.push_str(part.trim_end());
            current.push(' ');
            continue;
        }
        current.push_str(line);
        let command = match current.find(" #") {
            Some(at) => current[..at].trim_end().to_string(),
            None => current.trim_end().to_string(),
        };
        lines.push(command);
        current.clear();
    }
    lines
}

/// A scratch directory for one document's blocks, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A new empty directory under the system's temporary directory.
    pub fn new(label: &str) -> Scratch {
        let name: String = label
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let dir = std::env::temp_dir().join(format!("qspgb-docs-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch directory");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A PATH whose first entries are `dirs`, then the directory of the qspgb binary under
/// test, then the caller's PATH.
pub fn path_with(dirs: &[&Path]) -> std::ffi::OsString {
    let bin = Path::new(env!("CARGO_BIN_EXE_qspgb"))
        .parent()
        .unwrap()
        .to_path_buf();
    let mut all: Vec<PathBuf> = dirs.iter().map(|d| d.to_path_buf()).collect();
    all.push(bin);
    all.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(all).expect("PATH")
}

/// Runs one block with bash in `dir` with `envs`, and checks its exit code. Returns a
/// failure message naming the block, or None.
pub fn run_block(block: &Block, dir: &Path, envs: &[(&str, std::ffi::OsString)]) -> Option<String> {
    let mut command = std::process::Command::new("bash");
    if block.exit == 0 {
        command.args(["-euo", "pipefail"]);
    }
    command.arg("-c").arg(&block.text).current_dir(dir);
    if !matches!(
        block.place,
        Place::Cluster | Place::ClusterCheckout | Place::Node
    ) {
        // An offline block must not reach whatever cluster the caller's environment names.
        command.env_remove("KUBECONFIG");
    }
    for (key, value) in envs {
        command.env(key, value);
    }
    let out = command.output().expect("run bash");
    let code = out.status.code().unwrap_or(-1);
    if code == block.exit {
        return None;
    }
    Some(format!(
        "{}: exit {code}, expected {}\n--- block\n{}\n--- stdout (last 2000 bytes)\n{}\n--- stderr\n{}",
        block.at(),
        block.exit,
        block.text,
        tail(&out.stdout),
        tail(&out.stderr),
    ))
}

fn tail(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let start = text.len().saturating_sub(2000);
    let start = (start..text.len())
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(text.len());
    text[start..].to_string()
}
