//! The pipeline file: one TOML table per stage. Unknown keys and wrong
//! types are errors that name the key, the file and what would be valid.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use quarry_clean::CleanConfig;
use quarry_extract::ExtractConfig;
use quarry_read::ReadConfig;
use quarry_segment::SegmentConfig;
use serde::Deserialize;

use crate::cli::Target;
use crate::shard;
use quarry_write::shards::ShardId;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineConfig {
    /// Shown in logs and in the runs dataset; default: the file's stem.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub input: ReadConfig,
    #[serde(default)]
    pub clean: CleanConfig,
    #[serde(default)]
    pub segment: SegmentConfig,
    #[serde(default)]
    pub extract: ExtractConfig,
    #[serde(default)]
    pub output: OutputConfig,
    #[serde(default)]
    pub run: RunConfig,
    /// Object-store settings (object_store keys: endpoint, region,
    /// allow_http, …); they override the standard environment variables.
    #[serde(default)]
    pub storage: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutputConfig {
    /// The output root; relative to the pipeline file's folder.
    pub dir: Option<PathBuf>,
    /// Also store the raw text in the documents dataset (`raw_text`).
    pub keep_raw: bool,
    /// Also store each document's whole cleaned text (`documents.text`).
    /// Off by default: the sentences dataset holds that text already, and
    /// compressing it twice was a fifth of a run's CPU time.
    pub document_text: bool,
    /// Write a document whose cleaned text is already in the output only once.
    pub dedup_documents: bool,
    /// 2, not zstd's usual 3: on the bench corpus level 3 spent 40 % more
    /// time compressing sentence text for a 7 % smaller sentences file.
    pub zstd_level: i32,
    pub row_group_rows: usize,
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            dir: None,
            keep_raw: false,
            document_text: false,
            dedup_documents: true,
            zstd_level: 2,
            row_group_rows: 128 * 1024,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnError {
    /// Skip the bad record or file, log it, count it, go on (exit code 3).
    #[default]
    Skip,
    /// Stop the run at the first bad record (exit code 1).
    Fail,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunConfig {
    /// Worker threads for clean, segment and extract; 0 = the machine's cores.
    pub threads: usize,
    /// A batch closes at this many documents...
    pub batch_documents: usize,
    /// ...or at this many bytes of text.
    pub batch_bytes: usize,
    /// Batches buffered between two stages.
    pub channel_capacity: usize,
    /// Bytes of document text between the reader and the writer, at most.
    pub text_in_flight: usize,
    pub on_error: OnError,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            threads: 0,
            batch_documents: 256,
            batch_bytes: 1 << 20,
            channel_capacity: 2,
            text_in_flight: 4 << 20,
            on_error: OnError::Skip,
        }
    }
}

/// A pipeline file after the command line's overrides, with paths resolved.
#[derive(Debug, Clone)]
pub struct Plan {
    pub name: String,
    pub file: PathBuf,
    pub config: PipelineConfig,
    /// Relative input patterns are taken against this folder.
    pub input_base: PathBuf,
    pub output: PathBuf,
    pub threads: usize,
    /// Hash of everything that shapes the output rows (not paths or threads).
    pub config_hash: String,
    /// The part of the inputs this run takes.
    pub shard: ShardId,
}

pub fn load(target: &Target) -> Result<Plan> {
    let file = &target.pipeline;
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read pipeline file {}", file.display()))?;
    let mut config: PipelineConfig = toml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}: {}", file.display(), e.to_string().trim_end()))?;
    let file_dir = file
        .parent()
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let cwd = PathBuf::from(".");
    let input_base = if target.inputs.is_empty() {
        file_dir.clone()
    } else {
        config.input.paths = target.inputs.clone();
        cwd.clone()
    };
    if config.input.paths.is_empty() {
        bail!(
            "{}: input.paths: no inputs; list files, folders or globs in [input] paths = [...] or give --input PATH",
            file.display()
        );
    }
    let output = match (&target.output, &config.output.dir) {
        (Some(o), _) => o.clone(),
        (None, Some(d)) if d.is_absolute() || quarry_storage::is_url(&d.to_string_lossy()) => {
            d.clone()
        }
        (None, Some(d)) => quarry_read::normalize(&file_dir.join(d)),
        (None, None) => bail!(
            "{}: output.dir: no output folder; set [output] dir = \"...\" or give --output DIR",
            file.display()
        ),
    };
    let threads = match target.threads.unwrap_or(config.run.threads) {
        0 => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        n => n,
    };
    for (key, value) in [
        ("run.batch_documents", config.run.batch_documents),
        ("run.batch_bytes", config.run.batch_bytes),
        ("run.channel_capacity", config.run.channel_capacity),
        ("run.text_in_flight", config.run.text_in_flight),
        ("output.row_group_rows", config.output.row_group_rows),
    ] {
        if value == 0 {
            bail!("{}: {key}: must be greater than 0", file.display());
        }
    }
    if !(1..=22).contains(&config.output.zstd_level) {
        bail!(
            "{}: output.zstd_level: must be 1 to 22, got {}",
            file.display(),
            config.output.zstd_level
        );
    }
    let name = config.name.clone().unwrap_or_else(|| {
        file.file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| "pipeline".into())
    });
    let config_hash = shaping_hash(&text)?;
    let shard = shard::resolve(target.shard.as_deref(), target.shard_count, &|name| {
        std::env::var(name).ok()
    })
    .map_err(|e| anyhow::anyhow!("--shard: {e}"))?;
    Ok(Plan {
        shard,
        name,
        file: file.clone(),
        config,
        input_base,
        output,
        threads,
        config_hash,
    })
}

/// Hashes the tables that decide what rows a run writes, leaving out where
/// inputs and outputs live and how fast it runs, so that moving the output or
/// adding threads is not a "config change".
fn shaping_hash(text: &str) -> Result<String> {
    let mut value: toml::Table = toml::from_str(text)?;
    value.remove("run");
    value.remove("name");
    value.remove("storage");
    if let Some(toml::Value::Table(input)) = value.get_mut("input") {
        input.remove("paths");
    }
    if let Some(toml::Value::Table(output)) = value.get_mut("output") {
        output.remove("dir");
        output.remove("zstd_level");
        output.remove("row_group_rows");
    }
    // toml's Table is a BTreeMap: its Debug form is canonical.
    let canonical = format!("{value:?} quarry {}", env!("CARGO_PKG_VERSION"));
    Ok(format!(
        "{:016x}",
        xxhash_rust::xxh3::xxh3_64(canonical.as_bytes())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(path: &Path) -> Target {
        Target {
            pipeline: path.to_path_buf(),
            inputs: vec![],
            output: None,
            threads: None,
            shard: None,
            shard_count: None,
        }
    }

    fn load_text(text: &str) -> Result<Plan> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p.toml");
        std::fs::write(&p, text).unwrap();
        load(&target(&p))
    }

    #[test]
    fn unknown_keys_name_the_key_and_the_file() {
        let err = load_text("[input]\npaths = [\"a\"]\nformt = \"text\"\n[output]\ndir = \"o\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("p.toml") && err.contains("formt") && err.contains("format"),
            "{err}"
        );
    }

    #[test]
    fn wrong_types_and_values_are_explained() {
        let err = load_text(
            "[input]\npaths = [\"a\"]\n[output]\ndir = \"o\"\n[run]\nthreads = \"two\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("threads"), "{err}");
        let err = load_text(
            "[input]\npaths = [\"a\"]\n[output]\ndir = \"o\"\n[run]\non_error = \"ignore\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("on_error") || err.contains("skip"), "{err}");
    }

    #[test]
    fn missing_inputs_and_output_are_errors() {
        assert!(load_text("[output]\ndir = \"o\"\n")
            .unwrap_err()
            .to_string()
            .contains("input.paths"));
        assert!(load_text("[input]\npaths = [\"a\"]\n")
            .unwrap_err()
            .to_string()
            .contains("output.dir"));
    }

    #[test]
    fn hash_ignores_paths_and_threads_but_not_rules() {
        let a = shaping_hash("[input]\npaths=[\"a\"]\n[run]\nthreads=1\n").unwrap();
        let b = shaping_hash("[input]\npaths=[\"b\"]\n[run]\nthreads=2\n").unwrap();
        let c = shaping_hash("[input]\npaths=[\"a\"]\n[segment]\nline_breaks=\"hard\"\n").unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
