//! The read stage: turns files, directories and globs into documents.
//!
//! Formats: `text` (a whole file is one document, or a line pattern starts
//! each document) and `jsonl` (one document per line). `.gz` and `.zst` are
//! decompressed by extension; encodings are detected (UTF-8, UTF-16 with BOM,
//! GBK/GB18030, Big5) unless forced. Bad input is reported with the file and
//! the line or byte offset, and memory stays bounded by `max_document_bytes`.

mod decode;
mod inputs;
mod lines;
mod record;

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;

use encoding_rs::{Encoding, UTF_8};
use quarry_core::{Document, Error, Location};
use serde::Deserialize;

pub use decode::encoding_for_label;
pub use inputs::{
    hash_file, normalize, resolve_all, resolve_inputs, ContentDigest, InputFile, ObjectInput,
    RemoteAccess,
};
use lines::LimitedLines;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// From the file extension: `.jsonl`/`.ndjson` are JSONL, anything else text.
    #[default]
    Auto,
    Text,
    Jsonl,
}

/// The `[input]` table of a pipeline.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReadConfig {
    /// Files, directories (read recursively) and glob patterns.
    pub paths: Vec<String>,
    pub format: Format,
    /// For text: a regular expression; a line that matches starts a new
    /// document. Unset: one document per file.
    pub document_start: Option<String>,
    /// `auto`, or an encoding label such as `utf-8`, `gbk`, `gb18030`, `big5`, `utf-16le`.
    pub encoding: String,
    /// JSONL field names.
    pub text_field: String,
    pub id_field: String,
    pub title_field: String,
    /// File extensions taken when a directory is read (compressed ones too: `txt.gz`).
    pub extensions: Vec<String>,
    /// A larger document is skipped with a message, so memory stays bounded.
    pub max_document_bytes: u64,
}

impl Default for ReadConfig {
    fn default() -> Self {
        ReadConfig {
            paths: Vec::new(),
            format: Format::Auto,
            document_start: None,
            encoding: "auto".into(),
            text_field: "text".into(),
            id_field: "id".into(),
            title_field: "title".into(),
            extensions: ["txt", "md", "jsonl", "ndjson"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            max_document_bytes: 64 * 1024 * 1024,
        }
    }
}

/// What the reader hands on: a document, or an error about one record or a
/// whole file. Returning `false` from the sink stops reading.
pub type Sink<'a> = dyn FnMut(Result<Document, Error>) -> bool + 'a;

#[derive(Debug)]
pub struct Reader {
    config: ReadConfig,
    document_start: Option<regex::Regex>,
    forced_encoding: Option<&'static Encoding>,
}

impl Reader {
    pub fn new(config: &ReadConfig) -> Result<Self, String> {
        let document_start = match &config.document_start {
            Some(p) => Some(regex::Regex::new(p).map_err(|e| {
                format!("input.document_start: not a valid regular expression: {e}")
            })?),
            None => None,
        };
        let forced_encoding = match config.encoding.trim().to_ascii_lowercase().as_str() {
            "auto" | "" => None,
            label => Some(encoding_for_label(label).ok_or_else(|| {
                format!(
                    "input.encoding: unknown encoding `{label}`; use `auto` or a label such as utf-8, gbk, gb18030, big5, utf-16le"
                )
            })?),
        };
        if config.max_document_bytes == 0 {
            return Err("input.max_document_bytes: must be greater than 0".into());
        }
        Ok(Reader {
            config: config.clone(),
            document_start,
            forced_encoding,
        })
    }

    pub fn format_of(&self, input: &InputFile) -> Format {
        match self.config.format {
            Format::Auto => {
                let name = input.path.to_string_lossy().to_ascii_lowercase();
                let name = name
                    .trim_end_matches(".gz")
                    .trim_end_matches(".zst")
                    .to_string();
                if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
                    Format::Jsonl
                } else {
                    Format::Text
                }
            }
            f => f,
        }
    }

    /// Reads one input and passes each document (or error) to `sink`.
    pub fn read(&self, input: &InputFile, sink: &mut Sink<'_>) {
        self.read_digesting(input, None, sink)
    }

    /// [`Reader::read`], also feeding a local file's raw bytes to `digest`.
    pub fn read_digesting(
        &self,
        input: &InputFile,
        digest: Option<&ContentDigest>,
        sink: &mut Sink<'_>,
    ) {
        let source: Arc<str> = input.source.as_str().into();
        let mut stream = match inputs::open(input, digest) {
            Ok(s) => s,
            Err(e) => {
                sink(Err(e));
                return;
            }
        };
        let head = match read_head(&mut stream) {
            Ok(h) => h,
            Err(e) => {
                sink(Err(read_error(&source, 0, e)));
                return;
            }
        };
        if head.is_empty() {
            sink(Err(Error::bad_input(
                Location::file(&*source),
                "empty file: no document to read",
            )));
            return;
        }
        if decode::looks_binary(&head) {
            sink(Err(Error::bad_input(
                Location::file(&*source).at_byte(memchr::memchr(0, &head).unwrap_or(0) as u64),
                "binary file (NUL bytes), not text; remove it from the inputs or narrow `extensions`",
            )));
            return;
        }
        let complete = head.len() < decode::SNIFF_BYTES;
        let encoding = self
            .forced_encoding
            .unwrap_or_else(|| decode::sniff(&head, complete));
        let format = self.format_of(input);
        // The sniffed bytes go back in front of the rest of the stream.
        let reader = BufReader::with_capacity(
            decode::SNIFF_BYTES,
            std::io::Cursor::new(head).chain(stream),
        );
        // UTF-16 cannot be split at 0x0A bytes, so it is decoded whole.
        let line_mode = !decode::is_utf16(encoding)
            && (format == Format::Jsonl || self.document_start.is_some());
        if !line_mode {
            // A compressed file's size says little about its text: let it grow.
            let plain = inputs::compression(input) == inputs::Compression::None;
            let hint = if plain { input.size } else { 0 };
            self.read_whole(reader, hint, &source, encoding, sink);
        } else if format == Format::Jsonl {
            self.read_jsonl(reader, &source, encoding, sink);
        } else {
            self.read_text_documents(reader, &source, encoding, sink);
        }
    }

    fn read_whole(
        &self,
        reader: impl Read,
        size_hint: u64,
        source: &Arc<str>,
        encoding: &'static Encoding,
        sink: &mut Sink<'_>,
    ) {
        let max = self.config.max_document_bytes;
        // Sized once from the file's size: growing by doubling copies the text.
        let mut bytes = Vec::with_capacity(size_hint.min(max) as usize + 1);
        if let Err(e) = reader.take(max + 1).read_to_end(&mut bytes) {
            sink(Err(read_error(source, bytes.len() as u64, e)));
            return;
        }
        if bytes.len() as u64 > max {
            sink(Err(too_large(Location::file(&**source), max)));
            return;
        }
        let source_bytes = bytes.len() as u64;
        let text = match decode::decode_owned(bytes, encoding) {
            Ok(t) => t,
            Err((bytes, e)) => {
                sink(Err(decode_error(source, &bytes, e.byte, 0, 1, encoding)));
                return;
            }
        };
        if text.trim().is_empty() {
            sink(Err(Error::bad_input(
                Location::file(&**source),
                "file holds no text",
            )));
            return;
        }
        let mut doc = Document::new(Arc::clone(source), 0, text);
        doc.source_bytes = source_bytes;
        doc.title = guess_title(&doc.text);
        sink(Ok(doc));
    }

    fn read_text_documents(
        &self,
        reader: impl BufRead,
        source: &Arc<str>,
        encoding: &'static Encoding,
        sink: &mut Sink<'_>,
    ) {
        let start = self
            .document_start
            .as_ref()
            .expect("line mode for text needs document_start");
        let max = self.config.max_document_bytes;
        let mut current = PendingDocument::default();
        let mut ordinal = 0u32;
        let mut lines = LimitedLines::new(reader, max);
        loop {
            let line = match lines.next_line() {
                Ok(Some(l)) => l,
                Ok(None) => break,
                Err(e) => {
                    sink(Err(read_error(source, lines.offset(), e)));
                    return;
                }
            };
            let text = match decode_line(line.bytes, encoding) {
                Ok(t) => t,
                Err(byte) => {
                    let err =
                        decode_error(source, line.bytes, byte, line.offset, line.number, encoding);
                    if !sink(Err(err)) {
                        return;
                    }
                    continue;
                }
            };
            let body = text.trim_end_matches(['\n', '\r']);
            if start.is_match(body)
                && current.has_text()
                && !current.emit(source, &mut ordinal, max, sink)
            {
                return;
            }
            current.start_line.get_or_insert(line.number);
            current.oversized |= line.truncated;
            if !current.oversized {
                current.bytes += line.bytes.len() as u64;
                current.oversized = current.bytes > max;
                current.text.push_str(&text);
            }
            if current.oversized {
                current.text = String::new();
            }
        }
        if current.has_text() || current.oversized {
            current.emit(source, &mut ordinal, max, sink);
        }
    }

    fn read_jsonl(
        &self,
        reader: impl BufRead,
        source: &Arc<str>,
        encoding: &'static Encoding,
        sink: &mut Sink<'_>,
    ) {
        let max = self.config.max_document_bytes;
        let mut lines = LimitedLines::new(reader, max);
        let mut record = 0u32;
        loop {
            let line = match lines.next_line() {
                Ok(Some(l)) => l,
                Ok(None) => return,
                Err(e) => {
                    sink(Err(read_error(source, lines.offset(), e)));
                    return;
                }
            };
            if line.bytes.iter().all(u8::is_ascii_whitespace) && !line.truncated {
                continue;
            }
            let ordinal = record;
            record += 1;
            let location = Location::file(&**source)
                .at_line(line.number)
                .at_byte(line.offset);
            let result = if line.truncated {
                Err(too_large(location, max))
            } else {
                self.parse_record(line.bytes, encoding, source, ordinal, location)
            };
            if !sink(result) {
                return;
            }
        }
    }

    fn parse_record(
        &self,
        bytes: &[u8],
        encoding: &'static Encoding,
        source: &Arc<str>,
        ordinal: u32,
        location: Location,
    ) -> Result<Document, Error> {
        let text = decode_line(bytes, encoding).map_err(|byte| {
            Error::bad_input(
                location.clone(),
                format!("invalid {} at byte {} of the line", encoding.name(), byte),
            )
        })?;
        let names = record::FieldNames {
            text: &self.config.text_field,
            id: &self.config.id_field,
            title: &self.config.title_field,
        };
        let fields = match record::parse(&text, &names) {
            Ok(record::Parsed::Object(fields)) => fields,
            Ok(record::Parsed::NotAnObject) => {
                return Err(Error::bad_input(location, "not a JSON object"))
            }
            Err(e) => return Err(Error::bad_input(location, format!("not JSON: {e}"))),
        };
        let field = &self.config.text_field;
        let body = match fields.text {
            Some(serde_json::Value::String(s)) => s,
            Some(_) => {
                return Err(Error::bad_input(
                    location,
                    format!("field `{field}` is not a string"),
                ))
            }
            None => {
                return Err(Error::bad_input(
                    location,
                    format!(
                    "no field `{field}` (set input.text_field to the field that holds the text)"
                ),
                ))
            }
        };
        let mut doc = Document::new(Arc::clone(source), ordinal, body);
        doc.source_bytes = bytes.len() as u64;
        if let Some(id) = fields.id.and_then(scalar_string) {
            doc.doc_id = id;
        }
        doc.title = fields.title.and_then(scalar_string);
        Ok(doc)
    }
}

#[derive(Default)]
struct PendingDocument {
    text: String,
    bytes: u64,
    start_line: Option<u64>,
    oversized: bool,
}

impl PendingDocument {
    fn has_text(&self) -> bool {
        !self.text.trim().is_empty()
    }

    /// Hands the document on (a document with no text is dropped) and resets.
    fn emit(
        &mut self,
        source: &Arc<str>,
        ordinal: &mut u32,
        max: u64,
        sink: &mut Sink<'_>,
    ) -> bool {
        let done = std::mem::take(self);
        let location = Location::file(&**source).at_line(done.start_line.unwrap_or(1));
        let result = if done.oversized {
            Err(too_large(location, max))
        } else if !done.has_text() {
            return true;
        } else {
            let mut doc = Document::new(Arc::clone(source), *ordinal, done.text);
            doc.source_bytes = done.bytes;
            doc.title = guess_title(&doc.text);
            Ok(doc)
        };
        *ordinal += 1;
        sink(result)
    }
}

fn scalar_string(v: serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) if !s.is_empty() => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A short first line without sentence punctuation reads as a title.
pub fn guess_title(text: &str) -> Option<String> {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let chars = first.chars().count();
    let ends_sentence =
        first.ends_with(['。', '！', '？', '.', '!', '?', '；', ';', '，', ',', '…']);
    (chars <= 60 && !ends_sentence).then(|| first.to_string())
}

/// The first SNIFF_BYTES of a stream (fewer only when it ends sooner): a
/// decompressor's single read may return less, and a short head would be
/// taken for the whole file when choosing the encoding.
fn read_head(stream: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(decode::SNIFF_BYTES);
    stream
        .take(decode::SNIFF_BYTES as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// A line as text: borrowed when it is UTF-8 already, which is the rule.
fn decode_line<'a>(bytes: &'a [u8], encoding: &'static Encoding) -> Result<Cow<'a, str>, usize> {
    if encoding == UTF_8 {
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        return decode::utf8(body)
            .map(Cow::Borrowed)
            .map_err(|byte| byte + (bytes.len() - body.len()));
    }
    decode::decode_strict(bytes, encoding)
        .map(Cow::Owned)
        .map_err(|e| e.byte)
}

fn decode_error(
    source: &str,
    bytes: &[u8],
    byte_in_bytes: usize,
    base_offset: u64,
    base_line: u64,
    encoding: &'static Encoding,
) -> Error {
    let line = base_line
        + memchr::memchr_iter(b'\n', &bytes[..byte_in_bytes.min(bytes.len())]).count() as u64;
    let hint = if encoding == UTF_8 {
        "; if the file is in a legacy encoding, set input.encoding (e.g. \"gbk\", \"big5\")"
    } else {
        ""
    };
    Error::bad_input(
        Location::file(source)
            .at_line(line)
            .at_byte(base_offset + byte_in_bytes as u64),
        format!("invalid {} byte sequence{hint}", encoding.name()),
    )
}

fn read_error(source: &str, offset: u64, e: std::io::Error) -> Error {
    let what = match e.kind() {
        std::io::ErrorKind::UnexpectedEof => {
            "input ends early (truncated or corrupt compressed file?)".to_string()
        }
        _ => format!("read failed: {e} (truncated or corrupt compressed file?)"),
    };
    Error::bad_input(Location::file(source).at_byte(offset), what)
}

fn too_large(location: Location, max: u64) -> Error {
    Error::bad_input(
        location,
        format!("document larger than input.max_document_bytes ({max} bytes); skipped — raise the limit or split the input"),
    )
}

#[cfg(test)]
mod tests;
