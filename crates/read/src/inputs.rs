//! Input resolution: files, directories (recursive, sorted) and globs.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use quarry_core::{Error, Location};

/// One file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    pub path: PathBuf,
    /// The path as shown in the output's `source` column and in messages.
    pub source: String,
    pub size: u64,
    pub modified: Option<SystemTime>,
}

impl InputFile {
    pub fn from_path(path: PathBuf) -> Result<Self, Error> {
        let meta =
            std::fs::metadata(&path).map_err(|e| Error::io(path.display().to_string(), e))?;
        Ok(InputFile {
            source: path.display().to_string(),
            size: meta.len(),
            modified: meta.modified().ok(),
            path,
        })
    }
}

/// Expands `patterns` into a sorted, de-duplicated list of files. Relative
/// patterns are taken against `base` (the pipeline file's folder or the
/// working directory). A pattern that matches nothing is an error: a cron
/// job over a mistyped path must not succeed silently.
pub fn resolve_inputs(
    patterns: &[String],
    base: &Path,
    extensions: &[String],
) -> Result<Vec<InputFile>, String> {
    let mut files = Vec::new();
    for pattern in patterns {
        let joined = normalize(&if Path::new(pattern).is_absolute() {
            PathBuf::from(pattern)
        } else {
            base.join(pattern)
        });
        let before = files.len();
        if is_glob(pattern) {
            let text = joined.to_string_lossy().to_string();
            let paths = glob::glob(&text)
                .map_err(|e| format!("input `{pattern}`: bad glob pattern: {e}"))?;
            for entry in paths {
                let path = entry.map_err(|e| format!("input `{pattern}`: {e}"))?;
                if path.is_dir() {
                    walk(&path, extensions, &mut files)?;
                } else {
                    files.push(path);
                }
            }
        } else if joined.is_dir() {
            walk(&joined, extensions, &mut files)?;
        } else if joined.exists() {
            files.push(joined.clone());
        } else {
            return Err(format!(
                "input `{pattern}`: no such file or directory ({})",
                joined.display()
            ));
        }
        if files.len() == before {
            return Err(format!(
                "input `{pattern}`: matches no file (directories are read for the extensions {extensions:?})"
            ));
        }
    }
    files.sort();
    files.dedup();
    files
        .into_iter()
        .map(|p| InputFile::from_path(p).map_err(|e| e.to_string()))
        .collect()
}

/// Drops `.` and folds `dir/..` without touching the file system, so that
/// `pipelines/../data/a.txt` is shown as `data/a.txt`.
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                let last_is_normal =
                    matches!(out.components().next_back(), Some(Component::Normal(_)));
                if last_is_normal {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

fn walk(dir: &Path, extensions: &[String], out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut children: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    children.sort();
    for path in children {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(&path, extensions, out)?;
        } else if has_extension(&name, extensions) {
            out.push(path);
        }
    }
    Ok(())
}

fn has_extension(name: &str, extensions: &[String]) -> bool {
    let lower = name.to_ascii_lowercase();
    let plain = lower.trim_end_matches(".gz").trim_end_matches(".zst");
    extensions.iter().any(|ext| {
        plain.ends_with(&format!(
            ".{}",
            ext.trim_start_matches('.').to_ascii_lowercase()
        ))
    })
}

/// Opens an input, decompressing `.gz` and `.zst` by extension.
pub(crate) fn open(input: &InputFile) -> Result<Box<dyn Read + Send>, Error> {
    let file = File::open(&input.path).map_err(|e| {
        Error::bad_input(Location::file(&input.source), format!("cannot open: {e}"))
    })?;
    let name = input.path.to_string_lossy().to_ascii_lowercase();
    if name.ends_with(".gz") {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(file)))
    } else if name.ends_with(".zst") {
        let decoder = zstd::stream::read::Decoder::new(file).map_err(|e| {
            Error::bad_input(
                Location::file(&input.source),
                format!("not a zstd stream: {e}"),
            )
        })?;
        Ok(Box::new(decoder))
    } else {
        Ok(Box::new(file))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_are_walked_sorted_and_filtered() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        for name in [
            "b.txt",
            "a.jsonl",
            "sub/c.txt.gz",
            "skip.csv",
            ".hidden.txt",
        ] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        let exts: Vec<String> = ["txt", "jsonl"].iter().map(|s| s.to_string()).collect();
        let files = resolve_inputs(&[".".into()], dir.path(), &exts).unwrap();
        let names: Vec<_> = files
            .iter()
            .map(|f| {
                f.path
                    .strip_prefix(dir.path())
                    .unwrap()
                    .to_string_lossy()
                    .replace("./", "")
            })
            .collect();
        assert_eq!(names, ["a.jsonl", "b.txt", "sub/c.txt.gz"]);
    }

    #[test]
    fn paths_are_normalized_lexically() {
        assert_eq!(
            normalize(Path::new("pipelines/../data/./a.txt")),
            PathBuf::from("data/a.txt")
        );
        assert_eq!(normalize(Path::new("./../x")), PathBuf::from("../x"));
        assert_eq!(normalize(Path::new("/a/b/../c")), PathBuf::from("/a/c"));
        assert_eq!(normalize(Path::new("a/..")), PathBuf::from("."));
    }

    #[test]
    fn globs_expand_and_missing_paths_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("r1.txt"), "x").unwrap();
        std::fs::write(dir.path().join("r2.txt"), "x").unwrap();
        let exts = vec!["txt".to_string()];
        let files = resolve_inputs(&["r*.txt".into()], dir.path(), &exts).unwrap();
        assert_eq!(files.len(), 2);
        let err = resolve_inputs(&["nope.txt".into()], dir.path(), &exts).unwrap_err();
        assert!(err.contains("nope.txt"), "{err}");
        let err = resolve_inputs(&["q*.txt".into()], dir.path(), &exts).unwrap_err();
        assert!(err.contains("matches no file"), "{err}");
    }
}
