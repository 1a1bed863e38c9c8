//! Template functions and filters with the semantics of Helm's (sprig's) functions.
//!
//! Jinja has built-ins of the same names that behave differently (`default` only replaces
//! undefined, `indent` skips the first line), and ported templates depend on Helm's
//! behaviour, so these replace them. Usage in templates, Jinja style:
//!
//! ```jinja
//! {{ Values.resources | toYaml | nindent(10) }}
//! {{ {"kind": Values.kind} | toJson }}
//! {{ Values.nameOverride | default(Chart.Name) | trunc(63) | trimSuffix("-") }}
//! {{ Values.config.adminPassword | required("adminPassword is required") | b64enc | quote }}
//! {{ include(Template.BasePath ~ "/configmap.yaml") | sha256sum }}
//! {% for key, value in Values.podLabels | sorted_items %}...{% endfor %}
//! ```
//!
//! - `convert`: values into and out of templates, and printing them as Go does.
//! - `sprig`: the Sprig and Helm functions; `pgbouncer`: the PgBouncer filters;
//!   `include`: `include` and `tpl`, with the depth guard.

mod budget;
mod convert;
mod include;
mod pgbouncer;
mod sprig;

use minijinja::value::Value as JValue;
use minijinja::{Environment, State};

pub use convert::{exact_string, format_float, to_jinja, to_jinja_map};
pub use include::include;

/// Names of the top-level objects every template sees, as in Helm.
pub const ROOT_OBJECTS: [&str; 5] = ["Values", "Release", "Chart", "Capabilities", "Template"];

/// The global that tells the PgBouncer filters whether the render is `--helm-exact`.
pub const HELM_EXACT_GLOBAL: &str = "__qspgb_helm_exact";

/// Registers every function, filter and the output formatter on `env`.
pub fn register(env: &mut Environment<'_>) {
    env.set_formatter(convert::format_output);
    env.add_filter("toYaml", sprig::to_yaml);
    env.add_filter("toJson", sprig::to_json);
    env.add_filter("indent", sprig::indent);
    env.add_filter("nindent", sprig::nindent);
    env.add_filter("default", sprig::default);
    env.add_filter("quote", sprig::quote);
    env.add_filter("scalar", sprig::scalar);
    env.add_filter("regexQuoteMeta", sprig::regex_quote_meta);
    env.add_filter("promqlString", sprig::promql_string);
    env.add_filter("trunc", sprig::trunc);
    env.add_filter("go_s", sprig::go_s);
    // A PgBouncer setting as PgBouncer prints it back (whole numbers exact), for the test
    // Pods that compare with SHOW CONFIG.
    env.add_filter("exact_string", |v: JValue| exact_string(&v));
    env.add_filter("trimSuffix", sprig::trim_suffix);
    env.add_filter("trimPrefix", sprig::trim_prefix);
    env.add_filter("b64enc", sprig::b64enc);
    env.add_filter("b64dec", sprig::b64dec);
    env.add_filter("sha256sum", sprig::sha256sum);
    env.add_filter("required", sprig::required);
    env.add_filter("sorted_items", sprig::sorted_items);
    env.add_filter("without_nulls", sprig::without_nulls);
    env.add_filter("ini_entries", pgbouncer::ini_entries);
    env.add_function("ini_setting", pgbouncer::ini_setting);
    env.add_filter("userlist_entries", pgbouncer::userlist_entries);
    env.add_function("userlist_line", pgbouncer::userlist_line);
    env.add_function("fail", sprig::fail);
    env.add_function("connection_budget", budget::connection_budget);
    env.add_function("tpl", include::tpl);
    // Without chart paths to map, a file includes by its own name; the render engine
    // replaces this with one that knows Helm's paths (see `render::Engine`).
    env.add_function("include", |state: &State, name: &str| {
        include(state, name, minijinja::context! { Name => name })
    });
}

#[cfg(test)]
mod tests;
