//! One interface over the two kinds of output root: a local folder written
//! by one run at a time (snapshots, see [`crate::store`]), and a root that
//! many shards write at once, on an object store or a shared file system
//! (see [`crate::shards`]).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use quarry_core::{Error, Result};
use quarry_storage::Remote;
use tokio::runtime::Handle;

use crate::shards::{self, CommitError, ShardId, ShardRun, ShardStore};
use crate::store::{self, State, Store};
use crate::{Destination, WriteOptions};

/// An output root opened for a run.
pub enum Output {
    Snapshots(Store),
    Shards(Box<ShardStore>),
}

/// What opening a root gave.
pub enum Opened {
    Ready(Output),
    /// Another run holds the root; the message names it.
    Locked(String),
    /// This run may not write here (another shard count, another layout);
    /// the message says what to do instead.
    Refused(String),
}

/// A run's uncommitted files.
pub struct Txn {
    pub dest: Destination,
    inner: TxnInner,
    retire: HashSet<String>,
}

enum TxnInner {
    Snapshot(PathBuf),
    Shard(ShardRun),
}

/// How to reach a root: its location as given, with the options and
/// runtime for object stores.
pub struct Place<'a> {
    pub root: &'a Path,
    pub storage: &'a BTreeMap<String, String>,
    pub handle: Handle,
}

impl Place<'_> {
    fn url(&self) -> Option<String> {
        let text = self.root.to_string_lossy();
        quarry_storage::is_url(&text).then(|| text.into_owned())
    }

    fn remote(&self) -> Result<Remote> {
        match self.url() {
            Some(url) => Remote::connect(&url, self.storage, self.handle.clone()),
            None => Remote::local(self.root, self.handle.clone()),
        }
    }

    fn local_layout(&self) -> (bool, bool) {
        let meta = self.root.join("_quarry");
        (
            meta.join("shards").exists(),
            meta.join("current").exists() || meta.join("snapshots").exists(),
        )
    }
}

impl Output {
    /// Opens `place` for shard `shard`. A local root without `--shard` keeps
    /// the single-writer snapshot layout; URLs and sharded runs use the
    /// per-shard layout.
    pub fn open(place: &Place<'_>, shard: ShardId) -> Result<Opened> {
        let open_sharded = |remote: Remote| -> Result<Opened> {
            if let Some(refusal) = shards::refuse_count(&remote, shard)? {
                return Ok(Opened::Refused(refusal));
            }
            Ok(Opened::Ready(Output::Shards(Box::new(ShardStore::open(
                remote, shard,
            )?))))
        };
        if place.url().is_some() {
            return open_sharded(place.remote()?);
        }
        let (sharded, snapshots) = place.local_layout();
        if sharded || shard.count > 1 {
            if snapshots {
                return Ok(Opened::Refused(format!(
                    "{} holds the output of single (unsharded) runs; sharded runs need an output root of their own",
                    place.root.display()
                )));
            }
            return open_sharded(place.remote()?);
        }
        Ok(match Store::open(place.root)? {
            Ok(store) => Opened::Ready(Output::Snapshots(store)),
            Err(store::Locked(msg)) => Opened::Locked(msg),
        })
    }

    pub fn state(&self) -> &State {
        match self {
            Output::Snapshots(s) => &s.state,
            Output::Shards(s) => &s.state,
        }
    }

    /// The committed state, moved out: a run builds the next one from it,
    /// and a copy would hold every input's record twice.
    pub fn take_state(&mut self) -> State {
        match self {
            Output::Snapshots(s) => std::mem::take(&mut s.state),
            Output::Shards(s) => std::mem::take(&mut s.state),
        }
    }

    /// Committed data and runs files, relative to the root, with `/`.
    pub fn committed_files(&self) -> Result<Vec<String>> {
        match self {
            Output::Snapshots(s) => Ok(s
                .committed_files()?
                .iter()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .collect()),
            Output::Shards(s) => Ok(s.committed_files()),
        }
    }

    /// The data file name of a run.
    pub fn part_name(&self, run_id: &str) -> String {
        match self {
            Output::Snapshots(_) => format!("part-{run_id}.parquet"),
            Output::Shards(s) => s.part_name(run_id),
        }
    }

    /// The runs-dataset file name of a run.
    pub fn run_file_name(&self, run_id: &str) -> String {
        match self {
            Output::Snapshots(_) => format!("run-{run_id}.parquet"),
            Output::Shards(s) => s.run_file_name(run_id),
        }
    }

    /// Whether `rel` holds rows written by run `run_id` (its own file or a
    /// rewritten copy of it).
    pub fn is_file_of_run(rel: &str, run_id: &str) -> bool {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        name.strip_prefix("part-")
            .and_then(|rest| rest.strip_prefix(run_id))
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('-'))
    }

    /// Starts a run: `drop` are committed files the run replaces.
    pub fn begin(&mut self, drop: &HashSet<String>, run_id: &str) -> Result<Txn> {
        match self {
            Output::Snapshots(s) => {
                let drop: HashSet<PathBuf> = drop.iter().map(PathBuf::from).collect();
                let dir = s.begin(&drop)?;
                Ok(Txn {
                    dest: Destination::Dir(dir.clone()),
                    inner: TxnInner::Snapshot(dir),
                    retire: HashSet::new(),
                })
            }
            Output::Shards(s) => {
                let run = s.begin(run_id);
                Ok(Txn {
                    dest: Destination::Objects(s.staging_remote(&run)),
                    inner: TxnInner::Shard(run),
                    retire: drop.clone(),
                })
            }
        }
    }

    /// Writes into `txn` a copy of the committed file `rel` without the rows
    /// whose `column` is in `remove`.
    pub fn rewrite(
        &self,
        txn: &Txn,
        rel: &str,
        column: &str,
        remove: &HashSet<String>,
        options: &WriteOptions,
    ) -> Result<u64> {
        match (self, &txn.inner) {
            (Output::Snapshots(s), TxnInner::Snapshot(_)) => {
                let current = s
                    .current_dir()
                    .ok_or_else(|| Error::Pipeline("no committed run to rewrite".into()))?;
                let src = current.join(rel);
                let file = std::fs::File::open(&src)
                    .map_err(|e| Error::io(src.display().to_string(), e))?;
                crate::rewrite_without(
                    file,
                    &src.display().to_string(),
                    &txn.dest,
                    rel,
                    column,
                    remove,
                    options,
                )
            }
            (Output::Shards(s), TxnInner::Shard(run)) => {
                let file = s.fetch(rel)?;
                let name = s.remote().url(&s.remote().child(rel));
                crate::rewrite_without(
                    file,
                    &name,
                    &txn.dest,
                    &ShardStore::rewritten_name(rel, run.seq),
                    column,
                    remove,
                    options,
                )
            }
            _ => unreachable!("a transaction belongs to its output"),
        }
    }

    /// Makes the run's files and `state` the committed output.
    pub fn commit(&mut self, txn: Txn, state: State) -> std::result::Result<(), CommitError> {
        match (self, txn.inner) {
            (Output::Snapshots(s), TxnInner::Snapshot(dir)) => {
                s.commit(&dir, state).map_err(CommitError::Failed)
            }
            (Output::Shards(s), TxnInner::Shard(run)) => s.commit(&run, state, &txn.retire),
            _ => unreachable!("a transaction belongs to its output"),
        }
    }

    /// Drops a run's files.
    pub fn discard(&self, txn: Txn) {
        match (self, txn.inner) {
            (Output::Snapshots(s), TxnInner::Snapshot(dir)) => s.discard(&dir),
            (Output::Shards(s), TxnInner::Shard(run)) => {
                if let Err(e) = s.discard(&run) {
                    tracing::warn!("could not remove the staged files of this run: {e}");
                }
            }
            _ => unreachable!("a transaction belongs to its output"),
        }
    }
}

/// The committed state of a root without opening it for a run: one entry
/// for a single-writer root, one per shard for a sharded one.
pub fn read_states(place: &Place<'_>) -> Result<Vec<(Option<ShardId>, State)>> {
    let sharded = match place.url() {
        Some(_) => true,
        None => place.local_layout().0,
    };
    if sharded {
        let remote = place.remote()?;
        Ok(shards::read_states(&remote)?
            .into_values()
            .map(|(shard, state)| (Some(shard), state))
            .collect())
    } else {
        Ok(store::read_state(place.root)?
            .map(|s| vec![(None, s)])
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_of_a_run_are_found_by_name() {
        let run = "20261128T010203Z-ab12";
        assert!(Output::is_file_of_run(
            &format!("metrics/run_date=2026-11-28/part-{run}.parquet"),
            run
        ));
        assert!(Output::is_file_of_run(
            &format!("metrics/d/part-{run}-0001of0003-v4.parquet"),
            run
        ));
        assert!(!Output::is_file_of_run(
            "metrics/d/part-20261128T010203Z-ab13.parquet",
            run
        ));
        assert!(!Output::is_file_of_run(
            &format!("runs/d/run-{run}.parquet"),
            run
        ));
    }
}
