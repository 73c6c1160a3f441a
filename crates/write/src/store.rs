//! The output root: a lock against overlapping runs, the record of what has
//! been processed, and run-atomic commits.
//!
//! Layout:
//! ```text
//! OUT/documents -> _quarry/current/documents      (likewise sentences, metrics, runs)
//! OUT/_quarry/lock                               held while a run is going on
//! OUT/_quarry/current -> snapshots/000007        the committed snapshot
//! OUT/_quarry/snapshots/000007/<dataset>/run_date=YYYY-MM-DD/part-<run>.parquet
//! OUT/_quarry/snapshots/000007/state.json        what has been processed
//! ```
//! A run builds the next snapshot (hard links to the files it keeps, new
//! files it writes) and commits by renaming the `current` link: readers see
//! all of a run or none of it, and `kill -9` at any moment leaves the last
//! committed snapshot in place. An unfinished snapshot is removed by the
//! next run, which then redoes its work.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use quarry_core::{Error, Result};
use serde::{Deserialize, Serialize};

use crate::{RunRecord, DATASETS};

const META: &str = "_quarry";

/// What the output root records about one input file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InputRecord {
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: i128,
    /// xxh3-128 of the file's bytes.
    pub content_hash: String,
    /// The run whose files hold this input's rows.
    pub run_id: String,
    pub documents: u64,
    /// doc_ids written for this input (to replace them when it changes).
    pub doc_ids: crate::StrList,
    /// content hashes of those documents (duplicate detection across runs).
    pub doc_hashes: crate::HashList,
}

/// The manifest of a snapshot: config, processed inputs, files, runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    pub pipeline: String,
    pub config_hash: String,
    /// By source (the path as given).
    pub inputs: crate::Inputs,
    /// Committed runs, oldest first (the rows of the runs dataset).
    pub runs: Vec<RunRecord>,
}

/// An output root opened for a run: locked until dropped.
pub struct Store {
    root: PathBuf,
    _lock: File,
    current: Option<u64>,
    pub state: State,
}

/// Another process holds the lock; the message names it.
#[derive(Debug)]
pub struct Locked(pub String);

impl Store {
    /// Creates the root if needed, takes the lock, and cleans up after a run
    /// that died before committing.
    pub fn open(root: &Path) -> Result<std::result::Result<Store, Locked>> {
        let meta = root.join(META);
        fs::create_dir_all(meta.join("snapshots"))
            .map_err(|e| Error::io(meta.display().to_string(), e))?;
        for dataset in DATASETS {
            let path = root.join(dataset);
            match fs::symlink_metadata(&path) {
                Ok(m) if m.file_type().is_symlink() => {}
                Ok(_) => {
                    return Err(Error::Pipeline(format!(
                    "{}: exists and is not a link made by quarry; choose an empty output folder",
                    path.display()
                )))
                }
                Err(_) => {
                    let target = Path::new(META).join("current").join(dataset);
                    std::os::unix::fs::symlink(&target, &path)
                        .map_err(|e| Error::io(path.display().to_string(), e))?;
                }
            }
        }
        let lock_path = meta.join("lock");
        let mut lock = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(|e| Error::io(lock_path.display().to_string(), e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let holder = fs::read_to_string(&lock_path).unwrap_or_default();
                let holder = holder.trim();
                return Ok(Err(Locked(format!(
                    "{} is locked by another quarry run ({}); it exits when that run ends",
                    root.display(),
                    if holder.is_empty() {
                        "holder unknown"
                    } else {
                        holder
                    }
                ))));
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(Error::io(lock_path.display().to_string(), e))
            }
        }
        // The kernel drops a dead process's lock, so reaching here means any
        // earlier holder is gone: its unfinished snapshot is garbage.
        lock.set_len(0).ok();
        let _ = writeln!(
            lock,
            "pid {} since {}",
            std::process::id(),
            crate::time::now_rfc3339()
        );
        let current = read_current(root)?;
        remove_stale_snapshots(root, current)?;
        let state = match current {
            Some(n) => load_state(&snapshot_dir(root, n))?,
            None => State::default(),
        };
        Ok(Ok(Store {
            root: root.to_path_buf(),
            _lock: lock,
            current,
            state,
        }))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Starts the next snapshot: links every committed file except those in
    /// `drop_files` (paths relative to the snapshot). Returns its folder.
    pub fn begin(&self, drop_files: &HashSet<PathBuf>) -> Result<PathBuf> {
        let next = self.current.map_or(1, |n| n + 1);
        let dir = snapshot_dir(&self.root, next);
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
        }
        fs::create_dir_all(&dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
        for dataset in DATASETS {
            fs::create_dir_all(dir.join(dataset))
                .map_err(|e| Error::io(dir.display().to_string(), e))?;
        }
        if let Some(n) = self.current {
            let from = snapshot_dir(&self.root, n);
            for rel in self.committed_files()? {
                if drop_files.contains(&rel) {
                    continue;
                }
                let target = dir.join(&rel);
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent)
                        .map_err(|e| Error::io(parent.display().to_string(), e))?;
                }
                fs::hard_link(from.join(&rel), &target)
                    .map_err(|e| Error::io(target.display().to_string(), e))?;
            }
        }
        Ok(dir)
    }

    /// Parquet files of the committed snapshot, relative to it.
    pub fn committed_files(&self) -> Result<Vec<PathBuf>> {
        let Some(n) = self.current else {
            return Ok(vec![]);
        };
        let base = snapshot_dir(&self.root, n);
        let mut out = Vec::new();
        for dataset in DATASETS {
            collect_parquet(&base, &base.join(dataset), &mut out)?;
        }
        out.sort();
        Ok(out)
    }

    /// The committed snapshot's folder, if any run has committed.
    pub fn current_dir(&self) -> Option<PathBuf> {
        self.current.map(|n| snapshot_dir(&self.root, n))
    }

    /// Makes the snapshot at `dir` (from [`Store::begin`]) the committed one,
    /// with `state` as its manifest. Atomic: a single rename.
    pub fn commit(&mut self, dir: &Path, state: State) -> Result<()> {
        let next = self.current.map_or(1, |n| n + 1);
        debug_assert_eq!(dir, snapshot_dir(&self.root, next));
        let state_path = dir.join("state.json");
        let temp = dir.join(".state.json.tmp");
        write_json_synced(&temp, &state)?;
        fs::rename(&temp, &state_path)
            .map_err(|e| Error::io(state_path.display().to_string(), e))?;
        sync_tree(dir)?;
        let meta = self.root.join(META);
        let link_temp = meta.join(".current.tmp");
        let _ = fs::remove_file(&link_temp);
        std::os::unix::fs::symlink(Path::new("snapshots").join(snapshot_name(next)), &link_temp)
            .map_err(|e| Error::io(link_temp.display().to_string(), e))?;
        fs::rename(&link_temp, meta.join("current"))
            .map_err(|e| Error::io(meta.display().to_string(), e))?;
        if let Ok(d) = File::open(&meta) {
            let _ = d.sync_all();
        }
        let previous = self.current.replace(next);
        self.state = state;
        // Keep the previous snapshot for readers that listed it a moment ago.
        if let Some(p) = previous {
            remove_older_than(&self.root, p)?;
        }
        Ok(())
    }

    /// Removes a snapshot that will not be committed.
    pub fn discard(&self, dir: &Path) {
        let _ = fs::remove_dir_all(dir);
    }
}

/// Reads the committed state of an output root without locking it.
pub fn read_state(root: &Path) -> Result<Option<State>> {
    match read_current(root)? {
        Some(n) => load_state(&snapshot_dir(root, n)).map(Some),
        None => Ok(None),
    }
}

fn snapshot_name(n: u64) -> String {
    format!("{n:06}")
}

fn snapshot_dir(root: &Path, n: u64) -> PathBuf {
    root.join(META).join("snapshots").join(snapshot_name(n))
}

fn read_current(root: &Path) -> Result<Option<u64>> {
    let link = root.join(META).join("current");
    match fs::read_link(&link) {
        Ok(target) => {
            let name = target
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            name.parse().map(Some).map_err(|_| {
                Error::Pipeline(format!(
                    "{}: points to `{}`, not a quarry snapshot",
                    link.display(),
                    target.display()
                ))
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(link.display().to_string(), e)),
    }
}

/// Parsed as it is read: the file lists every document of every input, and
/// reading it whole first held it twice (100,000 small files: a 35 MB file).
fn load_state(dir: &Path) -> Result<State> {
    let path = dir.join("state.json");
    let file = File::open(&path).map_err(|e| Error::io(path.display().to_string(), e))?;
    let reader = std::io::BufReader::with_capacity(256 * 1024, file);
    serde_json::from_reader(reader).map_err(|e| {
        Error::Pipeline(format!(
            "{}: unreadable state ({e}); rerun with --full into a new folder",
            path.display()
        ))
    })
}

fn snapshots(root: &Path) -> Result<Vec<u64>> {
    let dir = root.join(META).join("snapshots");
    let mut out: Vec<u64> = fs::read_dir(&dir)
        .map_err(|e| Error::io(dir.display().to_string(), e))?
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    out.sort();
    Ok(out)
}

/// Snapshots newer than the committed one belong to runs that died.
fn remove_stale_snapshots(root: &Path, current: Option<u64>) -> Result<()> {
    for n in snapshots(root)? {
        if current.is_none_or(|c| n > c) {
            let dir = snapshot_dir(root, n);
            fs::remove_dir_all(&dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
        }
    }
    Ok(())
}

fn remove_older_than(root: &Path, keep_from: u64) -> Result<()> {
    for n in snapshots(root)? {
        if n < keep_from {
            let _ = fs::remove_dir_all(snapshot_dir(root, n));
        }
    }
    Ok(())
}

fn collect_parquet(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(dir.display().to_string(), e)),
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_parquet(base, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "parquet") {
            out.push(path.strip_prefix(base).expect("under base").to_path_buf());
        }
    }
    Ok(())
}

/// Streams the manifest to disk: it lists every document's id and hash, and
/// building the whole JSON in memory first held a second copy of all that.
fn write_json_synced(path: &Path, state: &State) -> Result<()> {
    let fail = |e: std::io::Error| Error::io(path.display().to_string(), e);
    let file = File::create(path).map_err(fail)?;
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, file);
    serde_json::to_writer_pretty(&mut out, state).map_err(|e| fail(e.into()))?;
    let file = out.into_inner().map_err(|e| fail(e.into_error()))?;
    file.sync_all().map_err(fail)
}

/// Flushes the snapshot's folders, so the rename that commits it never
/// points at entries a crash could lose.
fn sync_tree(dir: &Path) -> Result<()> {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    for entry in fs::read_dir(dir)
        .map_err(|e| Error::io(dir.display().to_string(), e))?
        .flatten()
    {
        if entry.path().is_dir() {
            sync_tree(&entry.path())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_swaps_snapshots_and_keeps_linked_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("out");
        let mut store = Store::open(&root).unwrap().unwrap();
        let snap = store.begin(&HashSet::new()).unwrap();
        fs::create_dir_all(snap.join("metrics/p=1")).unwrap();
        fs::write(snap.join("metrics/p=1/a.parquet"), b"x").unwrap();
        store
            .commit(
                &snap,
                State {
                    config_hash: "h".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(root.join("metrics/p=1/a.parquet").exists());
        let snap2 = store.begin(&HashSet::new()).unwrap();
        fs::write(snap2.join("metrics/p=1/b.parquet"), b"y").unwrap();
        // Not visible before commit.
        assert!(!root.join("metrics/p=1/b.parquet").exists());
        store.commit(&snap2, State::default()).unwrap();
        assert!(root.join("metrics/p=1/a.parquet").exists());
        assert!(root.join("metrics/p=1/b.parquet").exists());
        let dropped: HashSet<PathBuf> = [PathBuf::from("metrics/p=1/a.parquet")].into();
        let snap3 = store.begin(&dropped).unwrap();
        store.commit(&snap3, State::default()).unwrap();
        assert!(!root.join("metrics/p=1/a.parquet").exists());
        assert_eq!(
            store.committed_files().unwrap(),
            [PathBuf::from("metrics/p=1/b.parquet")]
        );
    }

    #[test]
    fn a_second_opener_is_refused_and_unfinished_snapshots_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("out");
        let store = Store::open(&root).unwrap().unwrap();
        let snap = store.begin(&HashSet::new()).unwrap();
        let second = Store::open(&root).unwrap();
        let Err(Locked(msg)) = second else {
            panic!("second open must be refused")
        };
        assert!(
            msg.contains(&format!("pid {}", std::process::id())),
            "{msg}"
        );
        drop(store);
        let store = Store::open(&root).unwrap().unwrap();
        assert!(
            !snap.exists(),
            "an uncommitted snapshot is garbage after its run died"
        );
        assert_eq!(store.state, State::default());
        assert!(read_state(&root).unwrap().is_none());
    }
}
