//! Go's standard library, where its text is the product: one file per package ported, and
//! only the parts Helm's output depends on. Hand-written rather than taken from a crate
//! where the exact Go behaviour (digits, escapes, what is refused) is what must match.
//!
//! - [`strconv`]: number parsing and float formatting.
//! - [`json`]: `encoding/json`'s strings and floats.
//! - [`quote`]: `fmt`'s `%q`.
//! - [`base64`]: `encoding/base64`'s `StdEncoding`.
//! - [`filepath`]: shell patterns as `filepath.Match` matches them.

pub mod base64;
pub mod filepath;
pub mod json;
pub mod quote;
pub mod strconv;
