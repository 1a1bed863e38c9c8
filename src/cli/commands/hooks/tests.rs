use clap::Parser;

use crate::chart::ChartFiles;
use crate::cli::args::{Cli, Command};
use crate::cli::settings::{HooksSettings, RenderSettings};
use crate::manifest::OutputOptions;
use crate::release;
use crate::render::RenderContext;
use crate::value::Value;

/// The settings of a command line, which must be `command`'s.
fn settings<T>(argv: &[String], pick: impl FnOnce(Command) -> Option<T>) -> T {
    let cli = Cli::try_parse_from(argv).unwrap();
    pick(cli.command).unwrap_or_else(|| panic!("not the expected command: {argv:?}"))
}

/// The hook Job's command line, as rendered, parsed by the real parser, must give the
/// same targets as the values that rendered it: one source of truth, also for values
/// that differ from the binary's defaults.
#[test]
fn the_rendered_hook_job_command_gives_the_same_targets() {
    let user_flags: [&[&str]; 3] = [
        &[],
        &[
            "--set",
            "pgbouncerPharia.fullnameOverride=custom-pooler",
            "--set",
            "pgbouncerPharia.kind=DaemonSet",
            "--set",
            "pgbouncerPharia.config.existingUserlistSecret=ul",
            "--set",
            "pgbouncerPharia.config.adminUser=boss",
            "--set-json",
            r#"pgbouncerPharia.hooks.sourceSecretSelector={"qs-postgresql-cluster/name":"elsewhere","app.kubernetes.io/name":null,"tier":"db"}"#,
        ],
        &[
            "--set",
            "pgbouncerPharia.nameOverride=",
            "--set",
            "pgbouncerPharia.fullnameOverride=",
        ],
    ];
    let files = ChartFiles::embedded();
    let hooks_settings = |argv: &[String]| -> HooksSettings {
        settings(argv, |c| match c {
            Command::Hooks(args) => Some(args.try_into().unwrap()),
            _ => None,
        })
    };
    let targets_of = |s: &HooksSettings| {
        let loaded = release::load(
            &files,
            &s.input.values,
            &mut |_: &str| unreachable!("no files"),
            // The third case's names (the alias's) are not DNS-1123: this test is about
            // the command line, so render them as Helm would.
            &RenderContext {
                helm_exact: true,
                ..s.context.clone()
            },
        )
        .unwrap();
        crate::hooks::targets::release_targets(&loaded, s.instance.as_deref()).unwrap()
    };
    for flags in user_flags {
        let flags = flags.iter().map(|s| s.to_string());
        let mut argv: Vec<String> = ["qspgb", "hooks", "rel", "-n", "ns", "--instance", "pharia"]
            .map(String::from)
            .to_vec();
        argv.extend(flags.clone());
        let expected = targets_of(&hooks_settings(&argv));

        // Render the Job with the same values and take its args.
        let mut render_argv: Vec<String> = ["qspgb", "render", "rel", "-n", "ns"]
            .map(String::from)
            .to_vec();
        render_argv.extend(flags);
        let render: RenderSettings = settings(&render_argv, |c| match c {
            Command::Render(args) => Some(args.try_into().unwrap()),
            _ => None,
        });
        let rendered = release::render_release(
            &files,
            &render.input.values,
            &mut |_: &str| unreachable!("no files"),
            &RenderContext {
                helm_exact: true,
                ..render.context
            },
            &OutputOptions {
                show_only: vec!["charts/pgbouncerPharia/templates/hooks-job.yaml".into()],
                ..OutputOptions::default()
            },
        )
        .unwrap();
        let job = &rendered.documents[0].object;
        let Some(Value::List(job_args)) =
            job.path("spec.template.spec.containers")
                .and_then(|c| match c {
                    Value::List(items) => items[0].path("args"),
                    _ => None,
                })
        else {
            panic!("the Job has args");
        };
        let mut job_argv = vec!["qspgb".to_string()];
        job_argv.extend(job_args.iter().map(|a| a.as_str().unwrap().to_string()));
        let from_job = targets_of(&hooks_settings(&job_argv));
        assert_eq!(from_job, expected, "{job_argv:?}");
    }
}
