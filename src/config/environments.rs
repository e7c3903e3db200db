//! `environments:`: one config file for staging, production, … Each environment is a raw layer of
//! the same keys as the top level, merged over it with the flags' merge rules (file top level <
//! chosen environment < flags). Here: reading the map (names checked, no nesting) and choosing.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::path::Path;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

use super::resolve::non_empty;
use super::scalar::{optional, own_error};
use super::{ConfigError, RawConfig};

/// The longest environment name: it goes into the lock's parameter name, tags, the check run
/// name and (shortened with a digest) the 64-character RunTask token.
const MAX_NAME: usize = 32;

thread_local! {
    /// Set while an environment's keys are read, so an `environments:` inside one is refused at
    /// its own line rather than silently ignored.
    static READING_ENVIRONMENT: Cell<bool> = const { Cell::new(false) };
}

/// The `environments:` field of the raw layer.
pub(super) fn environments<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<BTreeMap<String, RawConfig>>, D::Error> {
    if READING_ENVIRONMENT.get() {
        // Refused from inside the value, so the error points at it rather than at the
        // environment that holds it.
        return deserializer.deserialize_any(Nested);
    }
    READING_ENVIRONMENT.set(true);
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            READING_ENVIRONMENT.set(false);
        }
    }
    let _reset = Reset;
    optional(deserializer, EnvironmentMap)
}

/// Whether `name` can name an environment; the reason when it cannot.
pub(super) fn check_name(name: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if name.is_empty() {
        return Err("an environment needs a name".to_owned());
    }
    if name.len() > MAX_NAME || !name.chars().all(allowed) || name.starts_with(['.', '-']) {
        return Err(format!(
            "invalid environment name {name:?} (use at most {MAX_NAME} letters, digits, `-`, `_` \
             or `.`, starting with a letter or digit, e.g. staging)"
        ));
    }
    Ok(())
}

/// An `environments:` inside an environment: whatever its value, an error.
struct Nested;

impl<'de> Visitor<'de> for Nested {
    type Value = Option<BTreeMap<String, RawConfig>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("nothing: environments do not nest")
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(nested())
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(nested())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Err(nested())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Err(nested())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Err(nested())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Err(nested())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Err(nested())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Err(nested())
    }
}

fn nested<E: de::Error>() -> E {
    own_error(
        "not allowed inside an environment (environments do not nest: define each one under \
         the top-level `environments:`)",
    )
}

struct EnvironmentMap;

impl<'de> DeserializeSeed<'de> for EnvironmentMap {
    type Value = BTreeMap<String, RawConfig>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EnvironmentMap {
    type Value = BTreeMap<String, RawConfig>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping of environment names to their keys")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Self::Value, A::Error> {
        let mut map = BTreeMap::new();
        while let Some(name) = entries.next_key_seed(EnvironmentName)? {
            // `staging:` with nothing under it is an environment that changes nothing.
            let layer = entries.next_value_seed(Layer)?;
            map.insert(name, layer.unwrap_or_default());
        }
        Ok(map)
    }
}

/// An environment's name, checked where it is written.
struct EnvironmentName;

impl<'de> DeserializeSeed<'de> for EnvironmentName {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for EnvironmentName {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an environment name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<String, E> {
        check_name(name).map_err(own_error)?;
        Ok(name.to_owned())
    }
}

/// One environment's keys: a raw layer, or nothing.
struct Layer;

impl<'de> DeserializeSeed<'de> for Layer {
    type Value = Option<RawConfig>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        optional(deserializer, PhantomData::<RawConfig>)
    }
}

/// The file's layer with the chosen environment's keys over it, and that environment's name.
#[derive(Debug)]
pub struct Chosen {
    pub layer: RawConfig,
    pub environment: Option<String>,
}

impl RawConfig {
    /// Applies the environment chosen by `-e/--environment` (or `ECS_MIGRATE_ENVIRONMENT`, or
    /// the Action's `environment` input) to this file layer. `source` is the config file.
    ///
    /// - no `environments:` and none chosen: the layer as it is;
    /// - one chosen: the top level with that environment merged over it; an unknown name, or a
    ///   file without `environments:`, is an error listing what there is;
    /// - `environments:` and none chosen: an error listing them, unless the top level is
    ///   complete by itself (a cluster, and a service or task definition).
    pub fn choose_environment(
        mut self,
        chosen: Option<&str>,
        source: Option<&Path>,
    ) -> Result<Chosen, ConfigError> {
        let defined = self.environments.take();
        let chosen = chosen.map(str::trim).filter(|name| !name.is_empty());
        let file = source.map_or_else(
            || "the config".to_owned(),
            |path| path.display().to_string(),
        );
        match (defined, chosen) {
            (None, None) => Ok(Chosen {
                layer: self,
                environment: None,
            }),
            (None, Some(name)) => {
                let message = match source {
                    Some(_) => format!(
                        "environment {name:?} was chosen (-e/--environment, \
                         ECS_MIGRATE_ENVIRONMENT or the `environment` input), but {file} defines \
                         no `environments:` (add `environments: {{ {name}: {{ … }} }}`, or choose \
                         none)"
                    ),
                    None => format!(
                        "environment {name:?} was chosen (-e/--environment, \
                         ECS_MIGRATE_ENVIRONMENT or the `environment` input), but there is no \
                         config file to define it (pass -c/--config, or choose none)"
                    ),
                };
                Err(ConfigError::new(source, None, None, message))
            }
            (Some(mut environments), Some(name)) => match environments.remove(name) {
                Some(layer) => Ok(Chosen {
                    layer: self.merge(layer),
                    environment: Some(name.to_owned()),
                }),
                None => {
                    let names: Vec<&str> = environments.keys().map(String::as_str).collect();
                    let closest = names
                        .iter()
                        .map(|known| (strsim::jaro_winkler(name, known), *known))
                        .filter(|(score, _)| *score >= 0.8)
                        .max_by(|a, b| a.0.total_cmp(&b.0))
                        .map(|(_, known)| format!("did you mean {known:?}? "))
                        .unwrap_or_default();
                    Err(ConfigError::new(
                        source,
                        None,
                        None,
                        format!(
                            "no environment {name:?} under `environments:` ({closest}defined: {})",
                            list(&names)
                        ),
                    ))
                }
            },
            (Some(environments), None) => {
                if self.complete() {
                    return Ok(Chosen {
                        layer: self,
                        environment: None,
                    });
                }
                let names: Vec<&str> = environments.keys().map(String::as_str).collect();
                Err(ConfigError::new(
                    source,
                    None,
                    None,
                    format!(
                        "no environment chosen, and the top level alone names no cluster and \
                         service or task_definition: choose one of the `environments:` ({}) with \
                         -e/--environment NAME (or ECS_MIGRATE_ENVIRONMENT, or the Action's \
                         `environment` input)",
                        list(&names)
                    ),
                ))
            }
        }
    }

    /// Whether this layer names what a run needs: a cluster, and a service or task definition.
    fn complete(&self) -> bool {
        let set = |value: &Option<String>| non_empty(value.clone()).is_some();
        set(&self.cluster) && (set(&self.service) || set(&self.task_definition))
    }
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}
