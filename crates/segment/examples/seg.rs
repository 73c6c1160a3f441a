//! Prints the sentences of a file (or stdin), one per line, for eyeballing.
use quarry_segment::{LineBreaks, SegmentConfig, Segmenter};
use std::io::Read;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut text = String::new();
    match args.get(1).map(String::as_str) {
        Some("-") | None => {
            std::io::stdin().read_to_string(&mut text).unwrap();
        }
        Some(p) => text = std::fs::read_to_string(p).unwrap(),
    }
    let line_breaks = match args.get(2).map(String::as_str) {
        Some("hard") => LineBreaks::Hard,
        Some("paragraph") => LineBreaks::Paragraph,
        _ => LineBreaks::Auto,
    };
    let seg = Segmenter::new(&SegmentConfig { line_breaks });
    for s in seg.segment(&text) {
        println!("{}\t{}\t{}\t{}", s.char_start, s.char_end, s.lang, s.text);
    }
}
