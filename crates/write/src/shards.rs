//! Output roots written by many independent tasks — the shards of a Slurm
//! job array or a Kubernetes Indexed Job — on an object store or a shared
//! file system.
//!
//! Layout (`CCCC` the shard count, `IIII` the shard index):
//! ```text
//! ROOT/<dataset>/run_date=YYYY-MM-DD/part-<run>-IIIIofCCCC.parquet   published files
//! ROOT/_quarry/shards/CCCC/IIII/manifest-<seq>.json                 a shard's committed state
//! ROOT/_quarry/shards/CCCC/IIII/published-<seq>                     that run's files are in place
//! ROOT/_quarry/staging/CCCC/IIII/<seq>-<run>/<dataset>/…            files of a run in progress
//! ```
//! Shards never write the same object: every name carries the shard. A run
//! writes its files under staging, then commits by creating the next
//! manifest with a create-if-absent put — the one atomic step; a second run
//! of the same shard racing for the same manifest loses and discards its
//! work. After the commit the run publishes: it copies the staged files to
//! their final names, deletes the files its manifest retired, and leaves a
//! `published` marker. A run killed before the put leaves only staging,
//! which the next run deletes and redoes; one killed after it is rolled
//! forward by the next run, from the manifest.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;

use quarry_core::{Error, Result};
use quarry_storage::{Path as ObjectPath, Remote};
use serde::{Deserialize, Serialize};

use crate::store::State;

const SHARDS: &str = "_quarry/shards";
const STAGING: &str = "_quarry/staging";

/// One task's part of the inputs: those whose stable hash of the source
/// falls in `index` out of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardId {
    pub index: u32,
    pub count: u32,
}

impl ShardId {
    pub const WHOLE: ShardId = ShardId { index: 0, count: 1 };

    /// Whether this shard takes the input named `source`. The hash is
    /// xxh3-64 of the source as given, so an input stays in its shard across
    /// runs and machines.
    pub fn owns(&self, source: &str) -> bool {
        self.count <= 1
            || xxhash_rust::xxh3::xxh3_64(source.as_bytes()) % u64::from(self.count)
                == u64::from(self.index)
    }

    /// `IIIIofCCCC`, the suffix of this shard's file names.
    pub fn tag(&self) -> String {
        format!("{:04}of{:04}", self.index, self.count)
    }

    fn dir(&self) -> String {
        format!("{:04}/{:04}", self.count, self.index)
    }
}

impl std::fmt::Display for ShardId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A shard's committed state after one of its runs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Manifest {
    pub shard_index: u32,
    pub shard_count: u32,
    pub seq: u64,
    pub run_id: String,
    pub state: State,
    /// Every published file of this shard, relative to the root.
    pub files: Vec<String>,
    /// Staging folder of the run (relative to the root) and the files in it
    /// to publish, relative to that folder and to the root alike.
    pub staging: String,
    pub publish: Vec<String>,
    /// Files this run replaced: deleted once its own are published.
    pub retire: Vec<String>,
}

/// A run of a shard that has not committed yet.
pub struct ShardRun {
    pub seq: u64,
    /// `_quarry/staging/CCCC/IIII/<seq>-<run>`, relative to the root.
    pub staging: String,
    pub run_id: String,
}

/// Why a commit did not happen.
#[derive(Debug)]
pub enum CommitError {
    /// Another run of the same shard committed first.
    Conflict(String),
    Failed(Error),
}

impl From<Error> for CommitError {
    fn from(e: Error) -> Self {
        CommitError::Failed(e)
    }
}

/// A shard's view of an output root, opened for a run.
pub struct ShardStore {
    remote: Remote,
    shard: ShardId,
    latest: Option<Manifest>,
    pub state: State,
}

impl ShardStore {
    /// Reads the shard's latest manifest and finishes publishing it if its
    /// run died after committing. The caller first checks the root's shard
    /// count with [`refuse_count`].
    pub fn open(remote: Remote, shard: ShardId) -> Result<Self> {
        if shard.count == 0 || shard.index >= shard.count {
            return Err(Error::Pipeline(format!(
                "shard {shard}: the index must be below the count"
            )));
        }
        let dir = remote.child(&format!("{SHARDS}/{}", shard.dir()));
        let objects = remote.list(&dir)?;
        let mut latest_seq = None;
        let mut published = HashSet::new();
        for meta in &objects {
            let name = meta.location.filename().unwrap_or_default();
            if let Some(seq) = parse_seq(name, "manifest-", ".json") {
                latest_seq = latest_seq.max(Some(seq));
            } else if let Some(seq) = parse_seq(name, "published-", "") {
                published.insert(seq);
            }
        }
        let mut latest = match latest_seq {
            Some(seq) => Some(load_manifest(&remote, shard, seq)?),
            None => None,
        };
        let mut store = ShardStore {
            // Kept once, here: publishing needs only the manifest's file lists.
            state: latest
                .as_mut()
                .map(|m| std::mem::take(&mut m.state))
                .unwrap_or_default(),
            remote,
            shard,
            latest,
        };
        if let Some(seq) = latest_seq {
            if !published.contains(&seq) {
                tracing::info!(
                    "shard {shard}: finishing the publication of its last committed run"
                );
                store.publish()?;
            }
        }
        Ok(store)
    }

    pub fn shard(&self) -> ShardId {
        self.shard
    }

    pub fn remote(&self) -> &Remote {
        &self.remote
    }

    /// This shard's published files, relative to the root.
    pub fn committed_files(&self) -> Vec<String> {
        self.latest
            .as_ref()
            .map(|m| m.files.clone())
            .unwrap_or_default()
    }

    /// The data file name of a run of this shard.
    pub fn part_name(&self, run_id: &str) -> String {
        format!("part-{run_id}-{}.parquet", self.shard.tag())
    }

    /// The runs-dataset file name of a run of this shard.
    pub fn run_file_name(&self, run_id: &str) -> String {
        format!("run-{run_id}-{}.parquet", self.shard.tag())
    }

    /// The name a rewritten copy of `rel` takes in run `seq`.
    pub fn rewritten_name(rel: &str, seq: u64) -> String {
        let stem = rel.strip_suffix(".parquet").unwrap_or(rel);
        let stem = match stem.rfind("-v") {
            Some(i) if stem[i + 2..].chars().all(|c| c.is_ascii_digit()) => &stem[..i],
            _ => stem,
        };
        format!("{stem}-v{seq}.parquet")
    }

    pub fn begin(&self, run_id: &str) -> ShardRun {
        let seq = self.latest.as_ref().map_or(1, |m| m.seq + 1);
        ShardRun {
            seq,
            staging: format!("{STAGING}/{}/{seq:06}-{run_id}", self.shard.dir()),
            run_id: run_id.to_string(),
        }
    }

    /// Where a run's files go before the commit.
    pub fn staging_remote(&self, run: &ShardRun) -> Remote {
        self.remote.at(&run.staging)
    }

    /// Downloads a published file into a temporary local file (Parquet
    /// readers need to seek), for rewriting.
    pub fn fetch(&self, rel: &str) -> Result<std::fs::File> {
        let path = self.remote.child(rel);
        let url = self.remote.url(&path);
        let mut reader = self
            .remote
            .reader(&path)
            .map_err(|e| Error::Pipeline(format!("{url}: {e}")))?;
        let mut file = tempfile::tempfile().map_err(|e| Error::io("a temporary file", e))?;
        std::io::copy(&mut reader, &mut file).map_err(|e| Error::io(url.clone(), e))?;
        file.flush().map_err(|e| Error::io(url, e))?;
        use std::io::Seek;
        file.rewind()
            .map_err(|e| Error::io("a temporary file", e))?;
        Ok(file)
    }

    /// Commits `run`: every file staged so far becomes part of the shard's
    /// output, `retire` (published files it replaces) goes away, and `state`
    /// becomes the shard's record.
    pub fn commit(
        &mut self,
        run: &ShardRun,
        state: State,
        retire: &HashSet<String>,
    ) -> std::result::Result<(), CommitError> {
        self.put_manifest(run, state, retire)?;
        self.publish()?;
        Ok(())
    }

    /// The commit point: the next manifest, created only if absent.
    fn put_manifest(
        &mut self,
        run: &ShardRun,
        state: State,
        retire: &HashSet<String>,
    ) -> std::result::Result<(), CommitError> {
        let staging = self.remote.child(&run.staging);
        let staging_prefix = staging.as_ref().to_string();
        let mut publish = Vec::new();
        for meta in self.remote.list(&staging)? {
            let full = meta.location.as_ref();
            let rel = full
                .strip_prefix(staging_prefix.as_str())
                .unwrap_or(full)
                .trim_start_matches('/');
            if rel.ends_with(".parquet") {
                publish.push(rel.to_string());
            }
        }
        let mut files: Vec<String> = self
            .committed_files()
            .into_iter()
            .filter(|f| !retire.contains(f))
            .collect();
        files.extend(publish.iter().cloned());
        files.sort();
        files.dedup();
        let mut manifest = Manifest {
            shard_index: self.shard.index,
            shard_count: self.shard.count,
            seq: run.seq,
            run_id: run.run_id.clone(),
            state,
            files,
            staging: run.staging.clone(),
            publish,
            retire: retire.iter().cloned().collect(),
        };
        let json = serde_json::to_vec_pretty(&manifest).expect("a manifest serializes");
        let path = manifest_path(&self.remote, self.shard, run.seq);
        if !self.remote.put_if_absent(&path, json)? {
            let _ = self.discard(run);
            return Err(CommitError::Conflict(format!(
                "another run of shard {} committed {} first; this run's output was discarded",
                self.shard,
                self.remote.url(&path)
            )));
        }
        self.state = std::mem::take(&mut manifest.state);
        self.latest = Some(manifest);
        Ok(())
    }

    /// Removes the staged files of a run that will not commit.
    pub fn discard(&self, run: &ShardRun) -> Result<()> {
        let staging = self.remote.child(&run.staging);
        let objects = self.remote.list(&staging)?;
        self.remote
            .delete_all(objects.into_iter().map(|m| m.location).collect())?;
        self.remote.prune_empty_folders(&staging);
        Ok(())
    }

    /// Puts the latest manifest's files in place; safe to repeat.
    fn publish(&mut self) -> Result<()> {
        let Some(m) = self.latest.clone() else {
            return Ok(());
        };
        for rel in &m.publish {
            let staged = self.remote.child(&format!("{}/{rel}", m.staging));
            let target = self.remote.child(rel);
            if let Err(e) = self.remote.copy(&staged, &target) {
                // A repeat after a crash: the staged copy may already be gone.
                if self.remote.head(&target)?.is_none() {
                    return Err(Error::Pipeline(format!(
                        "committed run {} lists {rel}, but neither its staged nor its published copy exists ({e}); rerun the shard with --full",
                        m.run_id
                    )));
                }
            }
        }
        self.remote
            .delete_all(m.retire.iter().map(|rel| self.remote.child(rel)).collect())?;
        // Staging of this run, and of any run of this shard that aimed at this
        // sequence number or an earlier one: none of them can commit now.
        let staging_root = self
            .remote
            .child(&format!("{STAGING}/{}", self.shard.dir()));
        let root_prefix = format!("{}/", staging_root.as_ref());
        let mut stale = Vec::new();
        for meta in self.remote.list(&staging_root)? {
            let rel = meta
                .location
                .as_ref()
                .strip_prefix(root_prefix.as_str())
                .unwrap_or_default();
            let seq: Option<u64> = rel.get(..6).and_then(|s| s.parse().ok());
            if seq.is_some_and(|s| s <= m.seq) {
                stale.push(meta.location);
            }
        }
        self.remote.delete_all(stale)?;
        self.remote.prune_empty_folders(&staging_root);
        let marker = self.remote.child(&format!(
            "{SHARDS}/{}/published-{:06}",
            self.shard.dir(),
            m.seq
        ));
        self.remote.put(&marker, Vec::new())?;
        // Older manifests are superseded: each holds the whole state.
        let dir = self.remote.child(&format!("{SHARDS}/{}", self.shard.dir()));
        let old: Vec<ObjectPath> = self
            .remote
            .list(&dir)?
            .into_iter()
            .filter(|meta| {
                let name = meta.location.filename().unwrap_or_default();
                parse_seq(name, "manifest-", ".json")
                    .or_else(|| parse_seq(name, "published-", ""))
                    .is_some_and(|s| s + 1 < m.seq)
            })
            .map(|meta| meta.location)
            .collect();
        self.remote.delete_all(old)
    }
}

fn manifest_path(remote: &Remote, shard: ShardId, seq: u64) -> ObjectPath {
    remote.child(&format!("{SHARDS}/{}/manifest-{seq:06}.json", shard.dir()))
}

fn load_manifest(remote: &Remote, shard: ShardId, seq: u64) -> Result<Manifest> {
    let path = manifest_path(remote, shard, seq);
    let bytes = remote
        .get_bytes(&path)?
        .ok_or_else(|| Error::Pipeline(format!("{}: vanished while reading", remote.url(&path))))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Error::Pipeline(format!(
            "{}: unreadable manifest ({e}); rerun with --full into a new output root",
            remote.url(&path)
        ))
    })
}

fn parse_seq(name: &str, prefix: &str, suffix: &str) -> Option<u64> {
    name.strip_prefix(prefix)?
        .strip_suffix(suffix)?
        .parse()
        .ok()
}

/// The shard counts present under a root.
fn shard_counts(remote: &Remote) -> Result<Vec<u32>> {
    let dir = remote.child(SHARDS);
    let prefix = format!("{}/", dir.as_ref());
    let mut counts: Vec<u32> = remote
        .list(&dir)?
        .iter()
        .filter_map(|m| {
            let rel = m.location.as_ref().strip_prefix(prefix.as_str())?;
            rel.split('/').next()?.parse().ok()
        })
        .collect();
    counts.sort();
    counts.dedup();
    Ok(counts)
}

/// Why a run of `shard` may not write into this root, if it may not: the
/// root was written with another shard count (inputs would move between
/// shards and be read twice).
pub fn refuse_count(remote: &Remote, shard: ShardId) -> Result<Option<String>> {
    for count in shard_counts(remote)? {
        if count != shard.count {
            return Ok(Some(format!(
                "{} was written by {count} shards, this run is shard {shard}: use --shard I/{count}, or write into a new output root",
                remote.url(&remote.prefix)
            )));
        }
    }
    Ok(None)
}

/// Whether a root holds sharded output.
pub fn is_sharded(remote: &Remote) -> Result<bool> {
    Ok(!shard_counts(remote)?.is_empty())
}

/// Every shard's committed state, for `quarry status`.
pub fn read_states(remote: &Remote) -> Result<BTreeMap<u32, (ShardId, State)>> {
    let mut out = BTreeMap::new();
    for count in shard_counts(remote)? {
        for index in 0..count {
            let shard = ShardId { index, count };
            let dir = remote.child(&format!("{SHARDS}/{}", shard.dir()));
            let latest = remote
                .list(&dir)?
                .iter()
                .filter_map(|m| parse_seq(m.location.filename()?, "manifest-", ".json"))
                .max();
            if let Some(seq) = latest {
                out.insert(index, (shard, load_manifest(remote, shard, seq)?.state));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_sources_exactly_once_and_stably() {
        let sources: Vec<String> = (0..500).map(|i| format!("data/file-{i}.jsonl")).collect();
        for count in [1u32, 2, 3, 7] {
            let mut seen = vec![0u32; sources.len()];
            for index in 0..count {
                let shard = ShardId { index, count };
                for (i, s) in sources.iter().enumerate() {
                    if shard.owns(s) {
                        seen[i] += 1;
                    }
                }
            }
            assert!(seen.iter().all(|&n| n == 1), "count {count}");
        }
        // Stable: a fixed value, not a per-process hash.
        assert_eq!(
            xxhash_rust::xxh3::xxh3_64(b"data/file-0.jsonl"),
            xxhash_rust::xxh3::xxh3_64(b"data/file-0.jsonl")
        );
        let three = ShardId { index: 1, count: 3 };
        let owned: Vec<&String> = sources.iter().filter(|s| three.owns(s)).collect();
        assert!(owned.len() > 120 && owned.len() < 210, "{}", owned.len());
    }

    fn local_store(
        dir: &std::path::Path,
        rt: &tokio::runtime::Runtime,
        shard: ShardId,
    ) -> ShardStore {
        let remote = Remote::local(dir, rt.handle().clone()).unwrap();
        ShardStore::open(remote, shard).unwrap()
    }

    fn state(pipeline: &str) -> State {
        State {
            pipeline: pipeline.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_run_is_invisible_until_committed_and_a_crash_after_the_commit_rolls_forward() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let shard = ShardId { index: 1, count: 2 };
        let mut store = local_store(dir.path(), &rt, shard);
        let run = store.begin("R1");
        let staged = store.staging_remote(&run);
        let rel = format!("metrics/d=1/{}", store.part_name("R1"));
        staged.put(&staged.child(&rel), b"one".to_vec()).unwrap();
        assert!(
            !dir.path().join(&rel).exists(),
            "staged files are not published"
        );
        store.commit(&run, state("a"), &HashSet::new()).unwrap();
        assert_eq!(std::fs::read(dir.path().join(&rel)).unwrap(), b"one");
        assert!(!dir.path().join("_quarry/staging/0002/0001").exists());

        // Run 2 replaces run 1's file and dies right after its manifest put.
        let run2 = store.begin("R2");
        let staged2 = store.staging_remote(&run2);
        let rel2 = ShardStore::rewritten_name(&rel, run2.seq);
        staged2.put(&staged2.child(&rel2), b"two".to_vec()).unwrap();
        let retire: HashSet<String> = [rel.clone()].into();
        store.put_manifest(&run2, state("b"), &retire).unwrap();
        drop(store);
        assert!(!dir.path().join(&rel2).exists());

        // The next opener finishes the publication from the manifest.
        let store = local_store(dir.path(), &rt, shard);
        assert_eq!(store.state.pipeline, "b");
        assert_eq!(std::fs::read(dir.path().join(&rel2)).unwrap(), b"two");
        assert!(
            !dir.path().join(&rel).exists(),
            "the replaced file is retired"
        );
        assert_eq!(store.committed_files(), std::slice::from_ref(&rel2));
        assert!(dir
            .path()
            .join("_quarry/shards/0002/0001/published-000002")
            .exists());
    }

    #[test]
    fn a_second_run_of_a_shard_loses_the_race_and_other_counts_are_refused() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let shard = ShardId { index: 0, count: 2 };
        let mut first = local_store(dir.path(), &rt, shard);
        let mut second = local_store(dir.path(), &rt, shard);
        let run_a = first.begin("A");
        let run_b = second.begin("B");
        let staged_b = second.staging_remote(&run_b);
        staged_b
            .put(&staged_b.child("metrics/x.parquet"), b"b".to_vec())
            .unwrap();
        first.commit(&run_a, state("a"), &HashSet::new()).unwrap();
        match second.commit(&run_b, state("b"), &HashSet::new()) {
            Err(CommitError::Conflict(msg)) => assert!(msg.contains("shard 0/2"), "{msg}"),
            other => panic!("expected a conflict, got {other:?}"),
        }
        assert!(!dir.path().join("metrics/x.parquet").exists());
        let remote = Remote::local(dir.path(), rt.handle().clone()).unwrap();
        let err = refuse_count(&remote, ShardId { index: 0, count: 3 })
            .unwrap()
            .expect("another count is refused");
        assert!(
            err.contains("2 shards") && err.contains("--shard I/2"),
            "{err}"
        );
    }

    #[test]
    fn rewritten_names_replace_an_earlier_version() {
        assert_eq!(
            ShardStore::rewritten_name("metrics/d=1/part-R-0001of0003.parquet", 4),
            "metrics/d=1/part-R-0001of0003-v4.parquet"
        );
        assert_eq!(
            ShardStore::rewritten_name("metrics/d=1/part-R-0001of0003-v4.parquet", 9),
            "metrics/d=1/part-R-0001of0003-v9.parquet"
        );
    }
}
