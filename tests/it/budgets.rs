//! README: bounded cost for small inputs. Any input costs at most a small multiple of its
//! size, or of a documented element budget, in time and memory; exceeding a budget is a
//! clean exit 1 naming the flag or file and the budget.
//!
//! No timing: memory is the measure (an address-space limit, RLIMIT_AS), and time follows
//! from it here (every test input is refused or rendered in one pass). Two kinds of checks:
//! - inputs that ask for unbounded work, at growing scales, all end cleanly under a fixed
//!   limit, with the budget's message once past it;
//! - inputs under the budget need an amount of memory that grows at most linearly with
//!   their size (found by bisecting the limit at 2x and 4x of a unit).

use std::path::Path;

use crate::util::limited::{DEFAULT_MEMORY, Run, in_parallel, run, scratch};

/// The passwords a render needs.
const PASSWORDS: [&str; 4] = [
    "--set",
    "pgbouncerPharia.config.adminPassword=pw-pharia",
    "--set",
    "pgbouncerTemporal.config.adminPassword=pw-temporal",
];

fn args(words: &[&str]) -> Vec<String> {
    words.iter().map(|s| s.to_string()).collect()
}

/// A family of hostile inputs: the command line for a scale.
type Family = (
    &'static str,
    &'static str,
    fn(usize) -> (Vec<String>, Vec<(String, String)>),
);

fn indexes(prefix: &str, n: usize) -> String {
    (0..n)
        .map(|i| format!("{prefix}{i}[65535]=1"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Each family: name, the budget message it must end with past the budget, and inputs.
fn families() -> Vec<Family> {
    vec![
        ("--set list indexes", "more than 131072 list items", |n| {
            (args(&["render", "--set", &indexes("a", n)]), vec![])
        }),
        (
            "--set-string nested indexes",
            "more than 131072 list items",
            |n| {
                let expr = (0..n)
                    .map(|i| format!("s{i}[65535][65535]=x"))
                    .collect::<Vec<_>>()
                    .join(",");
                (args(&["render", "--set-string", &expr]), vec![])
            },
        ),
        (
            "--set-json list indexes",
            "more than 131072 list items",
            |n| (args(&["render", "--set-json", &indexes("j", n)]), vec![]),
        ),
        (
            "one --set flag per index",
            "more than 131072 list items",
            |n| {
                let mut a = vec!["render".to_string()];
                for i in 0..n {
                    a.extend(["--set".to_string(), format!("f{i}[65535]=1")]);
                }
                (a, vec![])
            },
        ),
        (
            "Argo CD set parameters",
            "more than 131072 list items",
            |n| {
                let map: Vec<String> = (0..n).map(|i| format!("\"p{i}[65535]\":\"1\"")).collect();
                let params = format!("[{{\"name\":\"set\",\"map\":{{{}}}}}]", map.join(","));
                (
                    args(&["argocd", "generate"]),
                    vec![
                        ("ARGOCD_APP_NAME".into(), "pgb".into()),
                        ("ARGOCD_APP_PARAMETERS".into(), params),
                    ],
                )
            },
        ),
    ]
}

#[test]
fn hostile_value_flags_end_cleanly_at_their_budget() {
    let scales = [1, 2, 8, 64];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut jobs = Vec::new();
    for (name, budget, make) in families() {
        for scale in scales {
            jobs.push((name, budget, scale, make(scale)));
        }
    }
    let results: Vec<(String, &str, usize, Run)> =
        in_parallel(jobs, |(name, budget, scale, (a, env))| {
            let out = run(&a, &env, dir, DEFAULT_MEMORY, None);
            (name.to_string(), budget, scale, out)
        });
    let mut problems = Vec::new();
    let mut refused = 0;
    for (name, budget, scale, out) in &results {
        if !out.clean() {
            problems.push(format!(
                "{name} x{scale}: did not end cleanly under {} MiB: {:?} {}",
                DEFAULT_MEMORY >> 20,
                out.code,
                out.stderr()
            ));
        } else if out.stderr().contains(budget) {
            refused += 1;
            if out.code != Some(1) || !out.stdout.is_empty() {
                problems.push(format!(
                    "{name} x{scale}: the budget error must exit 1 alone"
                ));
            }
        } else if *scale >= 8 {
            problems.push(format!(
                "{name} x{scale}: expected the budget error {budget:?}, got: {}",
                out.stderr()
            ));
        }
    }
    println!("{} runs, {refused} refused at a budget", results.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The peak resident memory of one run (the kernel's `ru_maxrss` from `wait4`), which
/// must end cleanly. Resident memory, not an address-space limit: thread stacks and malloc
/// arenas reserve address space in 8 to 64 MiB steps, which hid the growth under noise.
fn peak_memory(a: &[String], cwd: &Path) -> u64 {
    // Reaped by wait4 below, which also gives the rusage that Child::wait does not.
    #[allow(clippy::zombie_processes)]
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_qspgb"))
        .args(a)
        .current_dir(cwd)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run qspgb");
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid, and wait4 only writes into the two locals.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{a:?} failed: status {status}"
    );
    usage.ru_maxrss as u64 * 1024
}

#[test]
fn memory_grows_at_most_linearly_with_accepted_input() {
    let dir = scratch("budgets-linear");
    // Families of accepted inputs, by size unit: values files of map keys and of list
    // items, and --set map keys, each rendered in full.
    let make = |family: usize, units: usize| -> Vec<String> {
        let mut a = args(&["render"]);
        a.extend(args(&PASSWORDS));
        match family {
            0 => {
                let text: String =
                    std::iter::once("pgbouncerPharia:\n  podAnnotations:\n".to_string())
                        .chain((0..units).map(|i| format!("    key{i}: value{i}\n")))
                        .collect();
                let file = dir.join(format!("map-{units}.yaml"));
                std::fs::write(&file, text).unwrap();
                a.extend(["-f".into(), file.display().to_string()]);
            }
            1 => {
                let text: String = std::iter::once("pgbouncerPharia:\n  extraEnvs:\n".to_string())
                    .chain((0..units).map(|i| format!("  - {{name: E{i}, value: v{i}}}\n")))
                    .collect();
                let file = dir.join(format!("list-{units}.yaml"));
                std::fs::write(&file, text).unwrap();
                a.extend(["-f".into(), file.display().to_string()]);
            }
            _ => {
                let expr: Vec<String> = (0..units)
                    .map(|i| format!("pgbouncerPharia.podLabels.l{i}=v"))
                    .collect();
                a.extend(["--set".into(), expr.join(",")]);
            }
        }
        a
    };
    let base = peak_memory(&make(2, 1), &dir);
    let jobs: Vec<(usize, usize)> = (0..3)
        .flat_map(|family| [2, 4].map(|scale| (family, scale)))
        .collect();
    let measured = in_parallel(jobs, |(family, scale)| {
        // One argument holds at most 128 KiB: the --set family stays below.
        let units = if family == 2 { 600 } else { 1000 };
        let a = make(family, units * scale);
        (family, scale, peak_memory(&a, &dir))
    });
    let _ = std::fs::remove_dir_all(&dir);
    let mut problems = Vec::new();
    for family in 0..3 {
        let at = |scale: usize| {
            measured
                .iter()
                .find(|(f, s, _)| *f == family && *s == scale)
                .map(|(_, _, m)| *m)
                .unwrap()
        };
        let growth = |scale| at(scale).saturating_sub(base);
        println!(
            "family {family}: base {} MiB, 2x {} MiB, 4x {} MiB",
            base >> 20,
            at(2) >> 20,
            at(4) >> 20
        );
        // Doubling the input (2x to 4x) may double the growth, with room for allocator
        // rounding, but not quadruple it as quadratic cost would.
        let allowed = 3 * growth(2) + (4 << 20);
        if growth(4) > allowed {
            problems.push(format!(
                "family {family}: 4x the input needs {} MiB over the base, 2x {} MiB: more \
                 than the {} MiB linear growth allows",
                growth(4) >> 20,
                growth(2) >> 20,
                allowed >> 20
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
