//! `cargo run -p quarry-clean --example clean -- [--no-dedup] [--no-boilerplate] FILE...`: prints the cleaned
//! text of each file to stdout and its stats to stderr.

use quarry_clean::{CleanConfig, Cleaner};

fn main() {
    let mut config = CleanConfig::default();
    let mut paths = Vec::new();
    for a in std::env::args().skip(1) {
        match a.as_str() {
            "--no-dedup" => config.dedup_paragraphs = false,
            "--no-boilerplate" => config.boilerplate = false,
            _ => paths.push(a),
        }
    }
    let cleaner = Cleaner::new(&config).expect("valid config");
    for path in paths {
        let raw = std::fs::read_to_string(&path).expect("readable UTF-8 file");
        let (c, s) = cleaner.clean_with_stats(&raw);
        eprintln!("{path}: removed {} {s:?}", c.removed_chars);
        println!("{}", c.text);
    }
}
