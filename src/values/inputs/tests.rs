use anyhow::bail;

use super::super::user_values;
use super::*;

fn user(yaml_text: &str) -> Map {
    match yaml::parse_values(yaml_text, "test").unwrap() {
        Value::Map(m) => m,
        _ => unreachable!(),
    }
}

#[test]
fn precedence_of_files_and_flags() {
    let inputs = ValueInputs {
        files: vec!["one".into(), "two".into()],
        set_json: vec!["j={\"k\":1}".into()],
        set: vec!["s=1,j.k=2".into()],
        set_string: vec!["s=1".into()],
        set_file: vec!["f=one".into()],
        set_literal: vec!["lit=a,b".into()],
        preset: None,
        skip_schema_validation: false,
    };
    let mut read = |path: &str| -> Result<String> {
        Ok(match path {
            "one" => "a: 1\nb: {c: 1}\n".to_string(),
            "two" => "a: 2\nb: {d: 2}\n".to_string(),
            other => bail!("no file {other}"),
        })
    };
    let v = user_values(&inputs, &mut read).unwrap();
    assert_eq!(v["a"], Value::Int(2));
    assert_eq!(v["b"], Value::Map(user("c: 1\nd: 2")));
    assert_eq!(v["j"], Value::Map(user("k: 2")));
    assert_eq!(v["s"], Value::from("1"));
    assert_eq!(v["f"], Value::from("a: 1\nb: {c: 1}\n"));
    assert_eq!(v["lit"], Value::from("a,b"));
}

#[test]
fn an_empty_file_name_is_an_error_of_its_own() {
    let inputs = ValueInputs {
        files: vec![String::new()],
        ..Default::default()
    };
    let mut read = |_: &str| -> Result<String> { unreachable!("nothing to read") };
    let err = format!("{:#}", user_values(&inputs, &mut read).unwrap_err());
    assert!(err.contains("the file name is empty"), "{err}");
}

#[test]
fn a_missing_file_is_named() {
    let inputs = ValueInputs {
        files: vec!["nope.yaml".into()],
        ..Default::default()
    };
    let mut read = |path: &str| -> Result<String> { bail!("{path}: No such file or directory") };
    let err = format!("{:#}", user_values(&inputs, &mut read).unwrap_err());
    assert!(err.contains("nope.yaml"), "{err}");
}
