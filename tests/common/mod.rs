//! What the render-level integration tests share: running the real binary and reading its
//! documents. Each test crate uses a part of it, hence `allow(dead_code)`. The suites
//! against the real API server share [`apiserver`] as well.
#![allow(dead_code)]

pub mod apiserver;

use std::path::Path;
use std::process::{Command, Output};

use serde_yaml::Value;

/// The chart aliases and the object names the product defaults give them.
pub const INSTANCES: [(&str, &str); 2] = [
    ("pgbouncerPharia", "pgbouncer-pharia"),
    ("pgbouncerTemporal", "pgbouncer-temporal"),
];

/// Runs the real binary from the repository root.
pub fn qspgb(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qspgb"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .output()
        .expect("run qspgb")
}

/// A run's standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// Renders `my-pgbouncer -n pharia-ai` with extra flags: every document with its Source path.
pub fn render_sources(extra: &[&str]) -> Vec<(String, Value)> {
    let mut args = vec!["render", "my-pgbouncer", "-n", "pharia-ai"];
    args.extend_from_slice(extra);
    let out = qspgb(&args);
    assert!(out.status.success(), "{extra:?}: {}", stderr(&out));
    String::from_utf8(out.stdout)
        .expect("UTF-8")
        .split("---\n# Source: ")
        .skip(1)
        .map(|chunk| {
            let (source, body) = chunk.split_once('\n').expect("a Source line");
            let doc = serde_yaml::from_str(body)
                .unwrap_or_else(|e| panic!("{source}: not YAML: {e}\n{body}"));
            (source.to_string(), doc)
        })
        .collect()
}

/// Renders `my-pgbouncer -n pharia-ai` with extra flags; every document parsed.
pub fn render(extra: &[&str]) -> Vec<Value> {
    render_sources(extra).into_iter().map(|(_, d)| d).collect()
}

/// A render that must fail: exit 1, nothing on stdout; returns stderr.
pub fn render_error(extra: &[&str]) -> String {
    let mut args = vec!["render", "my-pgbouncer", "-n", "pharia-ai"];
    args.extend_from_slice(extra);
    let out = qspgb(&args);
    assert_eq!(out.status.code(), Some(1), "{extra:?} must fail");
    assert!(out.stdout.is_empty(), "{extra:?}: nothing on stdout");
    stderr(&out)
}

/// YAML written in a test.
pub fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).expect("test YAML")
}

/// The documents of one kind and name.
pub fn find<'a>(docs: &'a [Value], kind: &str, name: &str) -> Vec<&'a Value> {
    docs.iter()
        .filter(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .collect()
}

/// The one document of this kind and name.
pub fn one<'a>(docs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    let found = find(docs, kind, name);
    assert_eq!(found.len(), 1, "exactly one {kind} {name}");
    found[0]
}

/// Runs `command` with `stdin` as its standard input; returns its output (stdout and
/// stderr captured). The end-to-end suites run kubectl this way.
pub fn output_with_stdin(command: &mut std::process::Command, stdin: &str) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {:?}: {e}", command.get_program()));
    let mut pipe = child.stdin.take().expect("a stdin pipe");
    pipe.write_all(stdin.as_bytes()).expect("write stdin");
    drop(pipe);
    child.wait_with_output().expect("wait for the output")
}

const BASE64_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Encodes bytes as standard base64 with padding (a Secret's `data` values).
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64_ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64 (a Secret's `data` values as kubectl prints them) into UTF-8.
pub fn base64_decode(s: &str) -> String {
    let (mut bits, mut count, mut out) = (0u32, 0, Vec::new());
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = BASE64_ALPHABET
            .iter()
            .position(|&a| a == c)
            .expect("base64") as u32;
        bits = (bits << 6) | v;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    String::from_utf8(out).expect("UTF-8 secret data")
}
