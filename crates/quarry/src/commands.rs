//! The subcommands: `run`, `check` and `status`.

use std::collections::{BTreeMap, HashSet};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use quarry_core::Error;
use quarry_read::{resolve_all, InputFile, RemoteAccess};
use quarry_write::output::{self, Opened, Output, Place};
use quarry_write::shards::{CommitError, ShardId};
use quarry_write::store::{InputRecord, State};
use quarry_write::Inputs;
use quarry_write::{time, RunRecord, WriteOptions};
use tokio::runtime::Handle;

use crate::cli::Target;
use crate::config::{self, Plan};
use crate::exit;
use crate::pipeline::{self, Clocks, Counters, RunSpec, Stages};

/// Loads the plan, builds the stages and lists this shard's inputs; any
/// failure is a usage error (exit 2) with a message that says what to fix.
fn prepare(target: &Target, handle: &Handle) -> Result<(Plan, Stages, Vec<InputFile>), String> {
    let plan = config::load(target).map_err(|e| format!("{e:#}"))?;
    let stages = Stages::build(&plan)?;
    let access = RemoteAccess {
        options: plan.config.storage.clone(),
        handle: handle.clone(),
    };
    let mut inputs = resolve_all(
        &plan.config.input.paths,
        &plan.input_base,
        &plan.config.input.extensions,
        Some(&access),
    )
    .map_err(|e| format!("{}: {e}", plan.file.display()))?;
    inputs.retain(|input| plan.shard.owns(&input.source));
    Ok((plan, stages, inputs))
}

/// The runtime that runs the stages and the object-store requests.
fn runtime(threads: usize) -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.clamp(1, 4))
        .enable_all()
        .build()
}

fn place<'a>(plan: &'a Plan, handle: &Handle) -> Place<'a> {
    Place {
        root: &plan.output,
        storage: &plan.config.storage,
        handle: handle.clone(),
    }
}

pub fn check(target: &Target) -> u8 {
    let rt = match runtime(1) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return exit::FAILED;
        }
    };
    let (plan, stages, inputs) = match prepare(target, rt.handle()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let bytes: u64 = inputs.iter().map(|i| i.size).sum();
    println!("pipeline     {} ({})", plan.name, plan.file.display());
    println!("config hash  {}", plan.config_hash);
    println!(
        "inputs       {} files, {}{}",
        inputs.len(),
        human_bytes(bytes),
        if plan.shard.count > 1 {
            format!(" (shard {})", plan.shard)
        } else {
            String::new()
        }
    );
    for input in inputs.iter().take(10) {
        println!(
            "  {:<8} {}",
            format!("{:?}", stages.reader.format_of(input)).to_lowercase(),
            input.source
        );
    }
    if inputs.len() > 10 {
        println!("  … and {} more", inputs.len() - 10);
    }
    println!(
        "stages       read → clean → segment → extract → write ({} threads)",
        plan.threads
    );
    println!("output       {}", plan.output.display());
    let states = output::read_states(&place(&plan, rt.handle()));
    let states = states.map(|all| merge_states(all, Some(plan.shard)));
    match states {
        Ok(Some(state)) => {
            let pending = pending_inputs(&state, &inputs).len();
            println!(
                "state        {} runs committed; {} of {} inputs new or changed",
                state.runs.len(),
                pending,
                inputs.len()
            );
            if !state.config_hash.is_empty() && state.config_hash != plan.config_hash {
                println!("             the config changed since the last run: `quarry run --full` will rebuild");
            }
        }
        Ok(None) => println!("state        no runs yet"),
        Err(e) => println!("state        unreadable: {e}"),
    }
    println!("ok");
    exit::OK
}

/// Inputs whose size or modification time differ from the record (a cheap
/// test; `run` confirms with the content hash).
fn pending_inputs<'a>(state: &State, inputs: &'a [InputFile]) -> Vec<&'a InputFile> {
    inputs
        .iter()
        .filter(|i| match state.inputs.get(&i.source) {
            Some(r) => r.size != i.size || r.mtime_ns != mtime_ns(i),
            None => true,
        })
        .collect()
}

fn mtime_ns(input: &InputFile) -> i128 {
    input
        .modified
        .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128)
}

/// What identifies an input's content: the xxh3-128 of a local file's bytes,
/// or the entity tag an object store gives an object (reading whole objects
/// again to hash them would cost a download per run).
fn content_id(input: &InputFile) -> std::io::Result<String> {
    match &input.object {
        Some(object) => Ok(object_id(input, object)),
        None => quarry_read::hash_file(&input.path),
    }
}

fn object_id(input: &InputFile, object: &quarry_read::ObjectInput) -> String {
    match &object.e_tag {
        Some(tag) => format!("etag:{}:{}", tag.trim_matches('"'), input.size),
        None => format!("size:{}:{}", input.size, mtime_ns(input)),
    }
}

pub fn run(target: &Target, full: bool, quiet: bool) -> u8 {
    let threads = target.threads.filter(|&n| n > 0).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let rt = match runtime(threads) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("cannot start the runtime: {e}");
            return exit::FAILED;
        }
    };
    let (plan, stages, inputs) = match prepare(target, rt.handle()) {
        Ok(p) => p,
        Err(e) => {
            tracing::error!("{e}");
            return exit::USAGE;
        }
    };
    let code = run_plan(&rt, plan, stages, inputs, full, quiet);
    // Object-store clients may hold idle connections: don't wait on them.
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    code
}

fn run_plan(
    rt: &tokio::runtime::Runtime,
    plan: Plan,
    stages: Stages,
    inputs: Vec<InputFile>,
    full: bool,
    quiet: bool,
) -> u8 {
    let started = Instant::now();
    let started_us = time::now_micros();
    let run_id = time::run_id(started_us);
    let cancel = Arc::new(AtomicBool::new(false));
    rt.spawn(watch_signals(Arc::clone(&cancel)));
    let mut out = match Output::open(&place(&plan, rt.handle()), plan.shard) {
        Ok(Opened::Ready(o)) => o,
        Ok(Opened::Locked(msg)) => {
            tracing::error!("{msg}");
            return exit::LOCKED;
        }
        Ok(Opened::Refused(msg)) => {
            tracing::error!("{msg}");
            return exit::USAGE;
        }
        Err(e) => {
            tracing::error!("cannot open the output: {e}");
            return exit::FAILED;
        }
    };
    let mut previous = out.take_state();
    if !full && !previous.config_hash.is_empty() && previous.config_hash != plan.config_hash {
        tracing::error!(
            "{}: the pipeline config changed since the last run into {} (config hash {} → {}); rerun with --full to rebuild the output with the new config",
            plan.file.display(),
            plan.output.display(),
            previous.config_hash,
            plan.config_hash
        );
        return exit::USAGE;
    }
    if plan.shard.count > 1 {
        tracing::info!(
            "shard {}: {} inputs of this shard",
            plan.shard,
            inputs.len()
        );
    }

    // Decide what to read: new and changed inputs (all of them with --full).
    // The inputs move into `todo` rather than being cloned: a run over
    // thousands of files held two lists for its whole length.
    let listed_count = inputs.len();
    let mut todo = Vec::with_capacity(listed_count);
    // Which recorded inputs the next manifest keeps as they are (by index
    // into `previous.inputs`): those not listed now, unless --full, and
    // those listed again unchanged.
    let mut keep = vec![!full; previous.inputs.len()];
    // Recorded inputs whose rows this run replaces.
    let mut replaced: Vec<usize> = Vec::new();
    let mut hashes: BTreeMap<String, String> = BTreeMap::new();
    for input in inputs {
        let recorded = previous.inputs.position(&input.source);
        if let Some(at) = recorded {
            keep[at] = false;
            let rec = previous.inputs.record(at);
            // Same size and modification time as recorded: unchanged, without
            // reading it again (a cron rerun over a large corpus reads nothing).
            if !full
                && input.object.is_none()
                && !rec.content_hash.is_empty()
                && rec.size == input.size
                && rec.mtime_ns == mtime_ns(&input)
            {
                keep[at] = true;
                continue;
            }
        }
        let known = recorded.filter(|_| !full);
        // A new local input is hashed while the pipeline reads it: reading
        // it here first would read every new file twice.
        if known.is_none() && input.object.is_none() {
            todo.push(input);
            continue;
        }
        let hash = match content_id(&input) {
            Ok(h) => h,
            Err(e) => {
                // The reader reports it with its position; hash it as empty.
                tracing::debug!("cannot hash {}: {e}", input.source);
                String::new()
            }
        };
        if let Some(at) = known {
            let rec = previous.inputs.record_mut(at);
            if rec.content_hash == hash && !hash.is_empty() {
                rec.size = input.size;
                rec.mtime_ns = mtime_ns(&input);
                keep[at] = true;
                continue;
            }
            replaced.push(at);
        }
        hashes.insert(input.source.clone(), hash);
        todo.push(input);
    }
    todo.shrink_to_fit();
    let inputs_skipped = (listed_count - todo.len()) as u64;
    if todo.is_empty() {
        tracing::info!(
            "nothing to do: all {listed_count} inputs are unchanged since their last run"
        );
    } else if inputs_skipped > 0 {
        tracing::info!(
            "{} new or changed inputs; {} unchanged, skipped",
            todo.len(),
            inputs_skipped
        );
    }

    // The next commit: everything committed, less what this run replaces.
    let write_options = WriteOptions {
        zstd_level: plan.config.output.zstd_level,
        row_group_rows: plan.config.output.row_group_rows,
        keep_raw: plan.config.output.keep_raw,
        document_text: plan.config.output.document_text,
    };
    let committed = match out.committed_files() {
        Ok(f) => f,
        Err(e) => {
            tracing::error!("{e}");
            return exit::FAILED;
        }
    };
    let mut drop_files: HashSet<String> = HashSet::new();
    let mut rewrites: Vec<(String, HashSet<String>)> = Vec::new();
    if full {
        drop_files.extend(
            committed
                .iter()
                .filter(|f| !f.starts_with("runs/"))
                .cloned(),
        );
    } else if !replaced.is_empty() {
        let mut by_run: BTreeMap<String, HashSet<String>> = BTreeMap::new();
        for &at in &replaced {
            let rec = previous.inputs.record(at);
            by_run
                .entry(rec.run_id.clone())
                .or_default()
                .extend(rec.doc_ids.iter().map(str::to_owned));
        }
        for (old_run, doc_ids) in by_run {
            for file in committed
                .iter()
                .filter(|f| Output::is_file_of_run(f, &old_run))
            {
                drop_files.insert(file.clone());
                rewrites.push((file.clone(), doc_ids.clone()));
            }
        }
    }
    let txn = match out.begin(&drop_files, &run_id) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!("{e}");
            return exit::FAILED;
        }
    };
    for (rel, remove) in &rewrites {
        if let Err(e) = out.rewrite(&txn, rel, "doc_id", remove, &write_options) {
            tracing::error!("cannot replace the earlier rows of a changed input: {e}");
            out.discard(txn);
            return exit::FAILED;
        }
    }

    // The kept records move on into the next manifest, without copies.
    let runs = std::mem::take(&mut previous.runs);
    let mut entries = previous.inputs.into_vec();
    let mut kept = keep.into_iter();
    entries.retain(|_| kept.next().unwrap_or(false));
    let known_hashes: HashSet<u128> = entries
        .iter()
        .flat_map(|(_, r)| r.doc_hashes.iter())
        .collect();
    let partition = format!("run_date={}", time::date(started_us));
    let counters = Arc::new(Counters::default());
    let clocks = Arc::new(Clocks::default());
    // One list for the reader and the manifest: a run over thousands of
    // small files kept several copies of it.
    let todo = Arc::new(todo);
    let total_bytes: u64 = todo.iter().map(|i| i.size).sum();
    let progress = if std::io::stderr().is_terminal() && !quiet && !todo.is_empty() {
        let bar = indicatif::ProgressBar::new(total_bytes);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {bytes}/{total_bytes} {bytes_per_sec} eta {eta} {wide_bar}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let spec = RunSpec {
        inputs: Arc::clone(&todo),
        dest: txn.dest.clone(),
        partition: partition.clone(),
        file_name: out.part_name(&run_id),
        run_id: run_id.clone(),
        known_hashes,
        write_options: write_options.clone(),
    };
    let result = rt.block_on(pipeline::execute(
        &plan,
        Arc::new(stages),
        spec,
        Arc::clone(&counters),
        Arc::clone(&clocks),
        Arc::clone(&cancel),
        progress.clone(),
    ));
    progress.finish_and_clear();
    crate::release_free_memory();
    let outcome = match result {
        Ok(o) => o,
        Err(Error::Interrupted) => {
            out.discard(txn);
            tracing::error!(
                "interrupted: nothing of this run was committed; the next run redoes it"
            );
            return exit::INTERRUPTED;
        }
        Err(e) => {
            out.discard(txn);
            tracing::error!("run failed: {e}");
            tracing::error!(
                "nothing of this run was committed; {} keeps its earlier runs",
                plan.output.display()
            );
            return exit::FAILED;
        }
    };

    let pipeline::Outcome {
        written,
        ledger,
        content_ids,
    } = outcome;
    // The new manifest: unchanged inputs as they were, processed ones anew.
    entries.reserve_exact(todo.len());
    for (i, input) in todo.iter().enumerate() {
        entries.push((
            input.source.clone(),
            InputRecord {
                size: input.size,
                mtime_ns: mtime_ns(input),
                content_hash: hashes
                    .get(&input.source)
                    .or_else(|| content_ids.get(i).filter(|id| !id.is_empty()))
                    .cloned()
                    .unwrap_or_default(),
                run_id: run_id.clone(),
                ..InputRecord::default()
            },
        ));
    }
    drop(content_ids);
    let mut state = State {
        pipeline: plan.name.clone(),
        config_hash: plan.config_hash.clone(),
        inputs: Inputs::from_unsorted(entries),
        runs,
    };
    // Each input's documents, straight from the run's ledger on disk.
    let filled = ledger.read_back(|source, rows| {
        if let Some(record) = state.inputs.get_mut(&source) {
            record.doc_ids.append(rows.doc_ids);
            record.doc_hashes.append(rows.doc_hashes);
            record.documents = record.doc_ids.len() as u64;
        }
    });
    if let Err(e) = filled {
        out.discard(txn);
        tracing::error!("run failed: {e}");
        return exit::FAILED;
    }
    let records_skipped = counters.records_skipped.load(Ordering::Relaxed);
    let seconds = started.elapsed().as_secs_f64();
    let w = &written;
    let bytes_read = counters.bytes_read.load(Ordering::Relaxed);
    let status = if records_skipped > 0 { "partial" } else { "ok" };
    let record = RunRecord {
        run_id: run_id.clone(),
        started_at_us: started_us,
        finished_at_us: time::now_micros(),
        pipeline: plan.name.clone(),
        config_hash: plan.config_hash.clone(),
        status: status.into(),
        inputs: listed_count as u64,
        inputs_skipped,
        documents: w.documents,
        sentences: w.sentences,
        metrics: w.metrics,
        bytes_read,
        documents_skipped: counters.documents_skipped.load(Ordering::Relaxed),
        records_skipped,
        errors: counters.errors.load(Ordering::Relaxed),
        seconds_read: clocks.read.seconds(),
        seconds_clean: clocks.clean.seconds(),
        seconds_segment: clocks.segment.seconds(),
        seconds_extract: clocks.extract.seconds(),
        seconds_write: clocks.write.seconds(),
        seconds_total: seconds,
        threads: plan.threads as u32,
    };
    if let Err(e) = quarry_write::write_run(
        &txn.dest,
        &partition,
        &out.run_file_name(&run_id),
        &record,
        &write_options,
    ) {
        out.discard(txn);
        tracing::error!("run failed: {e}");
        return exit::FAILED;
    }
    state.runs.push(record);
    match out.commit(txn, state) {
        Ok(()) => {}
        Err(CommitError::Conflict(msg)) => {
            tracing::error!("{msg}");
            return exit::LOCKED;
        }
        Err(CommitError::Failed(e)) => {
            tracing::error!("run failed at commit: {e}");
            return exit::FAILED;
        }
    }
    let mb = bytes_read as f64 / 1e6;
    tracing::info!(
        "{}{}: {} documents, {} sentences, {} metrics from {} of {} inputs ({:.2} MB) in {:.2} s, {:.1} MB/s → {} (run {})",
        plan.name,
        if plan.shard.count > 1 { format!(" shard {}", plan.shard) } else { String::new() },
        w.documents,
        w.sentences,
        w.metrics,
        todo.len(),
        listed_count,
        mb,
        seconds,
        mb / seconds.max(1e-9),
        plan.output.display(),
        run_id
    );
    if records_skipped > 0 {
        tracing::warn!("{records_skipped} records or files were skipped (see the warnings above)");
        exit::SKIPPED
    } else {
        exit::OK
    }
}

/// Ctrl-C and SIGTERM ask the pipeline to stop; the run is not committed.
async fn watch_signals(cancel: Arc<AtomicBool>) {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => return,
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    tracing::warn!("stopping: signal received");
    cancel.store(true, Ordering::Relaxed);
}

/// One state out of a root's states: the shard's own when `shard` is given
/// and the root is sharded, else all shards' inputs and runs together.
fn merge_states(all: Vec<(Option<ShardId>, State)>, shard: Option<ShardId>) -> Option<State> {
    let mut merged: Option<State> = None;
    for (id, state) in all {
        if let (Some(id), Some(wanted)) = (id, shard) {
            if wanted.count > 1 && id != wanted {
                continue;
            }
        }
        match &mut merged {
            None => merged = Some(state),
            Some(m) => {
                if m.config_hash != state.config_hash {
                    m.config_hash = format!("{} / {}", m.config_hash, state.config_hash);
                }
                m.inputs.merge(state.inputs);
                m.runs.extend(state.runs);
            }
        }
    }
    if let Some(m) = &mut merged {
        m.runs.sort_by_key(|r| r.started_at_us);
    }
    merged
}

pub fn status(output: &Path, pipeline: Option<&Path>, last: usize) -> u8 {
    let rt = match runtime(1) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return exit::FAILED;
        }
    };
    let no_options = BTreeMap::new();
    let storage = match pipeline {
        Some(file) => config::load(&Target {
            pipeline: file.to_path_buf(),
            inputs: vec![],
            output: Some(output.to_path_buf()),
            threads: None,
            shard: None,
            shard_count: None,
        })
        .map(|p| p.config.storage)
        .unwrap_or_default(),
        None => no_options.clone(),
    };
    let place = Place {
        root: output,
        storage: &storage,
        handle: rt.handle().clone(),
    };
    let all = match output::read_states(&place) {
        Ok(all) => all,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::FAILED;
        }
    };
    let shards = all
        .iter()
        .filter_map(|(id, _)| *id)
        .map(|id| id.count)
        .max();
    let Some(state) = merge_states(all, None) else {
        println!("{}: no committed runs yet", output.display());
        return exit::OK;
    };
    println!("output    {}", output.display());
    if let Some(count) = shards.filter(|&c| c > 1) {
        println!("shards    {count} (the runs of every shard below)");
    }
    println!(
        "pipeline  {} (config hash {})",
        state.pipeline, state.config_hash
    );
    let docs: u64 = state.inputs.values().map(|r| r.documents).sum();
    println!(
        "inputs    {} processed, {} documents",
        state.inputs.len(),
        docs
    );
    println!();
    println!(
        "{:<24} {:<20} {:>8} {:>7} {:>7} {:>6} {:>9} {:>8} {:>7}",
        "run",
        "started (UTC)",
        "seconds",
        "inputs",
        "skipped",
        "docs",
        "sentences",
        "metrics",
        "status"
    );
    for run in state.runs.iter().rev().take(last) {
        println!(
            "{:<24} {:<20} {:>8.2} {:>7} {:>7} {:>6} {:>9} {:>8} {:>7}",
            run.run_id,
            time::rfc3339(run.started_at_us),
            run.seconds_total,
            run.inputs,
            run.inputs_skipped,
            run.documents,
            run.sentences,
            run.metrics,
            run.status
        );
    }
    if let Some(file) = pipeline {
        let target = Target {
            pipeline: file.to_path_buf(),
            inputs: vec![],
            output: Some(output.to_path_buf()),
            threads: None,
            shard: None,
            shard_count: None,
        };
        match prepare(&target, rt.handle()) {
            Ok((plan, _, inputs)) => {
                let pending = pending_inputs(&state, &inputs);
                println!();
                println!(
                    "pending   {} of {} inputs new or changed",
                    pending.len(),
                    inputs.len()
                );
                for input in pending.iter().take(20) {
                    println!("  {}", input.source);
                }
                if plan.config_hash != state.config_hash {
                    println!(
                        "the pipeline config changed since the last run: the next run needs --full"
                    );
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                return exit::USAGE;
            }
        }
    }
    exit::OK
}

fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}
