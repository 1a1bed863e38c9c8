use super::*;
use crate::values::{ValueInputs, resolve, user_values};

/// Every non-partial template of `chart` (and of the dependencies in `enabled`) rendered
/// with `values`, sorted by Helm template path.
fn render_chart(
    engine: &mut Engine,
    chart: &Chart,
    values: &Map,
    enabled: &[String],
    ctx: &RenderContext,
) -> Result<Vec<RenderedFile>> {
    let mut rendered = Vec::new();
    engine.render_inputs(&TemplateInputs::new(chart, values, enabled, ctx), |file| {
        rendered.push(file)
    })?;
    rendered.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(rendered)
}

/// A one-dependency chart whose templates print the objects Helm gives templates.
fn files(template: &str) -> ChartFiles {
    ChartFiles::from_files(
        "test",
        [
            (
                "chart/Chart.yaml".to_string(),
                "name: parent\nversion: 1.2.3\ndependencies:\n- name: sub\n  version: 0.1.0\n  alias: one\n".to_string(),
            ),
            (
                "chart/charts/sub/Chart.yaml".to_string(),
                "name: sub\nversion: 0.1.0\nappVersion: \"9.9\"\n".to_string(),
            ),
            ("values/sub.yaml".to_string(), "greeting: hello\n".to_string()),
            ("templates/sub/t.yaml".to_string(), template.to_string()),
            ("templates/sub/u.yaml".to_string(), "U={{ Template.Name }} {{ Values.greeting }}".to_string()),
            ("templates/sub/_partial.tpl".to_string(), "never rendered alone".to_string()),
        ],
    )
}

fn render(template: &str, ctx: &RenderContext) -> Result<Vec<RenderedFile>> {
    let files = files(template);
    let chart = Chart::load(&files)?;
    let user = user_values(&ValueInputs::default(), &mut |_| unreachable!())?;
    let resolved = resolve(&chart, user)?;
    render_chart(
        &mut Engine::compile(&files)?,
        &chart,
        &resolved.values,
        &resolved.enabled,
        ctx,
    )
}

#[test]
fn templates_see_helms_objects() {
    let ctx = RenderContext {
        release_name: "rel".into(),
        namespace: "ns".into(),
        is_upgrade: true,
        revision: 1,
        kube_version: "v1.31.2".into(),
        api_versions: vec!["monitoring.coreos.com/v1".into()],
        helm_exact: false,
        check_namespace: false,
        tests: true,
    };
    let out = render(
        "{{ Release.Name }} {{ Release.Namespace }} {{ Release.IsInstall }} {{ Release.IsUpgrade }} \
         {{ Release.Revision }} {{ Release.Service }}|{{ Chart.Name }} {{ Chart.Version }} {{ Chart.AppVersion }}|\
         {{ Capabilities.KubeVersion.Version }} {{ Capabilities.KubeVersion.Major }} {{ Capabilities.KubeVersion.Minor }} \
         {{ Capabilities.APIVersions.Has('monitoring.coreos.com/v1') }} {{ Capabilities.APIVersions.Has('apps/v1') }} \
         {{ Capabilities.APIVersions.Has('nope/v1') }}|{{ Template.Name }} {{ Template.BasePath }}|{{ Values.greeting }}",
        &ctx,
    )
    .unwrap();
    assert_eq!(out.len(), 2, "partials are not rendered");
    assert_eq!(out[0].path, "parent/charts/one/templates/t.yaml");
    assert_eq!(
        out[0].text,
        "rel ns false true 1 Helm|one 0.1.0 9.9|v1.31.2 1 31 true true false|\
         parent/charts/one/templates/t.yaml parent/charts/one/templates|hello"
    );
}

#[test]
fn parent_templates_in_subfolders_render_under_helms_paths() {
    let mut files: Vec<(String, String)> = vec![
        (
            "chart/Chart.yaml".into(),
            "name: parent\nversion: 1.2.3\ndependencies:\n- name: sub\n  version: 0.1.0\n  alias: one\n".into(),
        ),
        ("chart/charts/sub/Chart.yaml".into(), "name: sub\nversion: 0.1.0\n".into()),
        ("values/values.yaml".into(), "word: parent-value\n".into()),
        ("values/sub.yaml".into(), "word: sub-value\n".into()),
        ("templates/sub/s.yaml".into(), "S={{ Template.Name }}".into()),
        (
            "templates/_helpers.tpl".into(),
            "{% macro word() %}{{ Values.word }}{% endmacro %}".into(),
        ),
        (
            "templates/tests/t.yaml".into(),
            "{% import \"templates/_helpers.tpl\" as h %}T={{ Template.Name }} {{ Template.BasePath }} {{ h.word() }} {{ Values.one.word }}".into(),
        ),
        ("templates/tests/_p.tpl".into(), "a partial".into()),
        ("templates/tests/NOTES.txt".into(), "not a manifest".into()),
    ];
    files.sort();
    let files = ChartFiles::from_files("test", files);
    let chart = Chart::load(&files).unwrap();
    let user = user_values(&ValueInputs::default(), &mut |_| unreachable!()).unwrap();
    let resolved = resolve(&chart, user).unwrap();
    let out = render_chart(
        &mut Engine::compile(&files).unwrap(),
        &chart,
        &resolved.values,
        &resolved.enabled,
        &RenderContext::default(),
    )
    .unwrap();
    let rendered: Vec<(&str, &str)> = out
        .iter()
        .map(|f| (f.path.as_str(), f.text.as_str()))
        .collect();
    assert_eq!(
        rendered,
        vec![
            (
                "parent/charts/one/templates/s.yaml",
                "S=parent/charts/one/templates/s.yaml"
            ),
            (
                "parent/templates/tests/t.yaml",
                "T=parent/templates/tests/t.yaml parent/templates parent-value sub-value"
            ),
        ]
    );
}

#[test]
fn template_errors_name_the_file_and_line() {
    let err = render(
        "ok\n{{ fail('broken on purpose') }}",
        &RenderContext::default(),
    )
    .unwrap_err();
    let text = format!("{err:#}");
    assert!(
        text.contains("parent/charts/one/templates/t.yaml"),
        "{text}"
    );
    assert!(text.contains("t.yaml:2"), "{text}");
    assert!(text.contains("broken on purpose"), "{text}");
    let err = render("{% if %}", &RenderContext::default()).unwrap_err();
    assert!(
        format!("{err:#}").contains("templates/sub/t.yaml"),
        "{err:#}"
    );
}

#[test]
fn api_versions_are_checked() {
    let parse = |flags: &[&str]| {
        parse_api_versions(&flags.iter().map(|f| f.to_string()).collect::<Vec<_>>())
    };
    // What users and Argo CD's KUBE_API_VERSIONS pass.
    let ok = parse(&[
        "v1,apps/v1, batch/v1beta1 ,,",
        "monitoring.coreos.com/v1",
        "v1/ConfigMap,apps/v1/Deployment,autoscaling/v2beta2",
        "",
    ])
    .unwrap();
    assert_eq!(ok.len(), 7, "{ok:?}");
    for bad in [
        "monitoring.coreos.com v1",
        "monitoring.coreos.com",
        "monitoring.coreos.com/",
        "/v1",
        "Monitoring.coreos.com/v1",
        "apps/1",
        "apps/v1/Deployment/x",
        "apps/v1/deployment",
    ] {
        let err = parse(&[bad]).unwrap_err().to_string();
        assert!(err.contains(&format!("{:?}", bad.trim())), "{bad}: {err}");
    }
}

/// With `--chart DIR`, template errors name the template file on disk, syntax errors
/// (found when compiling) and render errors alike.
#[test]
fn template_errors_in_a_chart_directory_name_the_file_on_disk() {
    let root = std::env::temp_dir().join(format!("qspgb-tpl-errors-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("chart")).unwrap();
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(root.join("chart/Chart.yaml"), "name: x\nversion: 1.0.0\n").unwrap();
    let template = root.join("templates/cm.yaml");
    std::fs::write(&template, "kind: ConfigMap\n{% if %}\n").unwrap();
    let compiled = Engine::compile(&ChartFiles::from_dir(&root).unwrap());
    let err = format!("{:#}", compiled.err().expect("a syntax error"));
    assert!(
        err.starts_with(&format!("{}:2: ", template.display())),
        "{err}"
    );

    std::fs::write(&template, "kind: ConfigMap\n{{ fail('no') }}\n").unwrap();
    let files = ChartFiles::from_dir(&root).unwrap();
    let chart = Chart::load(&files).unwrap();
    let err = render_chart(
        &mut Engine::compile(&files).unwrap(),
        &chart,
        &Map::default(),
        &[],
        &RenderContext::default(),
    )
    .unwrap_err();
    let err = format!("{err:#}");
    std::fs::remove_dir_all(&root).unwrap();
    assert_eq!(
        err,
        format!(
            "rendering x/templates/cm.yaml: {}:2: no",
            template.display()
        )
    );
}

#[test]
fn include_takes_helm_paths_and_gives_the_files_own_text() {
    let out = render(
        "{{ include(Template.BasePath ~ '/u.yaml') }}|{{ include('parent/charts/one/templates/_partial.tpl') }}",
        &RenderContext::default(),
    )
    .unwrap();
    let u = "U=parent/charts/one/templates/u.yaml hello";
    assert_eq!(out[0].text, format!("{u}|never rendered alone"));
    assert_eq!(out[1].path, "parent/charts/one/templates/u.yaml");
    assert_eq!(
        out[1].text, u,
        "the included text is the file's own document"
    );
    let err = render(
        "{{ include('parent/charts/one/templates/nope.yaml') }}",
        &RenderContext::default(),
    )
    .unwrap_err();
    let text = format!("{err:#}");
    assert!(
        text.contains("nope.yaml") && text.contains("does not exist"),
        "{text}"
    );
}
