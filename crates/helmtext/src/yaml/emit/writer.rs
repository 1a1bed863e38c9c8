//! The emitter proper: a reduced port of go-yaml v2's `emitterc.go` (libyaml's emitter),
//! writing block-style YAML with the same state (`column`, `indent`, `whitespace`,
//! `indention`) and the same decisions, driven by recursion over the tree instead of an
//! event queue.

use super::order::sorted_entries;
use super::style::{Style, is_break, is_printable, requested_string_style, select_style};
use super::{MAX_SIMPLE_KEY_BYTES, float_text};
use crate::value::{Map, Value};

/// go-yaml v2 never changes libyaml's defaults: indent 2, preferred line width 80.
const BEST_INDENT: isize = 2;
const BEST_WIDTH: usize = 80;

pub(super) struct Emitter {
    pub(super) out: String,
    /// Characters (not bytes) written on the current line.
    column: usize,
    /// Indentation of the current collection or scalar; -1 before the root collection.
    indent: isize,
    /// The last thing written was whitespace (no space needed before an indicator).
    whitespace: bool,
    /// Only indentation (and `-`/`?` indicators) has been written on this line.
    indention: bool,
}

impl Emitter {
    pub(super) fn new() -> Self {
        Emitter {
            out: String::new(),
            column: 0,
            indent: -1,
            whitespace: true,
            indention: true,
        }
    }

    /// Emits a node; `in_mapping` is libyaml's mapping context (the node is a key or value).
    pub(super) fn node(&mut self, v: &Value, in_mapping: bool) {
        match v {
            Value::List(items) if items.is_empty() => self.empty_flow("[", "]"),
            Value::Map(m) if m.is_empty() => self.empty_flow("{", "}"),
            Value::List(items) => self.block_sequence(items, in_mapping),
            Value::Map(m) => self.block_mapping(m),
            Value::String(s) => self.scalar(s, requested_string_style(s), false),
            Value::Null => self.scalar("null", Style::Plain, false),
            Value::Bool(b) => self.scalar(if *b { "true" } else { "false" }, Style::Plain, false),
            Value::Int(i) => self.scalar(&i.to_string(), Style::Plain, false),
            Value::Float(f) => self.scalar(&float_text(*f), Style::Plain, false),
        }
    }

    /// `yaml_emitter_increase_indent`; returns the indent to restore afterwards.
    fn increase_indent(&mut self, flow: bool, indentless: bool) -> isize {
        let saved = self.indent;
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
        saved
    }

    fn empty_flow(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.write_indicator(close, false, false, false);
    }

    fn block_sequence(&mut self, items: &[Value], in_mapping: bool) {
        // A sequence that is a mapping value is not indented relative to its key.
        let saved = self.increase_indent(false, in_mapping && !self.indention);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, false);
        }
        self.indent = saved;
    }

    fn block_mapping(&mut self, m: &Map) {
        let saved = self.increase_indent(false, false);
        for (key, value) in sorted_entries(m) {
            self.write_indent();
            let style = requested_string_style(key);
            if !key.contains(is_break) && key.len() <= MAX_SIMPLE_KEY_BYTES {
                self.scalar(key, style, true);
                self.write_indicator(":", false, false, false);
            } else {
                // A complex key: `? key` on its own line(s), then `: value`.
                self.write_indicator("?", true, false, true);
                self.scalar(key, style, false);
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(value, true);
        }
        self.indent = saved;
    }

    /// Emits a scalar; a `simple_key` (`key:`) is never folded and never a block scalar.
    fn scalar(&mut self, value: &str, requested: Style, simple_key: bool) {
        let style = select_style(requested, value, simple_key);
        let saved = self.increase_indent(true, false);
        match style {
            Style::Plain => self.write_plain_or_single_quoted(value, !simple_key, false),
            Style::SingleQuoted => self.write_plain_or_single_quoted(value, !simple_key, true),
            Style::DoubleQuoted => self.write_double_quoted(value, !simple_key),
            Style::Literal => self.write_literal(value),
        }
        self.indent = saved;
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    /// Copies a line break from a scalar; only `\n` is normalized.
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    pub(super) fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_space: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_space && !self.whitespace {
            self.put(' ');
        }
        indicator.chars().for_each(|c| self.put(c));
        self.whitespace = is_whitespace;
        self.indention &= is_indention;
    }

    /// libyaml folds a line at a space once the line is past the preferred width, but only
    /// at the first space of a run and never at the scalar's first or last character.
    fn can_fold(&self, allow_breaks: bool, spaces: bool, i: usize, len: usize) -> bool {
        allow_breaks && !spaces && self.column > BEST_WIDTH && i > 0 && i + 1 < len
    }

    /// Plain and single-quoted scalars are written alike (the first and last character
    /// of a plain scalar are never spaces, so the fold rule is the same). Line breaks only
    /// get here as U+2028/U+2029: `\n` asks for literal style, other breaks are not
    /// printable and force double quotes.
    fn write_plain_or_single_quoted(&mut self, value: &str, allow_breaks: bool, quoted: bool) {
        if quoted {
            self.write_indicator("'", true, false, false);
        } else if !self.whitespace {
            self.put(' ');
        }
        let chars: Vec<char> = value.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_is_space = chars.get(i + 1) == Some(&' ');
                if self.can_fold(allow_breaks, spaces, i, chars.len()) && !next_is_space {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if quoted && c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                (spaces, breaks) = (false, false);
            }
        }
        if quoted {
            self.write_indicator("'", false, false, false);
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        // libyaml's is_bom looks at the start of the value, not at the current character,
        // so a leading BOM gets every character escaped.
        let bom = value.starts_with('\u{feff}');
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if bom || !is_printable(c) || is_break(c) || c == '"' || c == '\\' {
                self.write_escape(c);
                spaces = false;
            } else if c == ' ' {
                if self.can_fold(allow_breaks, spaces, i, chars.len()) {
                    self.write_indent();
                    // The fold stands for this space; a second one must be escaped.
                    if chars[i + 1] == ' ' {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    /// A double-quoted escape: a backslash and a letter, or `x`/`u`/`U` and upper-case hex.
    fn write_escape(&mut self, c: char) {
        const CHARS: &str = "\0\u{7}\u{8}\t\n\u{b}\u{c}\r\u{1b}\"\\\u{85}\u{a0}\u{2028}\u{2029}";
        const LETTERS: &str = "0abtnvfre\"\\N_LP";
        let code = u32::from(c);
        let text = match CHARS
            .chars()
            .position(|x| x == c)
            .and_then(|i| LETTERS.chars().nth(i))
        {
            Some(letter) => format!("\\{letter}"),
            None if code <= 0xff => format!("\\x{code:02X}"),
            None if code <= 0xffff => format!("\\u{code:04X}"),
            None => format!("\\U{code:08X}"),
        };
        text.chars().for_each(|c| self.put(c));
    }

    fn write_literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        // An indentation indicator when the content itself starts with a space or break.
        if value.starts_with(|c: char| c == ' ' || is_break(c)) {
            self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        // Chomping: `-` without a final break, `+` for more than one, none for exactly one.
        let mut tail = value.chars().rev();
        let chomp = match (tail.next(), tail.next()) {
            (Some(last), _) if !is_break(last) => "-",
            (_, Some(before)) if !is_break(before) => "",
            _ => "+",
        };
        self.write_indicator(chomp, false, false, false);
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in value.chars() {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}
