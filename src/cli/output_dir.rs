//! Helm's `--output-dir` layout: DIR/<template path>, the documents of one template in one
//! file. Grouping the documents into those files, writing them all or nothing, and
//! comparing committed ones with a fresh render (`diff`, `render --check`).

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

/// The files below an output directory a render owns: Helm's `--output-dir` layout of one
/// chart, `<chart>/templates/**.yaml` and `<chart>/charts/<dependency>/templates/**.yaml`.
/// `--prune` may remove only these; anything else in the directory (a README, another
/// chart's renderings) belongs to someone else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owned {
    /// The chart's name, the first folder of every path.
    pub chart: String,
    /// The names of its dependencies (aliases) below `<chart>/charts/`.
    pub dependencies: Vec<String>,
}

impl Owned {
    /// Whether `rel` (`/`-separated, relative to the output directory) is a file of this
    /// layout. Pure: decides on the words of the path alone.
    pub fn owns(&self, rel: &str) -> bool {
        let Some(rest) = rel.strip_prefix(&format!("{}/", self.chart)) else {
            return false;
        };
        let below_templates = rest.strip_prefix("templates/").or_else(|| {
            let (dependency, rest) = rest.strip_prefix("charts/")?.split_once('/')?;
            self.dependencies
                .iter()
                .any(|d| d == dependency)
                .then(|| rest.strip_prefix("templates/"))
                .flatten()
        });
        below_templates.is_some_and(|file| {
            file.ends_with(".yaml") && file.split('/').all(|name| !name.is_empty() && name != "..")
        })
    }
}

/// The files `owned` claims below `dir` that `files` (a fresh render's) no longer holds,
/// sorted. Listing follows no link: a link or special file in the chart's folder is an
/// error naming it, so nothing is removed through one.
pub fn stale_files(dir: &Path, owned: &Owned, files: &[(String, String)]) -> Result<Vec<String>> {
    let mut stale = Vec::new();
    for path in crate::files::list_tree(&dir.join(&owned.chart))? {
        let rel = relative(dir, &path);
        if owned.owns(&rel) && files.iter().all(|(p, _)| *p != rel) {
            stale.push(rel);
        }
    }
    Ok(stale)
}

/// Refuses a committed tree where something other than a folder stands where the
/// rendered file `rel` needs one (a file named `charts`): the committed tree is broken,
/// and comparing would report every file below it as new instead of naming it.
fn folders_on_the_way(dir: &Path, rel: &str) -> Result<()> {
    let mut here = dir.to_path_buf();
    let names: Vec<&str> = rel.split('/').filter(|n| !n.is_empty()).collect();
    for name in names.iter().take(names.len().saturating_sub(1)) {
        here.push(name);
        match std::fs::symlink_metadata(&here) {
            Ok(meta) if meta.is_dir() => {}
            // A link is named by the read below, as always.
            Ok(meta) if meta.file_type().is_symlink() => return Ok(()),
            Ok(_) => bail!(
                "{}: not a folder, but the rendered file {rel} belongs below it",
                here.display()
            ),
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

/// `path` below `dir` as a `/`-separated relative path.
fn relative(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default()
}

/// Writes the rendered files below `dir`, all or nothing (see [`write_files`]); with
/// `prune`, then removes the files `prune` owns that the render no longer writes, and the
/// folders of the chart's layout that leaves empty. Returns the report for stdout: a
/// `wrote PATH` line per file, then a `removed PATH` line per file removed.
pub fn write(dir: &Path, rendered: &Rendered, prune: Option<&Owned>) -> Result<String> {
    let files = output_files(rendered);
    // Every target is checked before anything is written: all or nothing.
    for (path, _) in &files {
        crate::files::check_writable_below(dir, path)?;
    }
    // Listed before the writes too: a link in the chart's folder fails the run untouched.
    let stale = match prune {
        Some(owned) => stale_files(dir, owned, &files)?,
        None => Vec::new(),
    };
    let written = write_files(dir, &files)?;
    let mut report: String = written
        .iter()
        .map(|target| format!("wrote {}\n", target.display()))
        .collect();
    if let Some(owned) = prune {
        report.push_str(&remove_stale(dir, owned, &stale)?);
    }
    Ok(report)
}

/// Removes the `stale` files below `dir` (listed by [`stale_files`]) and then each of
/// their folders, up to the chart's own, that is left empty. Only after every write
/// succeeded, so a failed render or write removes nothing.
fn remove_stale(dir: &Path, owned: &Owned, stale: &[String]) -> Result<String> {
    let mut report = String::new();
    let chart_dir = dir.join(&owned.chart);
    for (i, rel) in stale.iter().enumerate() {
        let path = dir.join(rel);
        std::fs::remove_file(&path).with_context(|| {
            format!(
                "removing {} ({i} of {} stale files were already removed; every file was written)",
                path.display(),
                stale.len()
            )
        })?;
        report.push_str(&format!("removed {}\n", path.display()));
        // remove_dir refuses a folder that still holds anything: only emptied ones go.
        for folder in path.ancestors().skip(1) {
            if !folder.starts_with(&chart_dir) || std::fs::remove_dir(folder).is_err() {
                break;
            }
        }
    }
    Ok(report)
}

/// Compares `dir` (committed `--output-dir` files) with a fresh render: a unified diff of
/// every difference, including stale committed files the render no longer writes (those
/// `owned` claims, the ones `--prune` would remove); empty when they are equal.
pub fn compare(dir: &Path, rendered: &Rendered, owned: &Owned) -> Result<String> {
    if !dir.is_dir() {
        bail!("{}: not a directory of committed renderings", dir.display());
    }
    let fresh = output_files(rendered);
    let as_text = |path: &Path, bytes: Vec<u8>| {
        String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{}: not UTF-8 text", path.display()))
    };
    let mut report = String::new();
    for (path, text) in &fresh {
        folders_on_the_way(dir, path)?;
        let committed_path = dir.join(path);
        // No links followed, size capped: see crate::files.
        let committed = match crate::files::read_in_tree(dir, path)? {
            Some(bytes) => as_text(&committed_path, bytes)?,
            None => String::new(),
        };
        report.push_str(&crate::diff::unified(
            &committed,
            text,
            &crate::diff::committed_label(&committed_path.display().to_string()),
            &crate::diff::fresh_label(path),
        ));
    }
    for rel in stale_files(dir, owned, &fresh)? {
        let path = dir.join(&rel);
        let text = as_text(&path, crate::files::read_capped(&path)?)?;
        report.push_str(&crate::diff::unified(
            &text,
            "",
            &crate::diff::committed_label(&path.display().to_string()),
            &format!("{} (no longer rendered)", crate::diff::fresh_label(&rel)),
        ));
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
