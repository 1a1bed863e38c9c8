//! Text exactly as Helm's Go libraries read and write it.
//!
//! qspgb's output must equal `helm template`'s byte for byte, so what Go and Helm do with
//! text (go-yaml v2's scalar resolution and emitter, sigs.k8s.io/yaml's round trip through
//! JSON) is ported here once, for the binary and for its build script alike.
//!
//! - [`go`]: Go's standard library where its text is the product (strconv, encoding/json,
//!   `%q`, base64, filepath.Match).
//! - [`value`]: the values tree.
//! - [`yaml`]: the only module that knows YAML.

pub mod go;
pub mod value;
pub mod yaml;
