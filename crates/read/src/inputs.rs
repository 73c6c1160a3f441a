//! Input resolution: files, directories (recursive, sorted) and globs.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use xxhash_rust::xxh3::Xxh3;

use quarry_core::{Error, Location};
use quarry_storage::{Path as ObjectPath, Remote};
use std::collections::BTreeMap;

/// One file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// The local path; for an object, its key (the format and compression
    /// are taken from its name).
    pub path: PathBuf,
    /// The path or URL as shown in the output's `source` column and in messages.
    pub source: String,
    pub size: u64,
    pub modified: Option<SystemTime>,
    /// Set when the input is an object in an object store (boxed: a run over
    /// thousands of local files kept ~150 unused bytes for each).
    pub object: Option<Box<ObjectInput>>,
}

/// Where an object input lives, and its version as the store reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInput {
    pub remote: Remote,
    pub key: ObjectPath,
    /// The store's entity tag: changes whenever the content does.
    pub e_tag: Option<String>,
}

/// What reading object-store URLs needs: the pipeline's `[storage]`
/// options and the runtime that runs the requests.
pub struct RemoteAccess {
    pub options: BTreeMap<String, String>,
    pub handle: tokio::runtime::Handle,
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
            object: None,
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
    resolve_all(patterns, base, extensions, None)
}

/// [`resolve_inputs`] where patterns may also be object-store URLs
/// (`s3://bucket/prefix/`, `s3://bucket/data/*.jsonl.gz`): a prefix is
/// listed recursively for the extensions, a glob is matched against keys.
pub fn resolve_all(
    patterns: &[String],
    base: &Path,
    extensions: &[String],
    access: Option<&RemoteAccess>,
) -> Result<Vec<InputFile>, String> {
    let mut objects = Vec::new();
    let mut local = Vec::new();
    for pattern in patterns {
        if quarry_storage::is_url(pattern) {
            let access = access.ok_or_else(|| {
                format!("input `{pattern}`: object-store URLs are not readable here")
            })?;
            objects.extend(resolve_url(pattern, extensions, access)?);
        } else {
            local.push(pattern.clone());
        }
    }
    let mut files = resolve_local(&local, base, extensions)?;
    objects.sort_by(|a, b| a.source.cmp(&b.source));
    objects.dedup_by(|a, b| a.source == b.source);
    files.extend(objects);
    Ok(files)
}

fn resolve_url(
    pattern: &str,
    extensions: &[String],
    access: &RemoteAccess,
) -> Result<Vec<InputFile>, String> {
    let fail = |e: &dyn std::fmt::Display| format!("input `{pattern}`: {e}");
    let glob_at = pattern.find(['*', '?', '[']);
    // List from the folder before the first wildcard, or the whole prefix.
    let listed = match glob_at {
        Some(i) => &pattern[..pattern[..i].rfind('/').map_or(i, |s| s + 1)],
        None => pattern,
    };
    let remote = Remote::connect(
        listed.trim_end_matches('/'),
        &access.options,
        access.handle.clone(),
    )
    .map_err(|e| e.to_string())?;
    let to_input = |meta: quarry_storage::ObjectMeta| InputFile {
        path: PathBuf::from(meta.location.as_ref()),
        source: remote.url(&meta.location),
        size: meta.size,
        modified: Some(SystemTime::from(meta.last_modified)),
        object: Some(Box::new(ObjectInput {
            remote: remote.clone(),
            key: meta.location,
            e_tag: meta.e_tag,
        })),
    };
    let mut out = Vec::new();
    if glob_at.is_some() {
        let rest = &pattern[listed.len()..];
        let full = if remote.prefix.as_ref().is_empty() {
            rest.to_string()
        } else {
            format!("{}/{rest}", remote.prefix.as_ref())
        };
        let matcher = glob::Pattern::new(&full).map_err(|e| fail(&e))?;
        let options = glob::MatchOptions {
            require_literal_separator: true,
            ..Default::default()
        };
        for meta in remote.list(&remote.prefix).map_err(|e| fail(&e))? {
            let key = meta.location.as_ref().to_string();
            if matcher.matches_with(&key, options)
                && has_extension_or_named(&key, extensions, false)
            {
                out.push(to_input(meta));
            }
        }
    } else if !pattern.ends_with('/') {
        if let Some(meta) = remote.head(&remote.prefix).map_err(|e| fail(&e))? {
            return Ok(vec![to_input(meta)]);
        }
    }
    if glob_at.is_none() {
        for meta in remote.list(&remote.prefix).map_err(|e| fail(&e))? {
            let key = meta.location.as_ref().to_string();
            if has_extension_or_named(&key, extensions, true) {
                out.push(to_input(meta));
            }
        }
    }
    if out.is_empty() {
        return Err(format!(
            "input `{pattern}`: matches no object (prefixes are read for the extensions {extensions:?})"
        ));
    }
    Ok(out)
}

/// Object keys: hidden names (a segment starting with `.` or `_`, such as
/// quarry's own `_quarry/`) are skipped when walking a prefix.
fn has_extension_or_named(key: &str, extensions: &[String], walking: bool) -> bool {
    let hidden = key
        .split('/')
        .any(|part| part.starts_with('.') || (walking && part.starts_with('_')));
    let name = key.rsplit('/').next().unwrap_or(key);
    !hidden && has_extension(name, extensions)
}

fn resolve_local(
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

/// How an input is stored, by its name's last extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    None,
    Gzip,
    Zstd,
}

pub(crate) fn compression(input: &InputFile) -> Compression {
    let name = input.path.to_string_lossy().to_ascii_lowercase();
    if name.ends_with(".gz") {
        Compression::Gzip
    } else if name.ends_with(".zst") {
        Compression::Zstd
    } else {
        Compression::None
    }
}

/// Opens an input, decompressing `.gz` and `.zst` by extension. With
/// `digest`, a local file's bytes are hashed as they are read (see
/// [`ContentDigest`]).
pub(crate) fn open(
    input: &InputFile,
    digest: Option<&ContentDigest>,
) -> Result<Box<dyn Read + Send>, Error> {
    let cannot_open = |e: std::io::Error| {
        Error::bad_input(Location::file(&input.source), format!("cannot open: {e}"))
    };
    let file: Box<dyn Read + Send> = match (&input.object, digest) {
        (Some(object), _) => object.remote.reader(&object.key).map_err(cannot_open)?,
        (None, Some(digest)) => Box::new(HashingRead {
            inner: File::open(&input.path).map_err(cannot_open)?,
            digest: digest.clone(),
        }),
        (None, None) => Box::new(File::open(&input.path).map_err(cannot_open)?),
    };
    match compression(input) {
        Compression::Gzip => Ok(Box::new(flate2::read::MultiGzDecoder::new(file))),
        Compression::Zstd => {
            let decoder = zstd::stream::read::Decoder::new(file).map_err(|e| {
                Error::bad_input(
                    Location::file(&input.source),
                    format!("not a zstd stream: {e}"),
                )
            })?;
            Ok(Box::new(decoder))
        }
        Compression::None => Ok(Box::new(file)),
    }
}

/// The xxh3-128 of a local file's bytes, computed while the reader reads
/// them, so that a run does not read every new input twice (once to hash
/// it, once to parse it).
#[derive(Clone, Default)]
pub struct ContentDigest(Arc<Mutex<(Xxh3, u64)>>);

impl ContentDigest {
    /// The digest as [`hash_file`] gives it, when exactly `size` bytes went
    /// through: a reader that stopped early (an error, a document over the
    /// size limit) or a file that changed size while it was read gives `None`.
    pub fn finish(&self, size: u64) -> Option<String> {
        let state = self.0.lock().unwrap_or_else(|e| e.into_inner());
        (state.1 == size).then(|| hex(state.0.digest128()))
    }
}

/// The xxh3-128 of a whole local file, read in 1 MiB blocks, in hex: what a
/// run records to tell an input's content.
pub fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut hasher = Xxh3::new();
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(hex(hasher.digest128()));
        }
        hasher.update(&buf[..n]);
    }
}

fn hex(digest: u128) -> String {
    format!("{digest:032x}")
}

struct HashingRead {
    inner: File,
    digest: ContentDigest,
}

impl Read for HashingRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut state = self.digest.0.lock().unwrap_or_else(|e| e.into_inner());
        state.0.update(&buf[..n]);
        state.1 += n as u64;
        Ok(n)
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
