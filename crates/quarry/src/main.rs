//! The `quarry` command: parses the command line and the pipeline file and
//! wires the stages. The work itself lives in the stage crates.

mod cli;
mod commands;
mod config;
mod ledger;
mod pipeline;
mod shard;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use cli::{Cli, Command, LogFormat};

/// Exit codes, as documented in `--help` and the README.
pub mod exit {
    pub const OK: u8 = 0;
    pub const FAILED: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const SKIPPED: u8 = 3;
    pub const LOCKED: u8 = 75;
    pub const INTERRUPTED: u8 = 130;
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    exit::OK
                }
                _ => exit::USAGE,
            });
        }
    };
    init_logging(cli.log_format, cli.quiet);
    let code = match cli.command {
        Command::Run { target, full } => commands::run(&target, full, cli.quiet),
        Command::Check { target } => commands::check(&target),
        Command::Status {
            output,
            pipeline,
            last,
        } => commands::status(&output, pipeline.as_deref(), last),
    };
    ExitCode::from(code)
}

/// jemalloc rather than glibc's malloc. Measured over the 1 GB bench corpus
/// (2 threads): glibc 20.6 s, 4.4 s of it in the kernel faulting in and
/// unmapping the large buffers it maps afresh for every document (its mmap
/// threshold stays at 128 KiB once tuned); jemalloc 17.0 s, 2.0 s in the
/// kernel, at about the same peak RSS (189 against 182 MB).
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's settings (the `_RJEM_MALLOC_CONF` variable still overrides
/// them): one arena, since the stages hand buffers from thread to thread and
/// per-thread arenas each kept their own free memory (peak RSS 274 MB with
/// jemalloc's defaults against 188 MB); freed pages go back to the system
/// after a second, not ten; each thread caches freed blocks of up to 4 KiB
/// rather than 32 KiB (peak RSS -3 to -5 MB on the bench inputs, the same
/// median time on the 20 MB part over 12 interleaved pairs).
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[allow(non_upper_case_globals)]
#[export_name = "_rjem_malloc_conf"]
pub static _rjem_malloc_conf: &[u8] =
    b"narenas:1,dirty_decay_ms:1000,muzzy_decay_ms:0,tcache_max:4096\0";

/// Gives the pages the pipeline freed back to the system before the
/// manifest is built. jemalloc returns them a second after they are freed,
/// so the records of a run over many inputs were allocated on top of the
/// pipeline's last buffers (100,000 small files: peak RSS 85-86 against 100-101 MB).
pub fn release_free_memory() {
    #[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
    // SAFETY: a documented control name with no value in or out.
    unsafe {
        // "arena.<MALLCTL_ARENAS_ALL>.purge": every arena.
        tikv_jemalloc_sys::mallctl(
            c"arena.4096.purge".as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
        );
    }
}

fn init_logging(format: LogFormat, quiet: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if quiet { "error" } else { "info" };
    let filter = EnvFilter::try_from_env("QUARRY_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    match format {
        LogFormat::Json => builder.json().with_current_span(false).init(),
        // Colour codes only for a person at a terminal, never in cron mail.
        LogFormat::Human => builder
            .with_ansi(std::io::stderr().is_terminal())
            .compact()
            .init(),
    }
}
