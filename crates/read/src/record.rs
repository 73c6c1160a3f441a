//! One JSONL record, parsed for the three fields a document needs.
//!
//! Parsing into a `serde_json::Value` builds a tree of every field and then
//! the text has to be copied out of it; here the configured fields are
//! taken as they are parsed (the text string moves straight into the
//! document) and every other field is skipped without being built.
//!
//! The text is unescaped from the line into a string sized once. serde_json
//! unescapes a string with escapes (every multi-line text has `\n`) into a
//! scratch buffer that grows by doubling, then copies it out: for a 2 MB
//! record that was up to 4 MB of scratch on top of the line and the text.

use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

/// The names of the fields to take.
pub(crate) struct FieldNames<'a> {
    pub text: &'a str,
    pub id: &'a str,
    pub title: &'a str,
}

/// The fields taken from one record; a field given twice keeps its last
/// value, as `serde_json::Value` does.
#[derive(Debug, Default)]
pub(crate) struct Fields {
    pub text: Option<Value>,
    pub id: Option<Value>,
    pub title: Option<Value>,
}

pub(crate) enum Parsed {
    Object(Fields),
    NotAnObject,
}

/// Parses `line` as one JSON value; `Err` carries serde_json's message.
pub(crate) fn parse(line: &str, names: &FieldNames<'_>) -> Result<Parsed, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(line);
    let parsed = RecordSeed(names).deserialize(&mut de)?;
    de.end()?;
    Ok(parsed)
}

struct RecordSeed<'n, 'a>(&'n FieldNames<'a>);

impl<'de> DeserializeSeed<'de> for RecordSeed<'_, '_> {
    type Value = Parsed;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Parsed, D::Error> {
        d.deserialize_any(RecordVisitor(self.0))
    }
}

struct RecordVisitor<'n, 'a>(&'n FieldNames<'a>);

impl RecordVisitor<'_, '_> {
    fn other<E>(self) -> Result<Parsed, E> {
        Ok(Parsed::NotAnObject)
    }
}

impl<'de> Visitor<'de> for RecordVisitor<'_, '_> {
    type Value = Parsed;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Parsed, M::Error> {
        let mut fields = Fields::default();
        while let Some(role) = map.next_key_seed(KeySeed(self.0))? {
            if role == Role::default() {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let value: Value = if role.text {
                map.next_value_seed(TextSeed)?
            } else {
                map.next_value()?
            };
            // One field may serve several roles when the config names it twice.
            if role.id {
                fields.id = Some(value.clone());
            }
            if role.title {
                fields.title = Some(value.clone());
            }
            if role.text {
                fields.text = Some(value);
            }
        }
        Ok(Parsed::Object(fields))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Parsed, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.other()
    }

    fn visit_bool<E>(self, _: bool) -> Result<Parsed, E> {
        self.other()
    }
    fn visit_i64<E>(self, _: i64) -> Result<Parsed, E> {
        self.other()
    }
    fn visit_u64<E>(self, _: u64) -> Result<Parsed, E> {
        self.other()
    }
    fn visit_f64<E>(self, _: f64) -> Result<Parsed, E> {
        self.other()
    }
    fn visit_str<E>(self, _: &str) -> Result<Parsed, E> {
        self.other()
    }
    fn visit_unit<E>(self) -> Result<Parsed, E> {
        self.other()
    }
}

/// The text field's value: a string is unescaped by [`unescape`], anything
/// else (or a string it leaves to serde_json) is parsed as before.
struct TextSeed;

impl<'de> DeserializeSeed<'de> for TextSeed {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        let raw = <&'de RawValue>::deserialize(d)?;
        if let Some(text) = unescape(raw.get()) {
            return Ok(Value::String(text));
        }
        serde_json::from_str(raw.get()).map_err(de::Error::custom)
    }
}

/// A JSON string literal (quotes included, already checked by serde_json's
/// scan) as a string, written once into its final buffer. `None` for
/// anything else, and for a lone surrogate escape, which serde_json reports.
fn unescape(json: &str) -> Option<String> {
    let body = json.strip_prefix('"')?.strip_suffix('"')?;
    let bytes = body.as_bytes();
    // Escapes only shrink: the body's length is enough.
    let mut out = String::with_capacity(body.len());
    let mut start = 0;
    while let Some(k) = memchr::memchr(b'\\', &bytes[start..]) {
        let at = start + k;
        out.push_str(&body[start..at]);
        let (c, len) = match *bytes.get(at + 1)? {
            b'"' => ('"', 2),
            b'\\' => ('\\', 2),
            b'/' => ('/', 2),
            b'b' => ('\u{8}', 2),
            b'f' => ('\u{c}', 2),
            b'n' => ('\n', 2),
            b'r' => ('\r', 2),
            b't' => ('\t', 2),
            b'u' => {
                let high = hex4(bytes.get(at + 2..at + 6)?)?;
                match high {
                    0xD800..=0xDBFF => {
                        if bytes.get(at + 6..at + 8)? != b"\\u" {
                            return None;
                        }
                        let low = hex4(bytes.get(at + 8..at + 12)?)?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return None;
                        }
                        let c = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                        (char::from_u32(c)?, 12)
                    }
                    0xDC00..=0xDFFF => return None,
                    _ => (char::from_u32(high)?, 6),
                }
            }
            _ => return None,
        };
        out.push(c);
        start = at + len;
    }
    out.push_str(&body[start..]);
    Some(out)
}

/// Four hex digits as a number.
fn hex4(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |n, &d| {
        let v = (d as char).to_digit(16)?;
        Some(n << 4 | v)
    })
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Role {
    text: bool,
    id: bool,
    title: bool,
}

struct KeySeed<'n, 'a>(&'n FieldNames<'a>);

impl<'de> DeserializeSeed<'de> for KeySeed<'_, '_> {
    type Value = Role;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Role, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_, '_> {
    type Value = Role;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E>(self, key: &str) -> Result<Role, E> {
        Ok(Role {
            text: key == self.0.text,
            id: key == self.0.id,
            title: key == self.0.title,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: FieldNames<'static> = FieldNames {
        text: "text",
        id: "id",
        title: "title",
    };

    fn fields(line: &str) -> Fields {
        match parse(line, &NAMES).unwrap() {
            Parsed::Object(f) => f,
            Parsed::NotAnObject => panic!("not an object: {line}"),
        }
    }

    #[test]
    fn takes_the_named_fields_and_skips_the_rest() {
        let f = fields(
            r#"{"meta":{"a":[1,2,{"text":"nested"}]},"id":7,"text":"正文\n\"q\"","title":"T"}"#,
        );
        assert_eq!(f.text, Some(Value::String("正文\n\"q\"".into())));
        assert_eq!(f.id, Some(Value::from(7)));
        assert_eq!(f.title, Some(Value::String("T".into())));
    }

    #[test]
    fn escaped_keys_match_and_the_last_duplicate_wins() {
        let f = fields(r#"{"te\u0078t":"first","text":"second"}"#);
        assert_eq!(f.text, Some(Value::String("second".into())));
    }

    #[test]
    fn one_field_may_serve_two_roles() {
        let names = FieldNames {
            text: "body",
            id: "body",
            title: "title",
        };
        let Parsed::Object(f) = parse(r#"{"body":"x"}"#, &names).unwrap() else {
            panic!()
        };
        assert_eq!(f.text, f.id);
    }

    /// Every char as `\\uXXXX` (UTF-16 pairs above the BMP), as
    /// `json.dumps(ensure_ascii=True)` writes non-ASCII text.
    fn ascii_escaped(s: &str) -> String {
        let mut out = String::from("\"");
        for unit in s.encode_utf16() {
            out.push_str(&format!("\\u{unit:04x}"));
        }
        out.push('"');
        out
    }

    #[test]
    fn text_is_unescaped_as_serde_json_does() {
        let mut samples: Vec<String> = vec![
            String::new(),
            "plain".into(),
            "正文\n第二行\t\"引号\" \\ / \u{8}\u{c}\r".into(),
            "emoji 😀 and 𠀀 beyond the BMP".into(),
            "\u{0}\u{1f}\u{7f}\u{2028}".into(),
        ];
        // Pseudo-random text over quotes, backslashes, controls, CJK, astral.
        let pool: Vec<char> = "a\"\\/\n\r\t\u{1}\u{8}中文😀 é\u{ffff}\u{10ffff}"
            .chars()
            .collect();
        let mut x = 0x2545_f491_u64;
        for len in 0..200 {
            let text: String = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    pool[(x % pool.len() as u64) as usize]
                })
                .collect();
            samples.push(text);
        }
        for text in &samples {
            for json in [serde_json::to_string(text).unwrap(), ascii_escaped(text)] {
                let line = format!("{{\"text\":{json}}}");
                assert_eq!(
                    fields(&line).text,
                    Some(Value::String(text.clone())),
                    "{json}"
                );
                assert_eq!(unescape(&json).as_deref(), Some(text.as_str()), "{json}");
            }
        }
    }

    #[test]
    fn lone_surrogates_and_non_strings_go_through_serde_json() {
        for bad in [r#""\ud800""#, r#""\udc00x""#, r#""\ud800\u0041""#] {
            assert_eq!(unescape(bad), None, "{bad}");
            let line = format!("{{\"text\":{bad}}}");
            // rejected as serde_json rejects it
            assert!(parse(&line, &NAMES).is_err(), "{bad}");
            assert!(serde_json::from_str::<Value>(&line).is_err(), "{bad}");
        }
        let f = fields(r#"{"text":{"a":[1,"\n"]},"id":"x"}"#);
        assert_eq!(f.text, Some(serde_json::json!({"a": [1, "\n"]})));
        assert_eq!(fields(r#"{"text":12.5}"#).text, Some(Value::from(12.5)));
    }

    #[test]
    fn non_objects_and_bad_json_are_told_apart() {
        for line in ["[1,2]", "\"text\"", "3", "null", "true"] {
            assert!(
                matches!(parse(line, &NAMES), Ok(Parsed::NotAnObject)),
                "{line}"
            );
        }
        for line in ["{\"text\":", "{\"text\":\"a\"} x", "{text:1}", ""] {
            assert!(parse(line, &NAMES).is_err(), "{line}");
        }
    }
}
