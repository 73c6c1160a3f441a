//! `cargo run --release -p quarry-clean --example throughput [DIR]`: MB/s of
//! the cleaner per corpus on one core (default DIR: /work/shared/corpora).
//! Time is CPU time of the process (from /proc/self/schedstat where there
//! is one), so that other jobs on a shared machine do not count.

use quarry_clean::{CleanConfig, Cleaner};
use std::time::Instant;

fn files(dir: &std::path::Path, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("txt" | "md")) {
            if let Ok(s) = std::fs::read_to_string(&p) {
                out.push(s);
            }
        }
    }
}

/// Nanoseconds this process has run on a CPU, or wall time as a fallback.
fn cpu_secs(start: Instant) -> f64 {
    std::fs::read_to_string("/proc/self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or_else(|| start.elapsed().as_secs_f64(), |ns| ns / 1e9)
}

fn main() {
    let root = std::env::args()
        .nth(1)
        .unwrap_or(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpora").into());
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("corpus folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for (label, config) in [
        ("all steps", CleanConfig::default()),
        (
            "no dedup",
            CleanConfig {
                dedup_paragraphs: false,
                ..Default::default()
            },
        ),
    ] {
        let cleaner = Cleaner::new(&config).unwrap();
        println!("== {label} (CPU time)");
        let (mut all_bytes, mut all_secs) = (0usize, 0f64);
        for d in &dirs {
            let mut docs = Vec::new();
            files(d, &mut docs);
            let bytes: usize = docs.iter().map(String::len).sum();
            let rounds = (200_000_000 / bytes.max(1)).clamp(1, 50);
            let t0 = cpu_secs(Instant::now());
            let mut sink = 0usize;
            for _ in 0..rounds {
                for doc in &docs {
                    sink += cleaner.clean(doc).text.len();
                }
            }
            let secs = (cpu_secs(Instant::now()) - t0) / rounds as f64;
            std::hint::black_box(sink);
            all_bytes += bytes;
            all_secs += secs;
            println!(
                "{:<34} {:>10} bytes {:>8.1} MB/s",
                d.file_name().unwrap().to_string_lossy(),
                bytes,
                bytes as f64 / secs / 1e6
            );
        }
        println!(
            "{:<34} {:>10} bytes {:>8.1} MB/s",
            "total",
            all_bytes,
            all_bytes as f64 / all_secs / 1e6
        );
    }
}
