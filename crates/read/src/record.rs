//! One JSONL record, parsed for the three fields a document needs.
//!
//! Parsing into a `serde_json::Value` builds a tree of every field and then
//! the text has to be copied out of it; here the configured fields are
//! taken as they are parsed (the text string moves straight into the
//! document) and every other field is skipped without being built.

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
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
            let value: Value = map.next_value()?;
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
