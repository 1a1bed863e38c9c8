//! Rendering benchmarks (criterion): the whole in-memory pipeline, as `qspgb render` runs it.
//!
//! - `default`: the embedded chart with its defaults.
//! - `example_customization`: a typical values file on top.
//! - `large`: 1,000 databases and 1,000 userlist users (the scale target: <= 20 ms).
//!
//! Run: `cargo bench --bench render`. Whole-process time is measured separately with
//! hyperfine, see BENCHMARKS.md.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use qspgb::ChartFiles;
use qspgb::OutputOptions;
use qspgb::RenderContext;
use qspgb::ValueInputs;
use qspgb::render_release;

fn large_values() -> String {
    let mut text = String::from(
        // The userlist is rendered from values here, so the hooks (which write the
        // existing Secrets) are off for this instance.
        "pgbouncerPharia:\n  hooks:\n    enabled: false\n  config:\n    existingUserlistSecret: \"\"\n    existingAdminSecret: \"\"\n    adminPassword: secret\n    databases:\n",
    );
    for i in 0..1000 {
        text.push_str(&format!(
            "      db{i}: {{host: cluster-pharia-rw, port: 5432, dbname: db{i}}}\n"
        ));
    }
    text.push_str("    userlist:\n");
    for i in 0..1000 {
        text.push_str(&format!(
            "      user{i}: SCRAM-SHA-256$4096:salt{i}$key:server\n"
        ));
    }
    text
}

fn bench(c: &mut Criterion) {
    let files = ChartFiles::embedded();
    let ctx = RenderContext::default();
    let selection = OutputOptions::default();
    let example = include_str!("../values/examples/example-customization.yaml").to_string();
    let large = large_values();
    for (name, values) in [
        ("default", None),
        ("example_customization", Some(example)),
        ("large", Some(large)),
    ] {
        let inputs = ValueInputs {
            files: values.iter().map(|_| "values.yaml".to_string()).collect(),
            ..Default::default()
        };
        c.bench_function(&format!("render/{name}"), |b| {
            b.iter(|| {
                let mut read = |_: &str| Ok(values.clone().unwrap_or_default());
                let out =
                    render_release(&files, &inputs, &mut read, &ctx, &selection).expect("renders");
                black_box(out.to_output())
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
