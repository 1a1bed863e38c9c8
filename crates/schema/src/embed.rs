//! A compiled [`Schema`] written as Rust source: a `static` whose nodes are constant tables,
//! so the binary's build script compiles the embedded chart's schemas once and loading
//! them at run time costs nothing. Written by hand, since the point is that the tables
//! need no code to run: every slice is a borrowed constant and every string a `&'static
//! str`.

use std::fmt::Write as _;

use qspgb_helmtext::value::Value;

use crate::{Additional, Member, Node, Schema};

/// Why a schema cannot be written as static tables.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct EmbedError(String);

/// The item `pub static NAME: qspgb_schema::Schema = ...;` holding `schema`; the code names
/// the crates `qspgb_schema` and `qspgb_helmtext` by absolute paths.
///
/// An `enum` member that is a list or a map cannot be a constant (the values tree owns its
/// lists and maps): that is an error, which names the schema by `origin`.
pub fn static_item(schema: &Schema, name: &str, origin: &str) -> Result<String, EmbedError> {
    let mut out = String::new();
    let _ = writeln!(out, "pub static {name}: ::qspgb_schema::Schema = {{");
    out.push_str("    #[allow(unused_imports)]\n");
    out.push_str("    use ::std::borrow::Cow;\n");
    out.push_str("    #[allow(unused_imports)]\n");
    out.push_str("    use ::qspgb_schema::{Additional, Format, Member, Node, Schema};\n");
    out.push_str("    Schema::from_static(&[\n");
    for (index, node) in schema.nodes().iter().enumerate() {
        out.push_str("        ");
        node_expr(node, &mut out)
            .map_err(|why| EmbedError(format!("{origin}: node {index}: {why}")))?;
        out.push_str(",\n");
    }
    out.push_str("    ])\n};\n");
    Ok(out)
}

/// `Node { field: value, ..Node::ANY }`, naming only the fields that differ from
/// [`Node::ANY`] (so the code stays small).
fn node_expr(node: &Node, out: &mut String) -> Result<(), String> {
    out.push_str("Node {");
    let mut field = |name: &str, value: String| {
        let _ = write!(out, " {name}: {value},");
    };
    if let Some(types) = node.types {
        field("types", format!("Some({types})"));
    }
    if !node.properties.is_empty() {
        let list: Vec<String> = node
            .properties
            .iter()
            .map(|(key, index)| format!("(Cow::Borrowed({:?}), {index})", key.as_ref()))
            .collect();
        field("properties", borrowed_list(&list));
    }
    match node.additional {
        Additional::Any => {}
        Additional::Forbidden => field("additional", "Additional::Forbidden".into()),
        Additional::Schema(index) => field("additional", format!("Additional::Schema({index})")),
    }
    if let Some(items) = node.items {
        field("items", format!("Some({items})"));
    }
    if let Some(members) = &node.enumeration {
        let list = members
            .iter()
            .map(member_expr)
            .collect::<Result<Vec<_>, _>>()?;
        field("enumeration", format!("Some({})", borrowed_list(&list)));
    }
    for (name, number) in [
        ("minimum", node.minimum),
        ("maximum", node.maximum),
        ("exclusive_minimum", node.exclusive_minimum),
        ("exclusive_maximum", node.exclusive_maximum),
    ] {
        if let Some(number) = number {
            field(name, format!("Some({})", float_expr(number)));
        }
    }
    for (name, count) in [
        ("min_length", node.min_length),
        ("max_length", node.max_length),
        ("min_items", node.min_items),
        ("max_items", node.max_items),
    ] {
        if let Some(count) = count {
            field(name, format!("Some({count})"));
        }
    }
    if !node.required.is_empty() {
        let list: Vec<String> = node
            .required
            .iter()
            .map(|key| format!("Cow::Borrowed({:?})", key.as_ref()))
            .collect();
        field("required", borrowed_list(&list));
    }
    if !node.any_of.is_empty() {
        let list: Vec<String> = node.any_of.iter().map(usize::to_string).collect();
        field("any_of", borrowed_list(&list));
    }
    if let Some(format) = node.format {
        field("format", format!("Some(Format::{format:?})"));
    }
    if let Some(names) = node.property_names {
        field("property_names", format!("Some({names})"));
    }
    if let Some(reference) = node.reference {
        field("reference", format!("Some({reference})"));
    }
    out.push_str(" ..Node::ANY }");
    Ok(())
}

fn borrowed_list(items: &[String]) -> String {
    format!("Cow::Borrowed(&[{}])", items.join(", "))
}

/// A float by its bits: the constant is the very number the compiler read.
fn float_expr(number: f64) -> String {
    format!("f64::from_bits({:#x})", number.to_bits())
}

fn member_expr(member: &Member) -> Result<String, String> {
    let value = match member {
        Member::Text(text) => {
            return Ok(format!("Member::Text(Cow::Borrowed({:?}))", text.as_ref()));
        }
        Member::Value(value) => value,
    };
    let value = match value {
        Value::Null => "Null".to_string(),
        Value::Bool(b) => format!("Bool({b})"),
        Value::Int(i) => format!("Int({i})"),
        Value::Float(f) => format!("Float({})", float_expr(*f)),
        Value::String(_) | Value::List(_) | Value::Map(_) => {
            return Err(format!(
                "enum member {} cannot be embedded: only scalars can (the values tree owns its lists and maps)",
                value.type_name()
            ));
        }
    };
    Ok(format!(
        "Member::Value(::qspgb_helmtext::value::Value::{value})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_only_what_differs_from_any() {
        let schema = Schema::from_json(
            r#"{"type": "object", "additionalProperties": false,
                "properties": {"b": {"enum": ["x", 2, 1.5, null]}, "a": {"minimum": 0.5}}}"#,
            "t.json",
        )
        .unwrap();
        let code = static_item(&schema, "T", "t.json").unwrap();
        assert!(
            code.starts_with("pub static T: ::qspgb_schema::Schema = {"),
            "{code}"
        );
        assert!(
            code.contains(
                "Node { types: Some(64), properties: Cow::Borrowed(&[(Cow::Borrowed(\"a\"), 1), (Cow::Borrowed(\"b\"), 2)]), additional: Additional::Forbidden, ..Node::ANY }"
            ),
            "{code}"
        );
        assert!(
            code.contains(
                "Node { minimum: Some(f64::from_bits(0x3fe0000000000000)), ..Node::ANY }"
            ),
            "{code}"
        );
        assert!(code.contains("Member::Text(Cow::Borrowed(\"x\")), Member::Value(::qspgb_helmtext::value::Value::Int(2)), Member::Value(::qspgb_helmtext::value::Value::Float(f64::from_bits(0x3ff8000000000000))), Member::Value(::qspgb_helmtext::value::Value::Null)"), "{code}");
    }

    #[test]
    fn a_list_in_an_enum_is_refused() {
        let schema = Schema::from_json(r#"{"enum": [[1]]}"#, "t.json").unwrap();
        let err = static_item(&schema, "T", "t.json").unwrap_err().to_string();
        assert!(
            err.starts_with("t.json: node 0: enum member list cannot be embedded"),
            "{err}"
        );
    }
}
