use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Examples:
  quarry run pipelines/gov_reports.toml
  quarry run pipelines/documents.toml --input ~/reports --output out/reports
  quarry run pipelines/documents.toml --input 'data/*.jsonl.gz' --threads 2 --quiet
  quarry check pipelines/documents.toml --input ~/reports
  quarry status out/reports
  quarry run pipelines/documents.toml --input s3://corpus/reports/ --output s3://lake/reports --shard auto

Exit codes:
  0    success
  1    the run failed (nothing of it is visible in the output)
  2    bad usage or configuration
  3    finished, but some records or files were skipped (see the log and the runs dataset)
  75   another run holds the output's lock, or another run of the same shard committed first (try again later)
  130  interrupted (Ctrl-C or SIGTERM); nothing of the run is visible";

#[derive(Debug, Parser)]
#[command(
    name = "quarry",
    version,
    about = "Streaming ETL for reports: read, clean, segment into sentences, extract the quantities they report, write Parquet.",
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// Log format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Human, global = true)]
    pub log_format: LogFormat,

    /// Print errors only (for cron).
    #[arg(long, short, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a pipeline: read the inputs, write the datasets under the output folder.
    Run {
        #[command(flatten)]
        target: Target,
        /// Reprocess every input, even those an earlier run already did (needed after a config change).
        #[arg(long)]
        full: bool,
    },
    /// Validate a pipeline file and its inputs, and print the plan. Writes nothing.
    Check {
        #[command(flatten)]
        target: Target,
    },
    /// Show the last runs of an output folder, their figures, and what is pending.
    Status {
        /// The output folder of a pipeline.
        output: PathBuf,
        /// A pipeline file: also list its inputs that are new or changed since the last run.
        #[arg(long)]
        pipeline: Option<PathBuf>,
        /// How many runs to show.
        #[arg(long, default_value_t = 10)]
        last: usize,
    },
}

#[derive(Debug, clap::Args)]
pub struct Target {
    /// The pipeline file (TOML).
    pub pipeline: PathBuf,
    /// Input file, directory, glob or object-store URL (s3://bucket/prefix/); may be repeated; replaces the file's inputs.
    #[arg(long = "input", short = 'i', value_name = "PATH|URL")]
    pub inputs: Vec<String>,
    /// Output folder or object-store URL (s3://bucket/prefix); replaces the file's output.dir.
    #[arg(long, short, value_name = "DIR|URL")]
    pub output: Option<PathBuf>,
    /// Worker threads for the CPU stages (default: the machine's cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Take only this shard's inputs: INDEX/COUNT (0-based), or `auto` from
    /// Slurm (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT) or a Kubernetes
    /// Indexed Job (JOB_COMPLETION_INDEX); 0/1 elsewhere.
    #[arg(long, value_name = "INDEX/COUNT|auto")]
    pub shard: Option<String>,
    /// The shard count for `--shard auto`: needed under Kubernetes, and when
    /// rerunning some tasks of a Slurm array; also read from QUARRY_SHARD_COUNT.
    #[arg(long, value_name = "N")]
    pub shard_count: Option<u32>,
}
