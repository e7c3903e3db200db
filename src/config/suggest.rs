//! The "did you mean" part of unknown-key errors: a close spelling in the same section, or the
//! section where a misplaced key belongs (e.g. `subnets` at the top instead of under `network`).

use serde::Deserialize;
use serde::de::{self, Visitor};

use super::{RawBuild, RawImage, RawNetwork, RawReport};

/// Explains an unknown `key` given the keys valid at that place.
pub(super) fn unknown_key(key: &str, at_top_level: bool, valid: &[&str]) -> String {
    let closest = valid
        .iter()
        .map(|candidate| (strsim::jaro_winkler(key, candidate), *candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((_, candidate)) = closest {
        return format!("unknown key (did you mean `{candidate}`?)");
    }
    if at_top_level && let Some(section) = section_holding(key) {
        return format!("unknown key at the top level (it belongs under `{section}`)");
    }
    if valid.is_empty() {
        "unknown key (this section takes no keys)".to_owned()
    } else {
        format!("unknown key (valid keys: {})", valid.join(", "))
    }
}

fn section_holding(key: &str) -> Option<&'static str> {
    let sections = [
        ("network", field_names::<RawNetwork>()),
        ("image", field_names::<RawImage>()),
        ("image.build", field_names::<RawBuild>()),
        ("report", field_names::<RawReport>()),
    ];
    sections
        .into_iter()
        .find(|(_, fields)| fields.contains(&key))
        .map(|(section, _)| section)
}

/// The keys a derived struct accepts, as serde's derive reports them to the deserializer; this
/// keeps the hint in step with the structs without a second hand-written list.
fn field_names<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut recorder = FieldRecorder::default();
    let _ = T::deserialize(&mut recorder);
    recorder.fields
}

#[derive(Default)]
struct FieldRecorder {
    fields: &'static [&'static str],
}

impl<'de> de::Deserializer<'de> for &mut FieldRecorder {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("only records field names"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.fields = fields;
        Err(de::Error::custom("only records field names"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_spellings_then_sections_then_lists() {
        let network = field_names::<RawNetwork>();
        assert_eq!(network, ["subnets", "security_groups", "assign_public_ip"]);
        assert_eq!(
            unknown_key("subnet", false, network),
            "unknown key (did you mean `subnets`?)"
        );
        assert_eq!(
            unknown_key("dockerfile", true, &["cluster"]),
            "unknown key at the top level (it belongs under `image.build`)"
        );
        assert_eq!(
            unknown_key("zzz", false, &["a", "b"]),
            "unknown key (valid keys: a, b)"
        );
    }
}
