//! Throughput of `Segmenter::segment` on Chinese (hprc national reports) and
//! English (State of the Union) text, single-threaded, so MB/s is per core.
//! Run: `cargo bench -p quarry-segment --bench segment_speed`.

use quarry_segment::{SegmentConfig, Segmenter};
use std::path::Path;
use std::time::Instant;

fn load(dir: &str) -> Vec<String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read_to_string(Path::new(p)).unwrap())
        .collect()
}

/// Nanoseconds this thread has run on a CPU (Linux schedstat), so the figure
/// is per core even while other jobs share the machine; wall time otherwise.
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn bench(name: &str, docs: &[String], rounds: usize) {
    let seg = Segmenter::new(&SegmentConfig::default());
    let bytes: usize = docs.iter().map(String::len).sum();
    let mut sentences = 0usize;
    // warm-up round, not timed
    for d in docs {
        sentences += seg.segment(d).len();
    }
    let mut best = f64::INFINITY;
    let mut total = 0.0;
    let mut cpu_total = 0.0;
    for _ in 0..rounds {
        let c0 = cpu_ns();
        let t = Instant::now();
        let mut n = 0usize;
        for d in docs {
            n += std::hint::black_box(seg.segment(std::hint::black_box(d))).len();
        }
        assert_eq!(n, sentences);
        let s = t.elapsed().as_secs_f64();
        let cpu = match (c0, cpu_ns()) {
            (Some(a), Some(b)) => (b - a) as f64 / 1e9,
            _ => s,
        };
        best = best.min(cpu);
        total += s;
        cpu_total += cpu;
    }
    // Reference: one pass that only counts chars, to show what this machine
    // does per byte while other jobs share it.
    let c0 = cpu_ns();
    let t = Instant::now();
    let mut chars = 0usize;
    for _ in 0..rounds {
        for d in docs {
            chars += std::hint::black_box(d.as_bytes())
                .iter()
                .filter(|&&x| (x as i8) >= -0x40)
                .count();
        }
    }
    let count_s = match (c0, cpu_ns()) {
        (Some(a), Some(b)) => (b - a) as f64 / 1e9,
        _ => t.elapsed().as_secs_f64(),
    };
    std::hint::black_box(chars);
    let mb = bytes as f64 / 1e6;
    println!(
        "{name}: {:.1} MB in {} docs, {sentences} sentences; {:.0} MB/s per core (CPU time; best round {:.0}); wall clock {:.0} MB/s ({rounds} rounds)",
        mb,
        docs.len(),
        mb * rounds as f64 / cpu_total,
        mb / best,
        mb * rounds as f64 / total,
    );
    println!(
        "  reference: counting chars alone runs at {:.0} MB/s",
        mb / count_s
    );
}

fn main() {
    let rounds = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(10);
    // ONLY=zh or ONLY=en runs one corpus (for profiling).
    let only = std::env::var("ONLY").unwrap_or_default();
    if only != "en" {
        let zh = load(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/corpora/cn_gwr_national_hprc"
        ));
        bench("zh (cn_gwr_national_hprc)", &zh, rounds);
    }
    if only != "zh" {
        let en = load(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/corpora/en_us_sotu_1900_2021"
        ));
        bench("en (en_us_sotu_1900_2021)", &en, rounds);
    }
}
