//! Single-line flow collections for the fast reader: `[a, b]`, `{a: 1, b: [x]}`, `[]`.
//!
//! Hand-written for speed, like the rest of the fast reader: RBAC rules (`verbs: [get,
//! patch]`) are in every render, and large values files are mostly `db: {host: h, port: 1}`
//! lines, which cost yaml-rust2 about 40 M instructions per 1,000. The subset is a flow
//! sequence or mapping that opens and closes on one line, whose entries are plain
//! scalars (under the flow rules: `,[]{}` end them), single-line quoted scalars or nested
//! collections of the same kind. Everything else is left to yaml-rust2, in particular
//! where its scanner has quirks: `?` and implicit `a: b` pairs inside sequences, keys
//! without `: ` (`{a}`, `{a:b}`), empty entries (`[,]`, `[a,,b]`), a `:` right after a
//! quoted scalar or a closing bracket (yaml-rust2 takes it as a value indicator there),
//! `-` before a flow indicator (an error in yaml-rust2), comments, anchors, tags and
//! aliases, and a collection that goes on to the next line.

use yaml_rust2::parser::Event;
use yaml_rust2::scanner::TScalarStyle;

use super::{Scanner, Step, Stop};

/// Nested collections deeper than this are left to yaml-rust2 (which the builder's own
/// depth limit would refuse anyway); it bounds this reader's recursion.
const MAX_DEPTH: usize = 64;

/// yaml-rust2 forgets a possible simple key 1024 characters on; bytes are never fewer.
const MAX_KEY: usize = 1000;

/// The flow indicators, which end a plain scalar inside a flow collection.
fn is_flow(b: u8) -> bool {
    matches!(b, b',' | b'[' | b']' | b'{' | b'}')
}

impl Scanner<'_, '_> {
    /// A flow collection at `at` that closes on its line, followed by nothing but spaces
    /// and maybe a comment: true when it was one (its events sent, the line consumed).
    pub(super) fn flow(&mut self, at: usize) -> Step<bool> {
        if !matches!(self.bytes[at], b'[' | b'{') {
            return Ok(false);
        }
        let end = self.line_end(at);
        let after = self.collection(at, end, 0)?;
        // `[a]: b` (a collection as a key) and `[a] b` end up here too.
        if !self.only_comment(after, end, false) {
            return Err(Stop);
        }
        self.next_line(end);
        Ok(true)
    }

    /// The collection whose `[` or `{` is at `at`: its events, and the offset after its
    /// closing bracket.
    fn collection(&mut self, at: usize, end: usize, depth: usize) -> Step<usize> {
        if depth > MAX_DEPTH {
            return Err(Stop);
        }
        let map = self.bytes[at] == b'{';
        let (start, stop, close) = if map {
            (Event::MappingStart(0, None), Event::MappingEnd, b'}')
        } else {
            (Event::SequenceStart(0, None), Event::SequenceEnd, b']')
        };
        self.send(start, at)?;
        let mut i = self.skip_spaces(at + 1, end);
        if i < end && self.bytes[i] == close {
            self.send(stop, i)?;
            return Ok(i + 1);
        }
        loop {
            i = if map {
                self.pair(i, end, depth)?
            } else {
                self.flow_node(i, end, depth)?
            };
            i = self.skip_spaces(i, end);
            match self.bytes.get(i) {
                Some(&b) if b == close && i < end => break,
                Some(b',') if i < end => {}
                // A `:` after an entry of a sequence (an implicit pair), two nodes in a
                // row, or the line's end inside the collection.
                _ => return Err(Stop),
            }
            i = self.skip_spaces(i + 1, end);
            // One trailing comma ends the collection as a closing bracket would; an
            // empty entry (`,,`) is an error to yaml-rust2, so `flow_node` refuses it.
            if i < end && self.bytes[i] == close {
                break;
            }
        }
        self.send(stop, i)?;
        Ok(i + 1)
    }

    /// A flow mapping's `key: value` at `at`: the key a scalar followed by `: `, the value
    /// a node or nothing (an empty scalar, as yaml-rust2 gives `{a: }`). Returns where the
    /// pair ends.
    fn pair(&mut self, at: usize, end: usize, depth: usize) -> Step<usize> {
        let (text, style, after) = self.flow_scalar(at, end)?;
        let b = self.bytes;
        // A plain key stops at its `:`. After a quoted key yaml-rust2 also takes an
        // adjacent `:` followed by anything as the value indicator (`{"a":b}`, left
        // to it); followed by a space, a `:` is the indicator wherever it is.
        let colon = if style == TScalarStyle::Plain {
            after
        } else {
            self.skip_spaces(after, end)
        };
        if colon + 1 >= end || b[colon] != b':' || b[colon + 1] != b' ' || colon - at > MAX_KEY {
            return Err(Stop);
        }
        self.send(Event::Scalar(text, style, 0, None), at)?;
        let value = self.skip_spaces(colon + 1, end);
        if value < end && matches!(b[value], b',' | b'}') {
            self.empty_scalar(value)?;
            return Ok(value);
        }
        self.flow_node(value, end, depth)
    }

    /// A sequence entry or a mapping value at `at`: a nested collection or a scalar.
    /// Returns where it ends.
    fn flow_node(&mut self, at: usize, end: usize, depth: usize) -> Step<usize> {
        if at < end && matches!(self.bytes[at], b'[' | b'{') {
            return self.collection(at, end, depth + 1);
        }
        let (text, style, after) = self.flow_scalar(at, end)?;
        self.send(Event::Scalar(text, style, 0, None), at)?;
        Ok(after)
    }

    /// A scalar inside a flow collection at `at`: its text, style and where it ends (for
    /// a plain scalar, before its trailing spaces' end: at the `,`, bracket or `:` that
    /// stops it).
    fn flow_scalar(&self, at: usize, end: usize) -> Step<(String, TScalarStyle, usize)> {
        let b = self.bytes;
        if at >= end {
            return Err(Stop);
        }
        if matches!(b[at], b'\'' | b'"') {
            let (text, after, style) = self.quoted(at)?;
            return Ok((text, style, after));
        }
        match b[at] {
            // `-x` is a plain scalar; `- ` and `-,` are yaml-rust2's errors.
            b'-' if at + 1 < end && b[at + 1] != b' ' && !is_flow(b[at + 1]) => {}
            // Indicators, and characters yaml-rust2 reads otherwise in a flow (`|`, `>`,
            // `?x`, `:x` are plain scalars there; they are rare enough to leave).
            b'-' | b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!'
            | b'|' | b'>' | b'%' | b'@' | b'`' => return Err(Stop),
            _ => {}
        }
        let stop = flow_plain_end(b, at, end)?;
        let mut last = stop;
        while b[last - 1] == b' ' {
            last -= 1;
        }
        Ok((self.text[at..last].to_string(), TScalarStyle::Plain, stop))
    }
}

/// Where a plain scalar starting at `at` inside a flow collection stops: at a flow
/// indicator, or a `:` followed by a space or a flow indicator. `Stop` when it would run
/// to the line's end (the collection goes on to the next line), meets a comment, or holds
/// a `-` before a flow indicator (an error to yaml-rust2 after a space; refused anywhere
/// for simplicity).
fn flow_plain_end(b: &[u8], at: usize, end: usize) -> Step<usize> {
    for i in at..end {
        match b[i] {
            c if is_flow(c) => return Ok(i),
            b':' if i + 1 < end && (b[i + 1] == b' ' || is_flow(b[i + 1])) => return Ok(i),
            b'#' if b[i - 1] == b' ' => return Err(Stop),
            b'-' if i + 1 < end && is_flow(b[i + 1]) => return Err(Stop),
            _ => {}
        }
    }
    Err(Stop)
}
