//! The keys that override what the migration task takes from the service: ECS Exec, placement
//! constraints and strategy, EBS volumes configured at launch, and tag propagation.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, de};

use super::ConfigError;
use super::resolve::{Resolver, non_empty};
use super::scalar::{self, TEXT};

/// `placement_constraints[]` or `placement_strategy[]` as written.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPlacement {
    #[serde(rename = "type", deserialize_with = "required_text")]
    #[schemars(schema_with = "super::schema::required_text")]
    pub kind: String,
    /// Constraints only: the cluster query (`memberOf`).
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub expression: Option<String>,
    /// Strategies only: what to spread or bin-pack on.
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub field: Option<String>,
}

/// `volume_configurations.<name>`: set fields replace the service's for that volume.
#[derive(Debug, Default, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEbsVolume {
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub role_arn: Option<String>,
    #[serde(default, deserialize_with = "scalar::count")]
    #[schemars(schema_with = "super::schema::count")]
    pub size_in_gib: Option<u32>,
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub volume_type: Option<String>,
    #[serde(default, deserialize_with = "scalar::count")]
    #[schemars(schema_with = "super::schema::count")]
    pub iops: Option<u32>,
    #[serde(default, deserialize_with = "scalar::count")]
    #[schemars(schema_with = "super::schema::count")]
    pub throughput: Option<u32>,
    #[serde(default, deserialize_with = "scalar::flag")]
    #[schemars(schema_with = "super::schema::flag")]
    pub encrypted: Option<bool>,
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub kms_key_id: Option<String>,
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub snapshot_id: Option<String>,
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub filesystem_type: Option<String>,
}

/// What the config says instead of the service; `None` everywhere means "the service's".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceOverrides {
    pub enable_execute_command: Option<bool>,
    /// `Some(empty)` (`placement_constraints: []`) sends none even if the service has some.
    pub placement_constraints: Option<Vec<Placement>>,
    pub placement_strategy: Option<Vec<Placement>>,
    /// `TASK_DEFINITION` or `NONE`.
    pub propagate_tags: Option<String>,
    pub volumes: BTreeMap<String, EbsVolumeOverride>,
}

/// A constraint (`value` is its expression) or a strategy (`value` is its field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub kind: String,
    pub value: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EbsVolumeOverride {
    pub role_arn: Option<String>,
    pub size_in_gib: Option<u32>,
    pub volume_type: Option<String>,
    pub iops: Option<u32>,
    pub throughput: Option<u32>,
    pub encrypted: Option<bool>,
    pub kms_key_id: Option<String>,
    pub snapshot_id: Option<String>,
    pub filesystem_type: Option<String>,
}

/// The raw keys, as `resolve` hands them over.
pub(super) struct RawOverrides {
    pub enable_execute_command: Option<bool>,
    pub placement_constraints: Option<Vec<RawPlacement>>,
    pub placement_strategy: Option<Vec<RawPlacement>>,
    pub propagate_tags: Option<String>,
    pub volume_configurations: Option<BTreeMap<String, RawEbsVolume>>,
}

const CONSTRAINTS: &[&str] = &["distinctInstance", "memberOf"];
const STRATEGIES: &[&str] = &["random", "spread", "binpack"];

impl Resolver<'_> {
    pub(super) fn service_overrides(
        &self,
        raw: RawOverrides,
    ) -> Result<ServiceOverrides, ConfigError> {
        let propagate_tags = match non_empty(raw.propagate_tags) {
            None => None,
            Some(text) => Some(match text.trim().to_ascii_uppercase().as_str() {
                "TASK_DEFINITION" => "TASK_DEFINITION".to_owned(),
                "NONE" => "NONE".to_owned(),
                "SERVICE" => {
                    return Err(self.error(
                        "propagate_tags",
                        "SERVICE is refused by RunTask (use TASK_DEFINITION or NONE; without \
                         the key, a service propagating its tags has them copied onto the task)",
                    ));
                }
                _ => {
                    return Err(self.error(
                        "propagate_tags",
                        format!("invalid value {text:?} (use one of: TASK_DEFINITION, NONE)"),
                    ));
                }
            }),
        };
        let volumes = raw
            .volume_configurations
            .unwrap_or_default()
            .into_iter()
            .map(|(name, volume)| (name, ebs_override(volume)))
            .collect();
        Ok(ServiceOverrides {
            enable_execute_command: raw.enable_execute_command,
            placement_constraints: raw
                .placement_constraints
                .map(|list| self.placements("placement_constraints", list, 10))
                .transpose()?,
            placement_strategy: raw
                .placement_strategy
                .map(|list| self.placements("placement_strategy", list, 5))
                .transpose()?,
            propagate_tags,
            volumes,
        })
    }

    /// Checks what ECS would refuse: unknown types, a value where the type takes none (or
    /// none where it needs one), more items than RunTask accepts.
    fn placements(
        &self,
        key: &str,
        raw: Vec<RawPlacement>,
        max: usize,
    ) -> Result<Vec<Placement>, ConfigError> {
        if raw.len() > max {
            return Err(self.error(key, format!("RunTask takes at most {max} (remove some)")));
        }
        let constraints = key == "placement_constraints";
        let (kinds, value_name) = if constraints {
            (CONSTRAINTS, "expression")
        } else {
            (STRATEGIES, "field")
        };
        let mut out = Vec::with_capacity(raw.len());
        for (index, item) in raw.into_iter().enumerate() {
            let at = |field: &str| format!("{key}[{index}].{field}");
            let Some(kind) = kinds
                .iter()
                .find(|kind| kind.eq_ignore_ascii_case(item.kind.trim()))
            else {
                let message = format!(
                    "invalid value {:?} (use one of: {})",
                    item.kind,
                    kinds.join(", ")
                );
                return Err(self.error(&at("type"), message));
            };
            let (value, misplaced) = if constraints {
                (
                    non_empty(item.expression),
                    non_empty(item.field).map(|_| "field"),
                )
            } else {
                (
                    non_empty(item.field),
                    non_empty(item.expression).map(|_| "expression"),
                )
            };
            if let Some(misplaced) = misplaced {
                let message = format!("not used by {key} (use `{value_name}`)");
                return Err(self.error(&at(misplaced), message));
            }
            let needs_value = matches!(*kind, "memberOf" | "spread" | "binpack");
            match (needs_value, &value) {
                (true, None) => {
                    let message = format!("required for type {kind}");
                    return Err(self.error(&at(value_name), message));
                }
                (false, Some(_)) => {
                    let message = format!("type {kind} takes no {value_name} (remove it)");
                    return Err(self.error(&at(value_name), message));
                }
                _ => {}
            }
            out.push(Placement {
                kind: (*kind).to_owned(),
                value,
            });
        }
        Ok(out)
    }
}

fn ebs_override(raw: RawEbsVolume) -> EbsVolumeOverride {
    EbsVolumeOverride {
        role_arn: non_empty(raw.role_arn),
        size_in_gib: raw.size_in_gib,
        volume_type: non_empty(raw.volume_type),
        iops: raw.iops,
        throughput: raw.throughput,
        encrypted: raw.encrypted,
        kms_key_id: non_empty(raw.kms_key_id),
        snapshot_id: non_empty(raw.snapshot_id),
        filesystem_type: non_empty(raw.filesystem_type),
    }
}

fn required_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    de::DeserializeSeed::deserialize(TEXT, deserializer)
}
