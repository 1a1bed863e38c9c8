//! The example values files (`values/examples/*.yaml`) and the presets (`values/NAME.yaml`
//! other than the defaults) of a chart, addressable by name.
//!
//! They are chart files, so `build.rs` embeds them with the rest of the chart: `qspgb
//! examples production > values.yaml` and `--preset upstream-compat` work from any
//! directory, with nothing of the repository beside the binary. A test in `tests/it`
//! checks that every file of `values/examples` is printed byte for byte.

use anyhow::{Result, bail};

use super::ChartFiles;

/// Where example values files live in a chart.
const EXAMPLES_DIR: &str = "values/examples";

/// What an addressable values file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A values file to start from or read (`-f`).
    Example,
    /// Defaults to start from with `--preset NAME` (not meant for `-f`: see
    /// [`crate::chart::Chart::apply_preset`]).
    Preset,
}

impl Kind {
    /// The word the listing shows.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Example => "example",
            Kind::Preset => "preset",
        }
    }
}

/// One example or preset: its name, what it is, and its text as the chart holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example<'a> {
    /// The file name without `.yaml` (`production`, `upstream-compat`).
    pub name: &'a str,
    /// Example or preset.
    pub kind: Kind,
    /// The file's text, unchanged.
    pub text: &'a str,
}

impl Example<'_> {
    /// One line about it: the first sentence of the file's leading comment.
    pub fn summary(&self) -> String {
        summary(self.text)
    }
}

/// Every example (sorted by name), then every preset (sorted by name).
pub fn all(files: &ChartFiles) -> Vec<Example<'_>> {
    let mut out: Vec<Example> = files
        .files_below(EXAMPLES_DIR)
        .filter_map(|(path, text)| {
            let name = path
                .strip_prefix(EXAMPLES_DIR)?
                .strip_prefix('/')?
                .strip_suffix(".yaml")?;
            // Only the folder's own files: a subfolder is no example of its own.
            (!name.contains('/')).then_some(Example {
                name,
                kind: Kind::Example,
                text,
            })
        })
        .collect();
    for path in files.paths() {
        if let Some(name) = path
            .strip_prefix("values/")
            .and_then(|rest| rest.strip_suffix(".yaml"))
            && super::is_preset_name(name)
            && let Some(text) = files.get(path)
        {
            out.push(Example {
                name,
                kind: Kind::Preset,
                text,
            });
        }
    }
    out
}

/// The example or preset called `name`; an error naming the known ones otherwise.
pub fn find<'a>(files: &'a ChartFiles, name: &str) -> Result<Example<'a>> {
    let known = all(files);
    if let Some(found) = known.iter().find(|e| e.name == name) {
        return Ok(found.clone());
    }
    let names: Vec<&str> = known.iter().map(|e| e.name).collect();
    let hint = crate::suggest::closest(name, names.iter().copied())
        .map(|best| format!("did you mean {best:?}? "))
        .unwrap_or_default();
    bail!(
        "no example or preset named {name:?} ({hint}known: {}; `qspgb examples` lists them)",
        names.join(", ")
    )
}

/// The first sentence of a file's leading comment block, or "" when it has none.
///
/// Why from the file: the description then lives beside what it describes, and a new
/// example needs no code change (a test requires every example to have one).
pub fn summary(text: &str) -> String {
    let mut words = Vec::new();
    for line in text.lines() {
        let Some(comment) = line.strip_prefix('#') else {
            break;
        };
        let comment = comment.trim();
        if comment.is_empty() {
            break;
        }
        words.push(comment);
    }
    let paragraph = words.join(" ");
    // A sentence ends at ". " before a capital letter, or at the paragraph's end.
    let bytes = paragraph.as_bytes();
    let end = (0..bytes.len().saturating_sub(2))
        .find(|&i| bytes[i] == b'.' && bytes[i + 1] == b' ' && bytes[i + 2].is_ascii_uppercase())
        .map(|i| i + 1)
        .unwrap_or(paragraph.len());
    paragraph[..end].trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_take_the_first_sentence_of_the_leading_comment() {
        for (text, expected) in [
            ("# One line.\nkey: 1\n", "One line"),
            ("# First. Second.\n", "First"),
            (
                "# Wrapped over\n# two lines. More.\n#\n# Not this.\n",
                "Wrapped over two lines",
            ),
            (
                "# See docs/peering.md: a file.\n",
                "See docs/peering.md: a file",
            ),
            ("key: 1\n# late comment\n", ""),
            ("", ""),
        ] {
            assert_eq!(summary(text), expected, "{text:?}");
        }
    }

    #[test]
    fn the_embedded_chart_lists_examples_then_presets() {
        let files = ChartFiles::embedded();
        let listed = all(&files);
        let kinds: Vec<Kind> = listed.iter().map(|e| e.kind).collect();
        let first_preset = kinds.iter().position(|k| *k == Kind::Preset).unwrap();
        assert!(kinds[..first_preset].iter().all(|k| *k == Kind::Example));
        assert!(kinds[first_preset..].iter().all(|k| *k == Kind::Preset));
        assert!(listed.iter().any(|e| e.name == "production"));
        assert!(listed.iter().any(|e| e.name == "upstream-compat"));
        for example in &listed {
            assert!(
                !example.summary().is_empty(),
                "{} has no summary",
                example.name
            );
        }
    }

    #[test]
    fn an_unknown_name_is_an_error_with_a_suggestion() {
        let files = ChartFiles::embedded();
        let err = find(&files, "prodution").unwrap_err().to_string();
        assert!(err.contains("did you mean \"production\"?"), "{err}");
        assert!(err.contains("upstream-compat"), "{err}");
        assert_eq!(find(&files, "defaults").unwrap().kind, Kind::Example);
    }
}
