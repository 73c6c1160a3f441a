use std::fmt;

/// Where in the input something went wrong. Every error about input data
/// carries one, so that a message always names the file and the position.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    pub source: String,
    /// 1-based line number.
    pub line: Option<u64>,
    /// 0-based byte offset into the (decompressed) source.
    pub byte: Option<u64>,
}

impl Location {
    pub fn file(source: impl Into<String>) -> Self {
        Location {
            source: source.into(),
            ..Default::default()
        }
    }

    pub fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    pub fn at_byte(mut self, byte: u64) -> Self {
        self.byte = Some(byte);
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        match (self.line, self.byte) {
            (Some(l), Some(b)) => write!(f, ":{l} (byte {b})"),
            (Some(l), None) => write!(f, ":{l}"),
            (None, Some(b)) => write!(f, " at byte {b}"),
            (None, None) => Ok(()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that cannot be read as the pipeline expects: a bad record, a
    /// bad encoding, a truncated archive. With `on_error = "skip"` the run
    /// goes on without it.
    #[error("{location}: {message}")]
    BadInput { location: Location, message: String },
    /// An I/O failure on an input or output path.
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A failure of the pipeline itself (a stage panicked, a channel closed).
    #[error("{0}")]
    Pipeline(String),
    /// The run was interrupted (Ctrl-C, SIGTERM).
    #[error("interrupted")]
    Interrupted,
}

impl Error {
    pub fn bad_input(location: Location, message: impl Into<String>) -> Self {
        Error::BadInput {
            location,
            message: message.into(),
        }
    }

    pub fn io(path: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// Whether `on_error = "skip"` may pass over this error and go on.
    pub fn is_skippable(&self) -> bool {
        matches!(self, Error::BadInput { .. })
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_names_file_line_and_byte() {
        assert_eq!(
            Location::file("a.jsonl").at_line(3).to_string(),
            "a.jsonl:3"
        );
        assert_eq!(
            Location::file("a.txt").at_byte(10).to_string(),
            "a.txt at byte 10"
        );
        let e = Error::bad_input(Location::file("x.jsonl").at_line(2), "not JSON");
        assert_eq!(e.to_string(), "x.jsonl:2: not JSON");
        assert!(e.is_skippable());
    }
}
