//! The `qspgb` binary; everything lives in the library so tests use the same code.

fn main() -> std::process::ExitCode {
    qspgb::run()
}
