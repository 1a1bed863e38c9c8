//! Helm's `--output-dir` layout: DIR/<template path>, the documents of one template in one
//! file. Grouping the documents into those files, writing them all or nothing, and
//! comparing committed ones with a fresh render (`diff`, `render --check`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::release::Rendered;

/// Each template's output file: Helm's `--output-dir` layout, `(path, text)` in order.
pub fn output_files(rendered: &Rendered) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::new();
    for doc in &rendered.documents {
        match files.iter_mut().find(|(path, _)| *path == doc.source) {
            Some((_, text)) => text.push_str(&doc.to_output()),
            None => files.push((doc.source.clone(), doc.to_output())),
        }
    }
    files
}

/// Writes the rendered files below `dir`, all or nothing (see [`write_files`]); returns the
/// report for stdout, a `wrote PATH` line per file.
pub fn write(dir: &Path, rendered: &Rendered) -> Result<String> {
    let files = output_files(rendered);
    // Every target is checked before anything is written: all or nothing.
    for (path, _) in &files {
        crate::files::check_writable_below(dir, path)?;
    }
    let written = write_files(dir, &files)?;
    Ok(written
        .iter()
        .map(|target| format!("wrote {}\n", target.display()))
        .collect())
}

/// Compares `dir` (committed `--output-dir` files) with a fresh render: a unified diff of
/// every difference, including stale committed files the render no longer writes; empty
/// when they are equal.
pub fn compare(dir: &Path, rendered: &Rendered) -> Result<String> {
    if !dir.is_dir() {
        bail!("{}: not a directory of committed renderings", dir.display());
    }
    let fresh = output_files(rendered);
    let as_text = |path: &Path, bytes: Vec<u8>| {
        String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{}: not UTF-8 text", path.display()))
    };
    let mut report = String::new();
    for (path, text) in &fresh {
        let committed_path = dir.join(path);
        // No links followed, size capped: see crate::files.
        let committed = match crate::files::read_in_tree(dir, path)? {
            Some(bytes) => as_text(&committed_path, bytes)?,
            None => String::new(),
        };
        report.push_str(&crate::diff::unified(
            &committed,
            text,
            &committed_path.display().to_string(),
            &format!("rendered {path}"),
        ));
    }
    let roots: BTreeSet<&str> = fresh
        .iter()
        .filter_map(|(p, _)| p.split('/').next())
        .collect();
    for root in roots {
        for path in crate::files::list_tree(&dir.join(root))? {
            let rel = path
                .strip_prefix(dir)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            if fresh.iter().all(|(p, _)| *p != rel) {
                let text = as_text(&path, crate::files::read_capped(&path)?)?;
                report.push_str(&crate::diff::unified(
                    &text,
                    "",
                    &path.display().to_string(),
                    &format!("rendered {rel} (no longer rendered)"),
                ));
            }
        }
    }
    Ok(report)
}

/// Writes `files` (a path relative to `dir`, its text) below `dir` for `--output-dir`, all
/// or nothing: a failed render writes nothing, and neither may a failed write. Everything
/// that would stop a write half-way (a file where a folder is needed, a folder where a file
/// goes) is checked before anything is written; then every file is written to a temporary
/// name beside its target, and only when all are written are they renamed, so a reader
/// never sees a half-written file. If writing fails anyway (a full disk), the temporaries
/// and the folders made for them are removed. Returns the files written, in order.
pub fn write_files(dir: &Path, files: &[(String, String)]) -> Result<Vec<PathBuf>> {
    let mut new_dirs: Vec<PathBuf> = Vec::new();
    for (path, _) in files {
        let target = dir.join(path);
        if target.is_dir() {
            bail!(
                "{}: is a directory, so the rendered file cannot be written there (nothing was written)",
                target.display()
            );
        }
        // The nearest existing folder above the target must be a folder; the highest
        // missing one is made, and removed again on failure.
        let mut missing = None;
        for ancestor in target.ancestors().skip(1) {
            let ancestor = if ancestor.as_os_str().is_empty() {
                Path::new(".")
            } else {
                ancestor
            };
            match std::fs::metadata(ancestor) {
                Ok(meta) if meta.is_dir() => break,
                Ok(_) => bail!(
                    "{}: not a directory, so --output-dir cannot write below it (nothing was written)",
                    ancestor.display()
                ),
                // Below a file the system says "not a directory"; the loop reaches that file.
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                    ) =>
                {
                    missing = Some(ancestor.to_path_buf());
                }
                Err(e) => return Err(e).with_context(|| format!("reading {}", ancestor.display())),
            }
        }
        if let Some(missing) = missing
            && !new_dirs.iter().any(|d| missing.starts_with(d))
        {
            new_dirs.push(missing);
        }
    }
    let mut pending: Vec<(PathBuf, PathBuf)> = Vec::new();
    let remove_temporaries = |pending: &[(PathBuf, PathBuf)]| {
        for (tmp, _) in pending {
            let _ = std::fs::remove_file(tmp);
        }
    };
    for (path, text) in files {
        let target = dir.join(path);
        let file_name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = target.with_file_name(format!(".{file_name}.qspgb-tmp"));
        let written = match target.parent() {
            Some(parent) => std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display())),
            None => Ok(()),
        }
        .and_then(|()| {
            std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))
        });
        if let Err(e) = written {
            remove_temporaries(&pending);
            let _ = std::fs::remove_file(&tmp);
            // They were made by this run and hold nothing else.
            for created in &new_dirs {
                let _ = std::fs::remove_dir_all(created);
            }
            return Err(e.context("nothing was written"));
        }
        pending.push((tmp, target));
    }
    for (i, (tmp, target)) in pending.iter().enumerate() {
        if let Err(e) = std::fs::rename(tmp, target) {
            // Only a race with another writer gets here; say what is already in place.
            remove_temporaries(&pending[i..]);
            return Err(e).with_context(|| {
                format!(
                    "renaming {} to {} ({i} of {} files were already in place)",
                    tmp.display(),
                    target.display(),
                    pending.len()
                )
            });
        }
    }
    Ok(pending.into_iter().map(|(_, target)| target).collect())
}

#[cfg(test)]
mod tests;
