//! The one place that reads and checks user files: size limits, links, confinement.
//!
//! Rules (docs/input-safety.md):
//! - A file named on the command line (`-f`, `--set-file`) is read up to
//!   [`MAX_FILE_BYTES`]; a larger one (or an endless one such as `/dev/zero`) is an error
//!   naming the file and the limit, before memory runs out.
//! - A directory the program walks on its own (`diff DIR`, `render --check DIR`) is walked
//!   without following links: a committed link to `/proc/self/environ` or to a folder
//!   outside DIR would otherwise print the CI job's environment or foreign files into the
//!   CI log. Links and anything but regular files and folders are errors naming the path;
//!   their content is never read.
//! - `--output-dir` never writes through a link below DIR, and checks every target before
//!   writing anything.
//! - Under Argo CD, every path is confined to the application's source directory
//!   ([`confined`]).

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The largest file read: values files, `--set-file` files, committed renderings. The
/// whole chart renders to well under a megabyte; this leaves room and bounds memory.
pub const MAX_FILE_BYTES: u64 = 4 << 20;

/// Reads `path` (links followed: the user named it), at most [`MAX_FILE_BYTES`].
pub fn read_capped(path: &Path) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    read_to_limit(file, &path.display().to_string())
}

/// Reads `reader` to its end, failing once it passes [`MAX_FILE_BYTES`]; `name` names it.
pub fn read_to_limit(reader: impl Read, name: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {name}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        bail!(
            "{name}: larger than the limit of {} MiB for an input file",
            MAX_FILE_BYTES >> 20
        );
    }
    Ok(bytes)
}

/// Every regular file below `dir`, sorted, walking without following links. A link or a
/// special file (fifo, socket, device) below `dir` is an error naming it. A missing `dir`
/// gives no files.
pub fn list_tree(dir: &Path) -> Result<Vec<PathBuf>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
        for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            let kind = std::fs::symlink_metadata(&path)
                .with_context(|| format!("reading {}", path.display()))?
                .file_type();
            if kind.is_dir() {
                walk(&path, out)?;
            } else if kind.is_file() {
                out.push(path);
            } else {
                bail!("{}", not_a_plain_file(&path, kind));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
        Ok(meta) if meta.is_dir() => walk(dir, &mut out)?,
        Ok(meta) => bail!("{}", not_a_plain_file(dir, meta.file_type())),
    }
    out.sort();
    Ok(out)
}

/// Why a path that should be a plain file or folder is refused.
fn not_a_plain_file(path: &Path, kind: std::fs::FileType) -> String {
    use std::os::unix::fs::FileTypeExt;
    let what = if kind.is_symlink() {
        "a symbolic link (links are not followed: commit the file itself)"
    } else if kind.is_fifo() {
        "a named pipe, not a file"
    } else if kind.is_socket() {
        "a socket, not a file"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device, not a file"
    } else {
        "not a regular file"
    };
    format!("{}: {what}", path.display())
}

/// The file `rel` below `root` (a relative path of `/`-separated names), read without
/// following links at or below `root`: `None` when it (or a folder above it) does not
/// exist. A link or special file on the way is an error naming it, as is a file over
/// [`MAX_FILE_BYTES`].
pub fn read_in_tree(root: &Path, rel: &str) -> Result<Option<Vec<u8>>> {
    let Some(path) = walk_below(root, rel)? else {
        return Ok(None);
    };
    let meta = std::fs::symlink_metadata(&path)?;
    if !meta.is_file() {
        bail!("{}", not_a_plain_file(&path, meta.file_type()));
    }
    read_capped(&path).map(Some)
}

/// `root/rel` when every component of `rel` exists and all but the last are real folders
/// (no links); `None` when one is missing. The last one may be anything but a link.
fn walk_below(root: &Path, rel: &str) -> Result<Option<PathBuf>> {
    let mut here = root.to_path_buf();
    for name in rel.split('/').filter(|n| !n.is_empty()) {
        here.push(name);
        match std::fs::symlink_metadata(&here) {
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                return Ok(None);
            }
            Err(e) => return Err(e).with_context(|| format!("reading {}", here.display())),
            Ok(meta) if meta.file_type().is_symlink() => {
                bail!("{}", not_a_plain_file(&here, meta.file_type()))
            }
            Ok(_) => {}
        }
    }
    Ok(Some(here))
}

/// Refuses to write `rel` below `root` when a link sits on the way (a folder or the file
/// itself): writing through it would put files outside `root`. Run for every target
/// before anything is written.
pub fn check_writable_below(root: &Path, rel: &str) -> Result<()> {
    let mut here = root.to_path_buf();
    for name in rel.split('/').filter(|n| !n.is_empty()) {
        here.push(name);
        match std::fs::symlink_metadata(&here) {
            Ok(meta) if meta.file_type().is_symlink() => bail!(
                "{}: a symbolic link, so --output-dir would write outside {} (links are \
                 not followed; nothing was written)",
                here.display(),
                root.display()
            ),
            Ok(_) => {}
            // Nothing there yet: nothing below can be a link either.
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

/// Whether `path` stays inside a directory by its words alone: relative, not empty, no
/// `..`. The pure half of [`confined`].
pub fn lexically_confined(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("an empty path".into());
    }
    if path == "-" {
        return Err("standard input".into());
    }
    for component in Path::new(path).components() {
        match component {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir => return Err("a path with `..`".into()),
            Component::RootDir | Component::Prefix(_) => return Err("an absolute path".into()),
        }
    }
    Ok(())
}

/// `path` (relative to `source`) when it stays inside `source`: by its words
/// ([`lexically_confined`]) and, when it exists, after resolving links. Argo CD's own
/// Helm support applies the same rule to value files, so one Application cannot read
/// another's files or the plugin's environment.
pub fn confined(source: &Path, path: &str) -> Result<PathBuf> {
    lexically_confined(path).map_err(|why| {
        anyhow::anyhow!(
            "{path:?}: {why}; under Argo CD, files must be inside the application's source \
             directory"
        )
    })?;
    let joined = source.join(path);
    let root = source
        .canonicalize()
        .with_context(|| format!("reading {}", source.display()))?;
    if let Ok(real) = joined.canonicalize()
        && !real.starts_with(&root)
    {
        bail!(
            "{path:?}: a link that leads outside the application's source directory; under \
             Argo CD, files must be inside it"
        );
    }
    Ok(joined)
}

#[cfg(test)]
mod tests {
    // The examples of the items' documentation, from when the module was public.

    #[test]
    fn lexically_confined_example() {
        use crate::files::lexically_confined;
        assert!(lexically_confined("values/prod.yaml").is_ok());
        assert!(lexically_confined("/etc/passwd").is_err());
        assert!(lexically_confined("a/../../b.yaml").is_err());
        assert!(lexically_confined("").is_err());
    }
}
