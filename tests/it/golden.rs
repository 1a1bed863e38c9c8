//! Golden files: every `values/examples/<name>.yaml` rendered by the real binary must equal
//! `golden/<name>.yaml` byte for byte.
//!
//! After an intended change, regenerate explicitly and review the diff:
//!
//! ```text
//! UPDATE_GOLDEN=1 cargo test --test golden
//! git diff golden/
//! ```
//!
//! Without `UPDATE_GOLDEN=1` nothing is ever written; a difference fails the test.

use std::path::Path;

use crate::util::qspgb;

/// Release and namespace of the golden renderings.
const RELEASE: &str = "qs-pgbouncer";
const NAMESPACE: &str = "pharia-ai";

fn render(example: &Path) -> String {
    let example_path = example.to_str().expect("a UTF-8 path");
    let out = qspgb(&["render", RELEASE, "-n", NAMESPACE, "-f", example_path]);
    assert!(
        out.status.success(),
        "{}: {}",
        example.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn examples_render_to_their_golden_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let update = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let mut examples: Vec<_> = std::fs::read_dir(root.join("values/examples"))
        .expect("values/examples")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    examples.sort();
    assert!(examples.len() >= 4, "expected at least 4 examples");
    let mut stale = Vec::new();
    for example in &examples {
        let golden = root.join("golden").join(example.file_name().unwrap());
        let rendered = render(example);
        if update {
            std::fs::write(&golden, &rendered).expect("write golden file");
            continue;
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        if expected != rendered {
            let first_diff = expected
                .lines()
                .zip(rendered.lines())
                .position(|(a, b)| a != b)
                .map(|i| i + 1)
                .unwrap_or(expected.lines().count().min(rendered.lines().count()) + 1);
            stale.push(format!(
                "{} differs from {} (first difference at line {first_diff})",
                example.display(),
                golden.display()
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "{}\nIf the change is intended: UPDATE_GOLDEN=1 cargo test --test golden, then review git diff golden/",
        stale.join("\n")
    );
}

#[test]
fn rendering_is_byte_stable() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = root.join("values/examples/example-customization.yaml");
    let first = render(&example);
    for _ in 0..5 {
        assert_eq!(render(&example), first);
    }
}
