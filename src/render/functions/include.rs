//! `include` and `tpl`: rendering another template, or text from the values, with the
//! same objects, and a depth guard so that a template including itself fails cleanly.

use std::cell::Cell;
use std::collections::BTreeMap;

use minijinja::value::Value as JValue;
use minijinja::{Error, ErrorKind, State};

use super::ROOT_OBJECTS;

/// How deeply `include` and `tpl` may nest before we call it a loop.
const MAX_NESTED_RENDERS: u32 = 32;

thread_local! {
    static NESTED_RENDERS: Cell<u32> = const { Cell::new(0) };
}

/// The root objects of the template being rendered, to render another one with them.
fn root_context(state: &State) -> BTreeMap<&'static str, JValue> {
    ROOT_OBJECTS
        .iter()
        .map(|name| (*name, state.lookup(name).unwrap_or_default()))
        .collect()
}

/// Runs a nested render with a depth guard, so a template including itself fails cleanly.
fn nested<T>(what: &str, render: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    let depth = NESTED_RENDERS.with(|d| d.get());
    if depth >= MAX_NESTED_RENDERS {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "{what}: nested more than {MAX_NESTED_RENDERS} levels deep (a template including itself?)"
            ),
        ));
    }
    NESTED_RENDERS.with(|d| d.set(depth + 1));
    let result = render();
    NESTED_RENDERS.with(|d| d.set(depth));
    result
}

/// `include(path)`: renders another template file (compiled as `name`) exactly as it
/// renders on its own: the same `Values`, `Release`, `Chart` and `Capabilities`, and
/// `template` as its `.Template`. Named snippets are Jinja macros instead.
///
/// Helm's `include` would pass the caller's `.Template`; giving the file its own makes an
/// included file's text equal to its rendered document, so a checksum of it is a checksum
/// of what is applied, and the render can reuse one for the other.
pub fn include(state: &State, name: &str, template: JValue) -> Result<String, Error> {
    let compiled = state.env().get_template(name).map_err(|e| {
        Error::new(
            ErrorKind::TemplateNotFound,
            format!("include: no template {name:?}"),
        )
        .with_source(e)
    })?;
    let mut objects = root_context(state);
    objects.insert("Template", template);
    nested("include", || compiled.render(JValue::from(objects)))
}

/// `tpl(text)`: renders a string from values as a template, with the same objects.
pub(super) fn tpl(state: &State, text: &str) -> Result<String, Error> {
    let name = format!("{} (tpl)", state.name());
    nested("tpl", || {
        state
            .env()
            .render_named_str(&name, text, JValue::from(root_context(state)))
    })
}
