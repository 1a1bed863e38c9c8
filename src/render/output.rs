//! What is left of rendering's output stage here: the all-or-nothing `--output-dir` writer
//! and Go's `filepath.Match` for `--show-only`. Documents, their order and their selection
//! are [`crate::manifest`]'s.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

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
mod tests {
    use super::*;

    /// A scratch folder below the system's temporary folder, removed when dropped.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("qspgb-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }

        /// Every file below the folder with its text, to compare before and after.
        fn contents(&self) -> Vec<(PathBuf, String)> {
            fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
                for entry in std::fs::read_dir(dir).unwrap() {
                    let path = entry.unwrap().path();
                    if path.is_dir() {
                        out.push((path.clone(), "<dir>".into()));
                        walk(&path, out);
                    } else {
                        out.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
                    }
                }
            }
            let mut out = Vec::new();
            walk(&self.0, &mut out);
            out.sort();
            out
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn rendered_files() -> Vec<(String, String)> {
        vec![
            ("rel/charts/a/templates/one.yaml".into(), "one\n".into()),
            ("rel/charts/b/templates/two.yaml".into(), "two\n".into()),
        ]
    }

    #[test]
    fn write_files_writes_every_file() {
        let scratch = Scratch::new("write-files-ok");
        let out = scratch.0.join("out");
        let written = write_files(&out, &rendered_files()).unwrap();
        assert_eq!(written.len(), 2);
        assert_eq!(
            std::fs::read_to_string(out.join("rel/charts/b/templates/two.yaml")).unwrap(),
            "two\n"
        );
        // Overwriting is fine, and leaves no temporary files behind.
        write_files(&out, &rendered_files()).unwrap();
        assert!(
            scratch
                .contents()
                .iter()
                .all(|(p, _)| !p.to_string_lossy().contains("qspgb-tmp"))
        );
    }

    /// Before, the first template's file was written and the second failed: a half-written
    /// output folder, plus a stray `.qspgb-tmp` file.
    #[test]
    fn write_files_writes_nothing_when_one_target_cannot_be_written() {
        let scratch = Scratch::new("write-files-blocked");
        // A folder where the second file must go.
        std::fs::create_dir_all(scratch.0.join("rel/charts/b/templates/two.yaml/x")).unwrap();
        let before = scratch.contents();
        let err = write_files(&scratch.0, &rendered_files()).unwrap_err();
        assert!(format!("{err:#}").contains("is a directory"), "{err:#}");
        assert_eq!(scratch.contents(), before);

        // A file where a folder must go.
        let scratch = Scratch::new("write-files-file-as-dir");
        std::fs::create_dir_all(scratch.0.join("rel/charts")).unwrap();
        std::fs::write(scratch.0.join("rel/charts/b"), "a file").unwrap();
        let before = scratch.contents();
        let err = write_files(&scratch.0, &rendered_files()).unwrap_err();
        assert!(
            format!("{err:#}").contains("rel/charts/b: not a directory"),
            "{err:#}"
        );
        assert_eq!(scratch.contents(), before);

        // --output-dir naming a file.
        let file = scratch.0.join("rel/charts/b");
        let err = write_files(&file, &rendered_files()).unwrap_err();
        assert!(format!("{err:#}").contains("not a directory"), "{err:#}");
        assert_eq!(scratch.contents(), before);
    }
}
