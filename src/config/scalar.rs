//! Deserializers for the raw layer's fields: every scalar is read as the file's text, expanded,
//! then checked, all inside serde_yaml's visitor call so a bad value is reported at its own line.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::error::OWN_MESSAGE_MARK;
use super::interpolate::expand;
use super::values;
use super::{KeepContainers, OnCancel, OnConflict};

/// Marks the message as ours, so the error layer can strip what serde_yaml wraps around it.
pub(super) fn own_error<E: de::Error>(message: impl fmt::Display) -> E {
    E::custom(format!("{OWN_MESSAGE_MARK}{message}"))
}

/// One scalar: read as text (so `tag: 1.10` stays "1.10"), expanded, then converted.
pub(super) struct Scalar<T> {
    expecting: &'static str,
    convert: fn(String) -> Result<T, String>,
}

impl<T> Clone for Scalar<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Scalar<T> {}

pub(super) const TEXT: Scalar<String> = Scalar {
    expecting: "a string",
    convert: Ok,
};
const COUNT: Scalar<Option<u32>> = Scalar {
    expecting: "a whole number",
    convert: |text| unless_blank(text, values::parse_count),
};
const SIGNED: Scalar<Option<i32>> = Scalar {
    expecting: "a whole number",
    convert: |text| unless_blank(text, values::parse_signed),
};
const FLAG: Scalar<Option<bool>> = Scalar {
    expecting: "true or false",
    convert: |text| unless_blank(text, values::parse_flag),
};
const DURATION: Scalar<Option<String>> = Scalar {
    expecting: "a duration such as 15m",
    convert: |text| {
        unless_blank(text, |text| {
            values::parse_duration(text).map(|_| text.trim().to_owned())
        })
    },
};
/// `poll_interval`: a duration, or `auto` (the adaptive pace, also what leaving it out means).
const POLL_INTERVAL: Scalar<Option<String>> = Scalar {
    expecting: "a duration such as 2s, or auto",
    convert: |text| {
        unless_blank(text, |text| match text.trim() {
            "auto" => Ok("auto".to_owned()),
            word if !word.contains(|c: char| c.is_ascii_digit()) => Err(format!(
                "invalid poll interval {word:?} (use auto, or a duration such as 2s)"
            )),
            _ => values::parse_duration(text).map(|_| text.trim().to_owned()),
        })
    },
};
const LAUNCH_TYPE: Scalar<Option<String>> = Scalar {
    expecting: "a launch type",
    convert: |text| unless_blank(text, values::parse_launch_type),
};
const ON_CANCEL: Scalar<Option<String>> = Scalar {
    expecting: "stop or leave",
    convert: |text| unless_blank(text, |text| keyword(text, OnCancel::KEYWORDS)),
};
const ON_CONFLICT: Scalar<Option<String>> = Scalar {
    expecting: "wait or fail",
    convert: |text| unless_blank(text, |text| keyword(text, OnConflict::KEYWORDS)),
};
const KEEP_CONTAINERS: Scalar<Option<String>> = Scalar {
    expecting: "dependencies or all",
    convert: |text| unless_blank(text, |text| keyword(text, KeepContainers::KEYWORDS)),
};

const TOOL: Scalar<Option<String>> = Scalar {
    expecting: "a migration tool's name",
    convert: |text| {
        unless_blank(text, |text| {
            text.parse::<crate::tools::ToolId>()
                .map(|id| id.as_str().to_owned())
                .map_err(|unknown| unknown.to_string())
        })
    },
};

const REGEX: Scalar<Option<String>> = Scalar {
    expecting: "a regular expression",
    convert: |text| {
        unless_blank(text, |text| {
            super::verify::check_regex(text).map(|()| text.to_owned())
        })
    },
};

const ERROR_PATTERN: Scalar<Option<String>> = Scalar {
    expecting: "a regular expression",
    convert: |text| {
        unless_blank(text, |text| {
            crate::migration_errors::check_pattern(text).map(|()| text.to_owned())
        })
    },
};

/// A typed value that expands to nothing (`cpu: ${CPU:-}`) is unset, like an empty string value.
fn unless_blank<T>(
    text: String,
    parse: fn(&str) -> Result<T, String>,
) -> Result<Option<T>, String> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        parse(&text).map(Some)
    }
}

/// Checks the keyword and keeps its canonical spelling as the raw value.
fn keyword<T: Copy>(text: &str, choices: &[(&str, T)]) -> Result<String, String> {
    values::parse_keyword(text, choices).map(|_| text.trim().to_ascii_lowercase())
}

impl<'de, T> Visitor<'de> for Scalar<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        let expanded = expand(text).map_err(own_error)?;
        (self.convert)(expanded).map_err(own_error)
    }
}

impl<'de, T> DeserializeSeed<'de> for Scalar<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_str(self)
    }
}

/// `null`, `~` or nothing at all mean "not set", like an absent key.
struct Optional<S>(S);

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Optional<S> {
    type Value = Option<S::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(deserializer).map(Some)
    }
}

pub(super) fn optional<'de, D: Deserializer<'de>, S: DeserializeSeed<'de>>(
    deserializer: D,
    seed: S,
) -> Result<Option<S::Value>, D::Error> {
    deserializer.deserialize_option(Optional(seed))
}

/// A list of strings; a single string is also accepted, as one item or (for resource ids, which
/// never contain commas) split on commas, so `subnets: ${SUBNETS}` works with `a,b`.
#[derive(Clone, Copy)]
struct TextList {
    comma_separated: bool,
}

impl<'de> Visitor<'de> for TextList {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of strings")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        let expanded = expand(text).map_err(own_error)?;
        Ok(if self.comma_separated {
            expanded
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(str::to_owned)
                .collect()
        } else {
            vec![expanded]
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Self::Value, A::Error> {
        let mut list = Vec::new();
        while let Some(item) = items.next_element_seed(TEXT)? {
            list.push(item);
        }
        Ok(list)
    }
}

impl<'de> DeserializeSeed<'de> for TextList {
    type Value = Vec<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// A mapping of names to strings; names are taken literally, values are expanded.
struct TextMap;

impl<'de> Visitor<'de> for TextMap {
    type Value = BTreeMap<String, String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping of names to values")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Self::Value, A::Error> {
        let mut map = BTreeMap::new();
        while let Some(name) = entries.next_key::<String>()? {
            let value = entries.next_value_seed(TEXT)?;
            map.insert(name, value);
        }
        Ok(map)
    }
}

impl<'de> DeserializeSeed<'de> for TextMap {
    type Value = BTreeMap<String, String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

macro_rules! field_deserializers {
    ($($(#[$doc:meta])* $name:ident -> Option<$value:ty> = $seed:expr, $finish:expr;)*) => {$(
        $(#[$doc])*
        pub(super) fn $name<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<$value>, D::Error> {
            optional(deserializer, $seed).map($finish)
        }
    )*};
}

// `Option::flatten` for the typed scalars, whose blank value also means unset.
field_deserializers! {
    text -> Option<String> = TEXT, |value| value;
    count -> Option<u32> = COUNT, Option::flatten;
    signed -> Option<i32> = SIGNED, Option::flatten;
    flag -> Option<bool> = FLAG, Option::flatten;
    duration -> Option<String> = DURATION, Option::flatten;
    poll_interval -> Option<String> = POLL_INTERVAL, Option::flatten;
    launch_type -> Option<String> = LAUNCH_TYPE, Option::flatten;
    on_cancel -> Option<String> = ON_CANCEL, Option::flatten;
    on_conflict -> Option<String> = ON_CONFLICT, Option::flatten;
    keep_containers -> Option<String> = KEEP_CONTAINERS, Option::flatten;
    error_pattern -> Option<String> = ERROR_PATTERN, Option::flatten;
    regex -> Option<String> = REGEX, Option::flatten;
    tool -> Option<String> = TOOL, Option::flatten;
    text_list -> Option<Vec<String>> = TextList { comma_separated: false }, |value| value;
    /// Subnet and security group ids: a list, or one comma-separated string.
    id_list -> Option<Vec<String>> = TextList { comma_separated: true }, |value| value;
    text_map -> Option<BTreeMap<String, String>> = TextMap, |value| value;
}
