//! A hand-written reader for the plain block YAML that qspgb nearly always reads, for speed.
//!
//! yaml-rust2's scanner costs about 300 instructions per byte, and every render reads its
//! own output back (plus the values files). Almost all of that text is plain block YAML:
//! block mappings and sequences, single-line plain and quoted scalars, literal block
//! scalars, comments, `---` separators, flow collections on one line (`[get, patch]`,
//! `{host: h, port: 1}`; see [`flow`]), plus the plain scalars go-yaml wraps over several
//! lines. This reader handles exactly
//! that subset and produces the events yaml-rust2 would produce for it, which the one
//! [`Builder`](super::Builder) turns into values (so go-yaml's resolution, duplicate keys,
//! the limits and secret handling stay in one place).
//!
//! yaml-rust2 stays the reference and the error path: the moment this reader meets
//! anything outside the subset it is sure of (tabs, `\r`, anchors, aliases, tags, flow
//! collections over several lines or with quirks, `?` keys, directives, `...`, folded scalars, a quoted scalar
//! that continues on the next line, odd indentation, a text it would call an error) it answers
//! "not handled" and the caller reads the text again with yaml-rust2 from the start. Where
//! yaml-rust2 departs from the YAML spec inside the subset (the end of a literal block
//! scalar at the end of the text), this follows yaml-rust2. `fast/tests.rs` checks both
//! readers agree on every YAML text of the repository and on mutations of them.
//!
//! Positions (line, column in characters) equal yaml-rust2's wherever they reach a result:
//! only a document's top-level node's does (`parse_values` names it), and a top-level
//! scalar is not handled. Every other position only reaches an error, and errors are
//! yaml-rust2's. (The index is a byte offset; only the alias error reads it.)

use yaml_rust2::parser::Event;
use yaml_rust2::scanner::TScalarStyle;

use super::Mark;

/// Reads `text`, passing each event to `emit` (which returns false to stop). Returns true
/// when the whole text was read and every event accepted; false means "not handled".
pub(super) fn scan(text: &str, emit: &mut dyn FnMut(Event, Mark) -> bool) -> bool {
    // Whole-text refusals, checked once: tabs and carriage returns change indentation and
    // line rules, and yaml-rust2 treats a byte order mark inside the text specially.
    // (0xEF starts U+FEFF's encoding: a byte test first, the exact one only when needed.)
    if text.bytes().any(|b| matches!(b, b'\t' | b'\r' | 0xEF))
        && text.contains(['\t', '\r', '\u{feff}'])
    {
        return false;
    }
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        line_start: 0,
        line: 1,
        stack: Vec::new(),
        pending: false,
        in_document: false,
        root: Root::None,
        emit,
    };
    scanner.run().is_ok()
}

/// Why the reader stopped: the text is outside the subset, or the builder refused an event.
struct Stop;

type Step<T = ()> = Result<T, Stop>;

/// An open block collection: its kind and the column of its keys or dashes (yaml-rust2's
/// "indent").
struct Open {
    indent: usize,
    map: bool,
}

/// Where the current document's top-level node is.
#[derive(PartialEq)]
enum Root {
    None,
    Open,
    Done,
}

/// How a block scalar's final line breaks are kept (`-` strip, nothing clip, `+` keep).
#[derive(PartialEq, Clone, Copy)]
enum Chomping {
    Strip,
    Clip,
    Keep,
}

struct Scanner<'t, 'e> {
    text: &'t str,
    bytes: &'t [u8],
    /// Byte offset of the current line.
    line_start: usize,
    /// 1-based number of the current line.
    line: usize,
    stack: Vec<Open>,
    /// The innermost collection's key or dash is still waiting for its value.
    pending: bool,
    in_document: bool,
    root: Root,
    emit: &'e mut dyn FnMut(Event, Mark) -> bool,
}

impl Scanner<'_, '_> {
    fn run(&mut self) -> Step {
        self.send(Event::StreamStart, 0)?;
        while self.line_start < self.bytes.len() {
            let end = self.line_end(self.line_start);
            let indent = self.bytes[self.line_start..end]
                .iter()
                .take_while(|&&b| b == b' ')
                .count();
            let first = self.line_start + indent;
            if first == end || self.bytes[first] == b'#' {
                self.next_line(end);
                continue;
            }
            let rest = &self.bytes[first..end];
            if indent == 0 && (rest.starts_with(b"---") || rest.starts_with(b"...")) {
                // Only a bare `---` (a comment may follow); `--- value`, `...` and plain
                // scalars such as `---x` are left to yaml-rust2.
                if !rest.starts_with(b"---") || !self.only_comment(first + 3, end, false) {
                    return Err(Stop);
                }
                if self.in_document {
                    self.end_document(first)?;
                }
                self.send(Event::DocumentStart, first)?;
                self.in_document = true;
                self.root = Root::None;
                self.next_line(end);
                continue;
            }
            self.content_line(indent)?;
        }
        if self.in_document {
            self.end_document(self.bytes.len())?;
        }
        self.send(Event::StreamEnd, self.bytes.len())
    }

    /// A line with content (not blank, not only a comment, not a document marker).
    fn content_line(&mut self, indent: usize) -> Step {
        let first = self.line_start + indent;
        if !self.in_document {
            self.send(Event::DocumentStart, first)?;
            self.in_document = true;
        }
        let entry = self.is_entry(first);
        if self.pending {
            let top = self.stack.last().ok_or(Stop)?;
            if indent > top.indent {
                // The value on its own line, further in.
                self.pending = false;
                return self.node(first);
            }
            self.pending = false;
            if indent == top.indent && top.map && entry {
                // `key:` followed by a sequence at the key's own column.
                self.open(indent, false, first)?;
                return self.entry(first);
            }
            self.empty_scalar(first)?;
        }
        while let Some(top) = self.stack.last() {
            // An indentless sequence ends at its parent's next key.
            let indentless_done = top.indent == indent && !top.map && !entry && {
                let len = self.stack.len();
                len >= 2 && self.stack[len - 2].map && self.stack[len - 2].indent == indent
            };
            if top.indent <= indent && !indentless_done {
                break;
            }
            self.close(first)?;
        }
        let Some(top) = self.stack.last() else {
            if self.root != Root::None {
                return Err(Stop);
            }
            return self.node(first);
        };
        if top.indent != indent {
            return Err(Stop);
        }
        if top.map {
            let (key, value) = self.key(first)?.ok_or(Stop)?;
            self.send(key, first)?;
            self.value(value)
        } else if entry {
            self.entry(first)
        } else {
            Err(Stop)
        }
    }

    /// A node starting at `at` on the current line, where a new collection may open: a
    /// sequence entry, a key (opening a mapping at its column), or a scalar.
    fn node(&mut self, at: usize) -> Step {
        let col = at - self.line_start;
        if self.is_entry(at) {
            self.open(col, false, at)?;
            return self.entry(at);
        }
        if self.bytes[at] == b'|' && !self.stack.is_empty() {
            return self.literal(at);
        }
        if self.flow(at)? {
            if self.stack.is_empty() {
                self.root = Root::Done;
            }
            return Ok(());
        }
        match self.key(at)? {
            Some((key, value)) => {
                // yaml-rust2 places a block mapping at its first key's `:`.
                self.open(col, true, value - 1)?;
                self.send(key, at)?;
                self.value(value)
            }
            // A top-level scalar is left to yaml-rust2 (its position would reach a result).
            None if self.stack.is_empty() => Err(Stop),
            None => self.value(at),
        }
    }

    /// A sequence entry: `-` at `at`, then its node on the same line or the next ones.
    fn entry(&mut self, at: usize) -> Step {
        let end = self.line_end(at);
        let content = self.skip_spaces(at + 1, end);
        if content == end || self.bytes[content] == b'#' {
            self.pending = true;
            self.next_line(end);
            return Ok(());
        }
        self.node(content)
    }

    /// A key's value after its `:` (at `at`), or a scalar where a new collection cannot
    /// open: on the same line, or (when nothing but a comment follows) on the next lines.
    fn value(&mut self, at: usize) -> Step {
        let end = self.line_end(at);
        let at = self.skip_spaces(at, end);
        if at == end || self.bytes[at] == b'#' {
            self.pending = true;
            self.next_line(end);
            return Ok(());
        }
        if self.bytes[at] == b'|' {
            return self.literal(at);
        }
        if self.flow(at)? {
            return Ok(());
        }
        let (mut text, style, after) = match self.bytes[at] {
            b'\'' | b'"' => {
                let (text, after, style) = self.quoted(at)?;
                (text, style, after)
            }
            _ => {
                let (text, after) = self.plain(at)?;
                (text, TScalarStyle::Plain, after)
            }
        };
        // A plain scalar stops before ` #`; after a quote, yaml-rust2 wants a space first.
        if !self.only_comment(after, end, style == TScalarStyle::Plain) {
            return Err(Stop);
        }
        let mut last = end;
        if style == TScalarStyle::Plain && after == end {
            last = self.continuation(&mut text, end)?;
            self.line += self.bytes[end..last]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
        }
        self.send(Event::Scalar(text, style, 0, None), at)?;
        self.next_line(last);
        Ok(())
    }

    /// The lines that continue a plain scalar whose first line ends at `end` (go-yaml
    /// wraps long strings so): each line further in than the innermost collection,
    /// folded as yaml-rust2's `scan_plain_scalar` does (one break a space, more breaks
    /// all but one kept). Returns the end of the scalar's last line.
    fn continuation(&self, text: &mut String, end: usize) -> Step<usize> {
        let b = self.bytes;
        let min = self.stack.last().ok_or(Stop)?.indent + 1;
        let (mut at, mut last, mut breaks) = (end, end, 0);
        while at < b.len() {
            let start = at + 1;
            breaks += 1;
            let stop = self.line_end(start);
            let first = self.skip_spaces(start, stop);
            if first == stop {
                at = stop;
                continue;
            }
            if first - start < min || b[first] == b'#' {
                break;
            }
            // Any character may go on a plain scalar here, `- ` and quotes included; a `: `
            // or ` #` (which would end it) is left to yaml-rust2.
            let (piece_end, ended) = plain_end(b, first, stop);
            if ended != stop {
                return Err(Stop);
            }
            if breaks == 1 {
                text.push(' ');
            } else {
                (1..breaks).for_each(|_| text.push('\n'));
            }
            text.push_str(&self.text[first..piece_end]);
            breaks = 0;
            (at, last) = (stop, stop);
        }
        Ok(last)
    }

    /// The key at `at` if the line holds `key: ...` there: its scalar event and where its
    /// value starts (after the `:`). `None` when the line holds a lone scalar instead.
    fn key(&self, at: usize) -> Step<Option<(Event, usize)>> {
        let end = self.line_end(at);
        let (text, style, after) = match self.bytes[at] {
            b'\'' | b'"' => {
                let (text, after, style) = self.quoted(at)?;
                let colon = self.skip_spaces(after, end);
                if colon == end || self.bytes[colon] != b':' {
                    return Ok(None);
                }
                (text, style, colon + 1)
            }
            _ => {
                let (text, after) = self.plain(at)?;
                if after == end || self.bytes[after] != b':' {
                    return Ok(None);
                }
                (text, TScalarStyle::Plain, after + 1)
            }
        };
        // yaml-rust2 forgets a possible key 1024 characters on; bytes are never fewer.
        if after - at > 1000 || (after < end && self.bytes[after] != b' ') {
            return Err(Stop);
        }
        Ok(Some((Event::Scalar(text, style, 0, None), after)))
    }

    /// A single-line plain scalar at `at`: its text and where it stops (a `: `, a ` #`,
    /// or the end of the line; trailing spaces are not part of it).
    fn plain(&self, at: usize) -> Step<(String, usize)> {
        let b = self.bytes;
        let end = self.line_end(at);
        match b[at] {
            b'-' if at + 1 < end && b[at + 1] != b' ' => {}
            b'-' | b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!'
            | b'|' | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' => return Err(Stop),
            _ => {}
        }
        let (last, stop) = plain_end(b, at, end);
        Ok((self.text[at..last].to_string(), stop))
    }

    /// A single-line quoted scalar at `at` (on its opening quote): its text, the offset
    /// after its closing quote, and its style.
    fn quoted(&self, at: usize) -> Step<(String, usize, TScalarStyle)> {
        let b = self.bytes;
        let end = self.line_end(at);
        let single = b[at] == b'\'';
        let mut text = String::new();
        let mut i = at + 1;
        let mut run = i;
        loop {
            if i >= end {
                // The scalar goes on to the next line.
                return Err(Stop);
            }
            match b[i] {
                b'\'' if single => {
                    text.push_str(&self.text[run..i]);
                    if b.get(i + 1) == Some(&b'\'') {
                        text.push('\'');
                        i += 2;
                        run = i;
                    } else {
                        break;
                    }
                }
                b'"' if !single => {
                    text.push_str(&self.text[run..i]);
                    break;
                }
                b'\\' if !single => {
                    text.push_str(&self.text[run..i]);
                    let (c, len) = escape(&b[i + 1..end]).ok_or(Stop)?;
                    text.push(c);
                    i += 1 + len;
                    run = i;
                }
                _ => i += 1,
            }
        }
        let style = if single {
            TScalarStyle::SingleQuoted
        } else {
            TScalarStyle::DoubleQuoted
        };
        Ok((text, i + 1, style))
    }

    /// A literal block scalar whose `|` is at `at`: yaml-rust2's `scan_block_scalar` for
    /// literal scalars without tabs or `\r`, line by line, end-of-text quirks included.
    fn literal(&mut self, at: usize) -> Step {
        let b = self.bytes;
        let len = b.len();
        let header_end = self.line_end(at);
        let mut i = at + 1;
        let mut chomping = Chomping::Clip;
        let chomp = |c: u8| match c {
            b'+' => Some(Chomping::Keep),
            b'-' => Some(Chomping::Strip),
            _ => None,
        };
        let digit = |c: Option<&u8>| match c {
            Some(d @ b'1'..=b'9') => Some(usize::from(d - b'0')),
            // `0` is an error; yaml-rust2 reports it.
            Some(b'0') => None,
            _ => Some(0),
        };
        // yaml-rust2 takes the chomping indicator and the digit in either order.
        let increment;
        if let Some(c) = b.get(i).copied().and_then(chomp) {
            chomping = c;
            i += 1;
            increment = digit(b.get(i)).ok_or(Stop)?;
            i += usize::from(increment > 0);
        } else {
            increment = digit(b.get(i)).ok_or(Stop)?;
            if increment > 0 {
                i += 1;
                if let Some(c) = b.get(i).copied().and_then(chomp) {
                    chomping = c;
                    i += 1;
                }
            }
        }
        if !self.only_comment(i, header_end, false) {
            return Err(Stop);
        }
        let indicator = at;
        let indicator_line = self.line;
        let scanner_indent = self.stack.last().ok_or(Stop)?.indent;
        // The break after the header (none at the end of the text).
        let header_break = header_end < len;
        i = header_end + usize::from(header_break);
        self.line += usize::from(header_break);
        let mut line_start = i;
        let mut trailing = 0usize;
        let mut indent = if increment > 0 {
            scanner_indent + increment
        } else {
            0
        };
        if indent == 0 {
            // The indentation is the deepest of the leading blank lines and the first
            // content line, and at least one more than the parent's.
            let mut deepest = 0;
            loop {
                let j = self.skip_spaces(i, len);
                deepest = deepest.max(j - line_start);
                i = j;
                if j < len && b[j] == b'\n' {
                    trailing += 1;
                    i = j + 1;
                    line_start = i;
                    self.line += 1;
                    continue;
                }
                break;
            }
            indent = deepest.max(scanner_indent + 1);
        } else {
            i = self.block_indent(i, &mut line_start, indent, &mut trailing);
        }
        if i == len {
            let text = match chomping {
                Chomping::Strip => String::new(),
                _ if self.line == indicator_line => String::new(),
                Chomping::Clip => "\n".repeat(usize::from(header_break)),
                Chomping::Keep if trailing == 0 => "\n".repeat(usize::from(header_break)),
                Chomping::Keep => "\n".repeat(trailing),
            };
            self.send(
                Event::Scalar(text, TScalarStyle::Literal, 0, None),
                indicator,
            )?;
            self.line_start = len;
            return Ok(());
        }
        let mut col = i - line_start;
        if col < indent && col > scanner_indent {
            // "wrongly indented line in block scalar"
            return Err(Stop);
        }
        let first_content = i;
        let mut text = String::new();
        let mut leading_break = false;
        while col == indent && i < len {
            if leading_break {
                text.push('\n');
            }
            for _ in 0..trailing {
                text.push('\n');
            }
            leading_break = false;
            trailing = 0;
            let end = self.line_end(i);
            text.push_str(&self.text[i..end]);
            i = end;
            if i == len {
                break;
            }
            leading_break = true;
            i += 1;
            line_start = i;
            self.line += 1;
            i = self.block_indent(i, &mut line_start, indent, &mut trailing);
            col = i - line_start;
        }
        if chomping != Chomping::Strip {
            if leading_break {
                text.push('\n');
            }
            if i == len && col >= indent.max(1) {
                text.push('\n');
            }
        }
        if chomping == Chomping::Keep {
            for _ in 0..trailing {
                text.push('\n');
            }
        }
        // yaml-rust2 marks the token at its first content line.
        let mark = if first_content < len {
            first_content
        } else {
            indicator
        };
        self.send(Event::Scalar(text, TScalarStyle::Literal, 0, None), mark)?;
        // Go on with the line the scalar stopped in, from its start.
        self.line_start = if i == len { len } else { line_start };
        Ok(())
    }

    /// yaml-rust2's `skip_block_scalar_indent`: up to `indent` spaces, and whole blank
    /// lines (counted in `trailing`). Returns where the next content starts.
    fn block_indent(
        &mut self,
        mut i: usize,
        line_start: &mut usize,
        indent: usize,
        trailing: &mut usize,
    ) -> usize {
        let b = self.bytes;
        loop {
            while i < b.len() && i - *line_start < indent && b[i] == b' ' {
                i += 1;
            }
            if i < b.len() && b[i] == b'\n' {
                *trailing += 1;
                i += 1;
                *line_start = i;
                self.line += 1;
                continue;
            }
            return i;
        }
    }

    /// Whether `is_entry`: a `-` followed by a space or the end of the line.
    fn is_entry(&self, at: usize) -> bool {
        self.bytes[at] == b'-' && matches!(self.bytes.get(at + 1), None | Some(b' ' | b'\n'))
    }

    /// Whether `from..end` holds only spaces and maybe a comment. A comment must follow a
    /// space unless `spaced` (something before already ended in one).
    fn only_comment(&self, from: usize, end: usize, spaced: bool) -> bool {
        let at = self.skip_spaces(from, end);
        at == end || (self.bytes[at] == b'#' && (spaced || at > from))
    }

    fn skip_spaces(&self, mut at: usize, end: usize) -> usize {
        while at < end && self.bytes[at] == b' ' {
            at += 1;
        }
        at
    }

    /// The offset of the `\n` ending the line that holds `at` (or the end of the text).
    fn line_end(&self, at: usize) -> usize {
        self.bytes[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.bytes.len(), |p| at + p)
    }

    fn next_line(&mut self, end: usize) {
        if end < self.bytes.len() {
            self.line += 1;
            self.line_start = end + 1;
        } else {
            self.line_start = end;
        }
    }

    fn open(&mut self, indent: usize, map: bool, at: usize) -> Step {
        if self.stack.is_empty() {
            self.root = Root::Open;
        }
        self.stack.push(Open { indent, map });
        let event = if map {
            Event::MappingStart(0, None)
        } else {
            Event::SequenceStart(0, None)
        };
        self.send(event, at)
    }

    fn close(&mut self, at: usize) -> Step {
        let open = self.stack.pop().ok_or(Stop)?;
        if self.stack.is_empty() {
            self.root = Root::Done;
        }
        let event = if open.map {
            Event::MappingEnd
        } else {
            Event::SequenceEnd
        };
        self.send(event, at)
    }

    fn empty_scalar(&mut self, at: usize) -> Step {
        self.send(
            Event::Scalar(String::new(), TScalarStyle::Plain, 0, None),
            at,
        )
    }

    /// Ends the document at `at`: a waiting key or dash gets an empty value, every open
    /// collection closes, and a document with no node gets an empty scalar.
    fn end_document(&mut self, at: usize) -> Step {
        if self.pending {
            self.pending = false;
            self.empty_scalar(at)?;
        }
        while !self.stack.is_empty() {
            self.close(at)?;
        }
        if self.root == Root::None {
            self.empty_scalar(at)?;
        }
        self.in_document = false;
        self.send(Event::DocumentEnd, at)
    }

    fn send(&mut self, event: Event, at: usize) -> Step {
        // `at` is on the current line, or (for events at a line's end) just past it.
        let line_start = self.line_start.min(at);
        // Columns count characters, as yaml-rust2's do.
        let prefix = &self.bytes[line_start..at];
        let col = if prefix.is_ascii() {
            prefix.len()
        } else {
            self.text[line_start..at].chars().count()
        };
        let mark = Mark {
            index: at,
            line: self.line,
            col,
        };
        if (self.emit)(event, mark) {
            Ok(())
        } else {
            Err(Stop)
        }
    }
}

/// Where a plain scalar's text starting at `at` (not a space) ends on its line, trailing
/// spaces left out, and where it stops: at a `: ` (or a final `:`), a ` #`, or `end`.
fn plain_end(b: &[u8], at: usize, end: usize) -> (usize, usize) {
    let mut stop = end;
    for i in at..end {
        let ends = match b[i] {
            b':' => i + 1 == end || b[i + 1] == b' ',
            b'#' => i > at && b[i - 1] == b' ',
            _ => false,
        };
        if ends {
            stop = i;
            break;
        }
    }
    let mut last = stop;
    while last > at && b[last - 1] == b' ' {
        last -= 1;
    }
    (last, stop)
}

/// The character of a double-quoted escape whose letter starts `rest` (after the `\`),
/// and how many bytes the escape takes after the `\`; `None` for what yaml-rust2 refuses
/// (or a `\` at the end of the line, which continues the scalar on the next one).
fn escape(rest: &[u8]) -> Option<(char, usize)> {
    let c = match rest.first()? {
        b'0' => '\0',
        b'a' => '\x07',
        b'b' => '\x08',
        b't' => '\t',
        b'n' => '\n',
        b'v' => '\x0b',
        b'f' => '\x0c',
        b'r' => '\r',
        b'e' => '\x1b',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{a0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        letter @ (b'x' | b'u' | b'U') => {
            let digits = match letter {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let hex = std::str::from_utf8(rest.get(1..=digits)?).ok()?;
            if !hex.bytes().all(|d| d.is_ascii_hexdigit()) {
                return None;
            }
            let code = u32::from_str_radix(hex, 16).ok()?;
            return Some((char::from_u32(code)?, 1 + digits));
        }
        _ => return None,
    };
    Some((c, 1))
}

mod flow;

#[cfg(test)]
mod tests;
