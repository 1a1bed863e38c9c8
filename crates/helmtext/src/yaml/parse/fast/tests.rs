//! The fast reader against yaml-rust2 (the reference): on every YAML text of the
//! repository, on mutations of each of their lines, and on hand-written cases. Wherever the
//! fast reader answers, its events and its documents must be yaml-rust2's; where yaml-rust2
//! fails, it must not answer.

use std::path::{Path, PathBuf};

use yaml_rust2::parser::{Event, Parser};

use super::super::{Document, Mark, fast_stream, slow_stream};
use super::scan;
use crate::yaml::text::check_characters;

/// The fast reader's events, or `None` when it does not handle the text.
fn fast_events(text: &str) -> Option<Vec<Event>> {
    let mut events = Vec::new();
    let handled = scan(text, &mut |event, _: Mark| {
        events.push(event);
        true
    });
    handled.then_some(events)
}

/// yaml-rust2's events, or its error.
fn slow_events(text: &str) -> Result<Vec<Event>, String> {
    let mut parser = Parser::new_from_str(text);
    let mut events = Vec::new();
    loop {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) => {
                events.push(Event::StreamEnd);
                return Ok(events);
            }
            Ok((event, _)) => events.push(event),
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// Documents compared as results see them: the value, and the position of a top-level
/// node that is not null (`parse_values` reports it; a null document's is never read).
fn visible(docs: &[Document]) -> Vec<(String, Option<(usize, usize)>)> {
    docs.iter()
        .map(|doc| {
            let place = (!doc.value.is_null()).then_some((doc.line, doc.column));
            (format!("{:?}", doc.value), place)
        })
        .collect()
}

/// Checks one text as `parse_stream` would read it; true when the fast reader handled it.
fn agrees(text: &str) -> bool {
    if check_characters(text, "t").is_err() {
        return false;
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(fast) = fast_events(text) else {
        for first_only in [false, true] {
            assert!(fast_stream(text, "t", first_only).is_none(), "{text:?}");
        }
        return false;
    };
    match slow_events(text) {
        Ok(slow) => assert_eq!(fast, slow, "events of {text:?}"),
        Err(e) => panic!("the fast reader accepted {text:?}, yaml-rust2 says {e}"),
    }
    for first_only in [false, true] {
        let slow = slow_stream(text, "t", first_only);
        // `None` here: the builder refused an event (the reference reports that error).
        let Some(fast) = fast_stream(text, "t", first_only) else {
            continue;
        };
        match slow {
            Ok(slow) => assert_eq!(visible(&fast), visible(&slow), "{text:?} ({first_only})"),
            Err(e) => panic!("the fast reader built {text:?}, the reference says {e}"),
        }
    }
    true
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every YAML text of the repository: `*.yaml`/`*.yml` files, the fuzz seeds and corpus
/// (raw inputs, read when they are UTF-8), and the `yaml` blocks of the documentation.
fn corpus() -> Vec<(String, String)> {
    let root = root();
    let mut files = Vec::new();
    for dir in ["golden", "values", "tests", "chart", "docs", "fuzz"] {
        walk(&root.join(dir), &mut files);
    }
    files.push(root.join("README.md"));
    let mut texts = Vec::new();
    for path in files {
        let name = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .display()
            .to_string();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let fuzz_input = name.starts_with("fuzz/seeds/") || name.starts_with("fuzz/corpus/");
        if matches!(ext, "yaml" | "yml") || fuzz_input {
            texts.push((name, text));
        } else if ext == "md" {
            for (i, block) in text.split("```yaml\n").skip(1).enumerate() {
                let block = block.split("```").next().unwrap_or("");
                texts.push((format!("{name} yaml block {i}"), block.to_string()));
            }
        }
    }
    assert!(texts.len() > 300, "only {} texts found", texts.len());
    texts.push((LARGE.to_string(), large_values(1000)));
    texts
}

/// The name of the generated benchmark values file in [`corpus`].
const LARGE: &str = "generated large values";

/// The values file `scripts/bench.sh` renders: `count` databases as flow mappings and
/// `count` userlist users.
fn large_values(count: usize) -> String {
    let mut text = String::from(
        "pgbouncerPharia:\n  hooks:\n    enabled: false\n  config:\n    \
         existingUserlistSecret: \"\"\n    existingAdminSecret: \"\"\n    \
         adminPassword: secret\n    databases:\n",
    );
    for i in 0..count {
        text.push_str(&format!(
            "      db{i}: {{host: cluster-pharia-rw, port: 5432, dbname: db{i}}}\n"
        ));
    }
    text.push_str("    userlist:\n");
    for i in 0..count {
        text.push_str(&format!(
            "      user{i}: SCRAM-SHA-256$4096:salt{i}$key:server\n"
        ));
    }
    text
}

/// Each document of a multi-document text on its own, as `manifest::split` hands rendered
/// files to the reader one template at a time.
fn documents(text: &str) -> Vec<String> {
    text.split("\n---\n").map(str::to_string).collect()
}

#[test]
fn agrees_with_yaml_rust2_on_the_repository() {
    let mut handled = 0;
    let mut total = 0;
    let mut golden = (0, 0);
    for (name, text) in corpus() {
        total += 1;
        let ok = agrees(&text);
        handled += usize::from(ok);
        // The chart's own values are plain block YAML throughout, and the benchmark's
        // flow mappings are the reason flow collections are in the subset.
        let chart = name.starts_with("values/") || name.starts_with("chart/") || name == LARGE;
        assert!(ok || !chart, "{name} is not handled");
        let parts = documents(&text);
        for part in &parts {
            let ok = agrees(part);
            if name.starts_with("golden/") {
                golden.0 += usize::from(ok);
                golden.1 += 1;
            }
        }
    }
    eprintln!("fast reader: {handled} of {total} texts, {golden:?} golden documents");
    // The point of the fast reader: it must take all of what a render reads back.
    assert_eq!(golden.0, golden.1, "golden documents handled, of all");
    assert!(golden.1 > 150, "{golden:?} golden documents");
    assert!(handled >= 100, "{handled} of {total}");
}

/// What a mutation puts where.
enum Edit {
    /// Before the line's content (after its indentation).
    Start(&'static str),
    /// At the line's end.
    End(&'static str),
    /// In place of what follows the line's first `: ` (or of the whole content).
    Value(&'static str),
    /// A new line after this one, indented like it plus the given spaces.
    After(usize, &'static str),
    /// The indentation made wider or narrower.
    Indent(isize),
    /// Inside the line's first flow collection, after its `[` or `{` (a line without one
    /// gets the value `[x, {a: b}]` first).
    Open(&'static str),
    /// Before the line's last `]` or `}` (or at its end).
    Close(&'static str),
    /// After the line's first `,` (or its first `[` or `{`, or at its end).
    Comma(&'static str),
    Duplicate,
    Delete,
}

const EDITS: &[Edit] = &[
    Edit::Start("&a "),
    Edit::Start("*a"),
    Edit::Start("!!str "),
    Edit::Start("? "),
    Edit::Start("- "),
    Edit::Start("-"),
    Edit::Start("[x]"),
    Edit::Start("{a: 1}"),
    Edit::Start("\""),
    Edit::Start("'"),
    Edit::Start("#"),
    Edit::Start("|"),
    Edit::Start(">"),
    Edit::Start("|2"),
    Edit::Start("\t"),
    Edit::Start(": "),
    Edit::Start(":"),
    Edit::Start("---"),
    Edit::Start("--- "),
    Edit::Start("..."),
    Edit::Start("%YAML 1.1"),
    Edit::Start("é"),
    Edit::Start("\u{feff}"),
    Edit::Start("[]"),
    Edit::Start("{}"),
    Edit::End(" #x"),
    Edit::End("#x"),
    Edit::End(":"),
    Edit::End(": "),
    Edit::End(": x"),
    Edit::End("  "),
    Edit::End("\r"),
    Edit::End("\""),
    Edit::End("'"),
    Edit::End(" |"),
    Edit::End(" []"),
    Edit::End(" {}"),
    Edit::End(" [x]"),
    Edit::End("\\"),
    Edit::End(" ü"),
    Edit::Value(""),
    Edit::Value("|"),
    Edit::Value("|-"),
    Edit::Value("|+"),
    Edit::Value("|2-"),
    Edit::Value("|-1"),
    Edit::Value("|0"),
    Edit::Value("| #c"),
    Edit::Value("|#c"),
    Edit::Value(">"),
    Edit::Value("[]"),
    Edit::Value("{}"),
    Edit::Value("'it''s'"),
    Edit::Value("'a'#c"),
    Edit::Value("\"a\\\"b\\x41\\u00e9\\U0001F600\\/\\N\""),
    Edit::Value("\"\\q\""),
    Edit::Value("\"\\ud800\""),
    Edit::Value("\"a\" x"),
    Edit::Value("~"),
    Edit::Value("- x"),
    Edit::Value("a: b"),
    Edit::Value("x #"),
    Edit::Value("-1"),
    Edit::After(0, "- a"),
    Edit::After(2, "- a"),
    Edit::After(2, "more"),
    Edit::After(1, "more"),
    Edit::After(0, "more"),
    Edit::After(4, "  "),
    Edit::After(0, ""),
    Edit::After(2, "# c"),
    Edit::After(0, "---"),
    Edit::After(0, "..."),
    Edit::After(2, "k: v"),
    Edit::After(0, "k: v"),
    Edit::Indent(1),
    Edit::Indent(-1),
    Edit::Indent(2),
    Edit::Indent(-2),
    Edit::Duplicate,
    Edit::Delete,
    // Flow collections: their own indicators in odd places, entries yaml-rust2 reads
    // specially, and what may follow a collection on its line.
    Edit::Start("["),
    Edit::Start("{"),
    Edit::Start("]"),
    Edit::Start("}"),
    Edit::Start(","),
    Edit::End("]"),
    Edit::End("}"),
    Edit::End(","),
    Edit::End(", x]"),
    Edit::End(" x"),
    Edit::End(": y"),
    Edit::Value("[a, b]"),
    Edit::Value("[a, b] x"),
    Edit::Value("[a, b] # c"),
    Edit::Value("[a, b]#c"),
    Edit::Value("[a, b]: c"),
    Edit::Value("{a: b}: c"),
    Edit::Value("[a, {b: c}]"),
    Edit::Value("{a: [1, 2], b: {c: d}}"),
    Edit::Value("[[[a]], [], {}]"),
    Edit::Value("[ a , b , ]"),
    Edit::Value("{a: b,}"),
    Edit::Value("[,]"),
    Edit::Value("[a, , b]"),
    Edit::Value("{,}"),
    Edit::Value("{a: }"),
    Edit::Value("{a: , b: c}"),
    Edit::Value("{: a}"),
    Edit::Value("{a}"),
    Edit::Value("{a:b}"),
    Edit::Value("{a:}"),
    Edit::Value("{a: b: c}"),
    Edit::Value("[a b, c  d]"),
    Edit::Value("[a: b]"),
    Edit::Value("[a:b, a:]"),
    Edit::Value("[\"x\": y]"),
    Edit::Value("{\"x\": y}"),
    Edit::Value("{\"x\":y}"),
    Edit::Value("{'x' : y}"),
    Edit::Value("['a''b', \"c\\td\"]"),
    Edit::Value("[a #b]"),
    Edit::Value("[a#b]"),
    Edit::Value("[a, #b]"),
    Edit::Value("[-a, a-, a - b]"),
    Edit::Value("[a -]"),
    Edit::Value("[-, a]"),
    Edit::Value("[- a]"),
    Edit::Value("[? a]"),
    Edit::Value("[&x a, *x]"),
    Edit::Value("[!!str a]"),
    Edit::Value("[|, >]"),
    Edit::Value("[a,"),
    Edit::Value("{a: [b}"),
    Edit::Value("[a]]"),
    Edit::Value("[a, b"),
    Edit::Value("[é, ü: ö]"),
    Edit::Value("{é: ü}"),
    Edit::After(2, "b]"),
    Edit::After(2, "- [a]"),
    Edit::After(0, "- {a: b}"),
    Edit::After(0, "[a]"),
    Edit::After(0, "k: [a]"),
    Edit::Open("["),
    Edit::Open("]"),
    Edit::Open("{"),
    Edit::Open("}"),
    Edit::Open(","),
    Edit::Open(", ,"),
    Edit::Open("[,]"),
    Edit::Open("{a: }, "),
    Edit::Open("{: a}, "),
    Edit::Open("[a b], "),
    Edit::Open("\"x\": y, "),
    Edit::Open("'x': y, "),
    Edit::Open("[a, {b: [c]}], "),
    Edit::Open("{a: [b, {c: d}]}, "),
    Edit::Open("#"),
    Edit::Open(" # c"),
    Edit::Open(" "),
    Edit::Open("a: b, "),
    Edit::Open("- "),
    Edit::Open("? "),
    Edit::Close(","),
    Edit::Close(", "),
    Edit::Close(", ,"),
    Edit::Close("]"),
    Edit::Close("}"),
    Edit::Close(" #"),
    Edit::Close(":"),
    Edit::Close(": "),
    Edit::Close(" -"),
    Edit::Close("'"),
    Edit::Close("\""),
    Edit::Comma(" ,"),
    Edit::Comma(","),
    Edit::Comma("[x],"),
    Edit::Comma("{x: y},"),
    Edit::Comma("\"x\":"),
    Edit::Comma("x: "),
    Edit::Comma(":"),
];

fn mutate(lines: &[&str], at: usize, edit: &Edit) -> String {
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let line = lines[at];
    let indent = line.len() - line.trim_start_matches(' ').len();
    let (head, content) = line.split_at(indent);
    match edit {
        Edit::Start(s) => out[at] = format!("{head}{s}{content}"),
        Edit::End(s) => out[at] = format!("{line}{s}"),
        Edit::Value(s) => {
            out[at] = match line.find(": ") {
                Some(p) => format!("{}: {s}", &line[..p]),
                None => format!("{head}{s}"),
            }
        }
        Edit::After(more, s) => out.insert(at + 1, format!("{head}{}{s}", " ".repeat(*more))),
        Edit::Indent(d) => {
            let width = (indent as isize + d).max(0) as usize;
            out[at] = format!("{}{content}", " ".repeat(width));
        }
        Edit::Open(s) => {
            let line = match line.find(['[', '{']) {
                Some(_) => line.to_string(),
                None => match line.find(": ") {
                    Some(p) => format!("{}: [x, {{a: b}}]", &line[..p]),
                    None => format!("{head}[x, {{a: b}}]"),
                },
            };
            let p = line.find(['[', '{']).map_or(line.len(), |p| p + 1);
            out[at] = format!("{}{s}{}", &line[..p], &line[p..]);
        }
        Edit::Close(s) => {
            let p = line.rfind([']', '}']).unwrap_or(line.len());
            out[at] = format!("{}{s}{}", &line[..p], &line[p..]);
        }
        Edit::Comma(s) => {
            let p = line
                .find(',')
                .or_else(|| line.find(['[', '{']))
                .map_or(line.len(), |p| p + 1);
            out[at] = format!("{}{s}{}", &line[..p], &line[p..]);
        }
        Edit::Duplicate => out.insert(at + 1, line.to_string()),
        Edit::Delete => {
            out.remove(at);
        }
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

#[test]
fn agrees_with_yaml_rust2_on_mutations() {
    // Bounded: a window of lines around each mutated line, and a stride over the lines so
    // that the sweep stays within a few seconds of a debug build.
    const WINDOW: usize = 6;
    let mut checked = 0;
    let mut handled = 0;
    for (index, (_, text)) in corpus().iter().enumerate() {
        let lines: Vec<&str> = text.lines().collect();
        let stride = 1 + lines.len() / 24;
        for at in (index % stride..lines.len()).step_by(stride) {
            let from = at.saturating_sub(WINDOW);
            let window = &lines[from..(at + WINDOW).min(lines.len())];
            for edit in EDITS {
                checked += 1;
                handled += usize::from(agrees(&mutate(window, at - from, edit)));
            }
        }
    }
    eprintln!("mutations: {handled} of {checked} handled");
    assert!(handled * 10 >= checked, "{handled} of {checked}");
}

/// Texts in the subset: the fast reader must answer, and agree.
const HANDLED: &[&str] = &[
    "",
    "\n\n",
    "# only a comment\n",
    "a: 1\n",
    "a: 1",
    "a:\n",
    "a:",
    "a: \n",
    "a: # comment\n",
    "a: b # comment\n",
    "a: b#c\n",
    "a: b:c\n",
    "a:b: c\n",
    "a  : b\n",
    "a: 'b' # c\n",
    "a: \"b\"\n",
    "'quoted key': 1\n\"double key\": 2\n",
    "'a' : 1\n",
    "a: 'it''s'\n",
    "a: ''\n",
    "a: \"\"\n",
    "a: \"\\t\\n\\\\\\\"\\/\\x41\\u00e9\\U0001F600\\N\\_\\L\\P\\0\\a\\b\\v\\f\\r\\e\\ \"\n",
    "a: '  spaced  '\n",
    "a: yes\nb: no\nc: ~\nd: 1.5\ne: 0x1f\nf: null\n",
    "1: a\ntrue: b\n1.5: c\n",
    "a:\n  b:\n    c: d\n  e: f\ng: h\n",
    "a:\n    b: 1\n    c: 2\n",
    "- a\n- b\n",
    "- a\n-\n- c\n",
    "-\n  a: 1\n",
    "- - a\n  - b\n- c\n",
    "- - - a\n",
    "- a: 1\n  b: 2\n- c: 3\n",
    "-   a: 1\n    b: 2\n",
    "- a:\n  - x\n  b: 1\n",
    "- a:\n    b: 1\n  c: 2\n",
    "- a:\n  b: 1\n",
    "a:\n- x\n- y\nb: 1\n",
    "a:\n- x\n",
    "a:\n  - x\n  - y\nb:\n  - z\n",
    "a:\n  - b: 1\n    c:\n    - d\n",
    "a: []\nb: {}\nc: [] # c\n",
    "[]\n",
    "{}\n",
    "- []\n- {}\n",
    "a: |\n  line 1\n  line 2\nb: 1\n",
    "a: |-\n  x\n\nb: 1\n",
    "a: |+\n  x\n\n\nb: 1\n",
    "a: |\n  x\n\n\nb: 1\n",
    "a: |2-\n    x\n   y\n",
    "a: |2\n   x\n",
    "a: |-2\n   x\n",
    "a: |1\n x\n",
    "a: |\n\n  x\n",
    "a: |\n\n\n",
    "a: |\n",
    "a: |",
    "a: |+\n",
    "a: |+\n\n\n",
    "a: |-\n",
    "a: |\n  x",
    "a: |\n  x\n  ",
    "a: |\n  x\n   \n  y\n",
    "a: |\n  # not a comment\n  x: y\n",
    "a: | # header comment\n  x\n",
    "a:\n  |\n   x\nb: 1\n",
    "- |\n  x\n- |-\n  y\n",
    "- a: |\n    x\n  b: 1\n",
    "a:\n- |\n  x\n",
    "k:\n  l:\n    m:\n      n:\n        o:\n          p:\n            q: |\n              deep\n              lines\n",
    "# c\na: 1 # c\n# c\nb:\n  # c\n  c: 2\n    # c\n# c\n",
    "a: b\n  # deeper comment\nc: d\n",
    "---\na: 1\n",
    "---\na: 1\n---\nb: 2\n",
    "a: 1\n---\n",
    "---\n",
    "---\n---\n",
    "--- # c\na: 1\n",
    "# c\n---\n",
    "a: 1\n---\n- x\n---\n# only comment\n",
    "  a: 1\n  b: 2\n",
    "  - a\n  - b\n",
    "a: b\n\n\nc: d\n",
    "a: 'é' # ü\nü: ö\n",
    "a: -1\nb: -x\nc: --- d\n",
    "a: x - y\n",
    "a: x, y [z] {w}\n",
    "a: b'c\"d\n",
    "a: 'x' \n",
    "a: x \n",
    "a:\n  b\n",
    "a: b\n  continued\n",
    "- a\n  - b\n",
    "a: b\n\n  c\n",
    "a: b\n\n\n  c\n   d\n\ne: f\n",
    "- sleep 10; if [ $n -eq 60 ]; then\n  >/dev/null 2>&1; fi\n- x\n",
    "a: b\n  # c\nd: e\n",
    "a:\n  b\n  c\n",
    "- a: b\n    c\n  d: e\n",
    "a:\n  'b'\n",
    "ü: 1\n",
    "\"a\" : 1\n",
    "a: dup\na: dup\n",
    "<<: {}\n",
    "a: .inf\n",
    "a: 99999999999999999999\n",
    // Flow collections on one line.
    "a: [1, 2]\n",
    "a: {b: 1}\n",
    "verbs: [get, patch]\nresources: [\"secrets\"]\n",
    "a: [a, {b: c}]\n",
    "a: {a: [1, 2]}\n",
    "a: {a: {b: {c: [d, [e, []], {}]}}}\n",
    "- [a, b]\n- {c: d}\n",
    "- - [x]\n  - {}\n",
    "a:\n  [x, y]\nb:\n- {z: 1}\n",
    "[a, b]\n",
    "{a: b}\n",
    "  [a]\n",
    "[a]\n---\n{b: c}\n",
    "a: [ a , b ]\n",
    "a: [a b, c  d]\n",
    "a: [a, b,]\n",
    "a: [a, b , ]\n",
    "a: {a: b,}\n",
    "a: {a: , b: }\n",
    "a: {a: }\n",
    "a: {a b: c d, e : f}\n",
    "a: ['x', \"y\\n\", 'it''s', '', \"\"]\n",
    "a: {'k': v, \"k2\" : w, 'k3': 'v3', \"k4\":  x}\n",
    "a: [a:b, http://x/y, a#b, -1, a-b, a - b, ü, a?, a!b, a|b, 'a:b']\n",
    "a: [a] # c\nb: [] # c\n",
    "a: [ ]\nb: { }\n",
    "a: [~, null, 1.5, true, 0x1f, '1']\n",
    "a: {<<: {b: 1}, c: 2}\n",
    "a: [x]\n\nb: {y: z}\n",
    "é: {ü: [ö]}\n",
];

/// Valid YAML outside the subset: the fast reader must leave it to yaml-rust2.
const NOT_HANDLED: &[&str] = &[
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "? a\n: b\n",
    "a: [1,\n  2]\n",
    "a: [1, 2\n  ]\n",
    "a: {a}\n",
    "a: {a:b}\n",
    "a: {\"a\":b}\n",
    "a: [a: b]\n",
    "a: [? a]\n",
    "a: {? a : b}\n",
    "a: [&x a, *x]\n",
    "a: [!!str a]\n",
    "a: [a:]\n",
    "a: >\n  folded\n",
    "a: 'multi\n  line'\n",
    "a: \"multi\\\n  line\"\n",
    "a: \tb\n",
    "a: b\r\n",
    "%YAML 1.1\n---\na: b\n",
    "a: 1\n...\n",
    "--- a\n",
    "--- |\n  x\n",
    "scalar\n",
    "'scalar'\n",
    "|\n  x\n",
];

#[test]
fn hand_written_cases_in_the_subset_agree() {
    for text in HANDLED {
        assert!(agrees(text), "not handled: {text:?}");
    }
}

#[test]
fn texts_outside_the_subset_are_left_to_yaml_rust2() {
    for text in NOT_HANDLED {
        assert!(fast_events(text).is_none(), "handled: {text:?}");
        // And the public functions still read them (through yaml-rust2).
        slow_stream(text, "t", false).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    }
}

#[test]
fn errors_are_left_to_yaml_rust2() {
    for text in [
        "a: 1\n b: 2\n",
        "a: b: c\n",
        "a: - b\n",
        "- a\nb: 1\n",
        "a: 'unterminated\n",
        "a: \"\\q\"\n",
        "a: |0\n  x\n",
        "a: |\n    x\n  y\n",
        "a: |x\n",
        "a: 'b'#c\n",
        "a:\n  - b\n c: 1\n",
        "a: [a, , b]\n",
        "a: [,]\n",
        "a: {,}\n",
        "a: [a -]\n",
        "a: [a] b\n",
        "a: [a\n",
        "a: [a]]\n",
        "a: {a: b: c}\n",
        "a: [a]\n  b\n",
        // Valid, but a collection as a key is the builder's error.
        "[a]: b\n",
        "a: [[a]: b]\n",
    ] {
        assert!(fast_events(text).is_none(), "handled: {text:?}");
    }
    // A builder error (a duplicate key) makes the fast path give up, so the error is the
    // reference's, position and all.
    assert!(fast_stream("a: 1\na: 2\n", "t", false).is_none());
    let err = super::super::parse_stream("a: 1\na: 2\n", "t", false).unwrap_err();
    assert_eq!(
        err.to_string(),
        "t:2:1: a: duplicate key \"a\" (first defined at line 1)"
    );
}
