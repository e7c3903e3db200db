//! The checks ECS makes of the task definition itself, which need no AWS call: Fargate's task
//! sizes (a cpu/memory pair outside its table is a `ClientException` at registration) and the
//! `awslogs-region` option the awslogs driver requires.

use serde_json::Value;

use super::Findings;
use crate::task::launch::RunTaskRequest;

/// The task memory (MiB) Fargate offers with one cpu value.
#[derive(Debug, Clone, Copy)]
pub enum Memory {
    Values(&'static [u32]),
    /// first, last, step
    Range(u32, u32, u32),
}

/// Fargate's task sizes, from the ECS developer guide's "Task CPU and memory" table. 8192 and
/// 16384 CPU need Linux platform version 1.4.0 or later.
pub const FARGATE_SIZES: &[(u32, Memory)] = &[
    (256, Memory::Values(&[512, 1024, 2048])),
    (512, Memory::Values(&[1024, 2048, 3072, 4096])),
    (
        1024,
        Memory::Values(&[2048, 3072, 4096, 5120, 6144, 7168, 8192]),
    ),
    (2048, Memory::Range(4096, 16384, 1024)),
    (4096, Memory::Range(8192, 30720, 1024)),
    (8192, Memory::Range(16384, 61440, 4096)),
    (16384, Memory::Range(32768, 122880, 8192)),
];

fn memory_of(cpu: u32) -> Option<Memory> {
    FARGATE_SIZES
        .iter()
        .find(|size| size.0 == cpu)
        .map(|size| size.1)
}

/// Whether Fargate runs a task of `cpu` units with `memory` MiB.
pub fn is_fargate_size(cpu: u32, memory: u32) -> bool {
    match memory_of(cpu) {
        Some(Memory::Values(values)) => values.contains(&memory),
        Some(Memory::Range(first, last, step)) => {
            (first..=last).contains(&memory) && (memory - first).is_multiple_of(step)
        }
        None => false,
    }
}

/// The valid memory values for `cpu`, as a user would write them down.
pub fn memory_choices(cpu: u32) -> Option<String> {
    Some(match memory_of(cpu)? {
        Memory::Values(values) => {
            let values: Vec<String> = values.iter().map(u32::to_string).collect();
            values.join(", ")
        }
        Memory::Range(first, last, step) => format!("{first} to {last} in steps of {step}"),
    })
}

/// The CPU values Fargate pairs with `memory` MiB.
pub fn cpus_for(memory: u32) -> Vec<u32> {
    FARGATE_SIZES
        .iter()
        .map(|size| size.0)
        .filter(|&cpu| is_fargate_size(cpu, memory))
        .collect()
}

/// "1024", 1024, "1 vCPU" and "2 GB" are all accepted by ECS (units of 1024 for the latter).
fn parse_units(value: &Value, unit: &str) -> Option<Result<u32, String>> {
    let text = match value {
        Value::Null => return None,
        Value::Number(number) => number.to_string(),
        Value::String(text) if text.trim().is_empty() => return None,
        Value::String(text) => text.trim().to_owned(),
        other => return Some(Err(other.to_string())),
    };
    let lower = text.to_ascii_lowercase();
    let parsed = match lower.strip_suffix(unit) {
        Some(number) => number
            .trim()
            .parse::<f64>()
            .ok()
            .map(|units| (units * 1024.0).round() as u32),
        None => lower.parse::<u32>().ok(),
    };
    Some(parsed.ok_or(text))
}

/// Whether the task runs on Fargate: its definition requires it (then registration checks the
/// size), or RunTask asks for it by launch type or capacity provider.
fn on_fargate(request: &RunTaskRequest, task_definition: &Value) -> bool {
    let required = task_definition["requiresCompatibilities"]
        .as_array()
        .is_some_and(|list| list.iter().any(|item| item == "FARGATE"));
    let launched = request.launch_type.as_deref() == Some("FARGATE")
        || request
            .capacity_provider_strategy
            .iter()
            .any(|item| matches!(item.capacity_provider.as_str(), "FARGATE" | "FARGATE_SPOT"));
    required || launched
}

const SIZE_FIX: &str = "set `cpu` and `memory` (config keys or --cpu/--memory) to a pair Fargate \
                        offers, or change them in the base task definition";

/// Files a problem when the task would run on Fargate with a size Fargate does not offer.
pub fn task_size(request: &RunTaskRequest, task_definition: &Value, findings: &mut Findings) {
    if !on_fargate(request, task_definition) {
        return;
    }
    let cpu = parse_units(&task_definition["cpu"], "vcpu");
    let memory = parse_units(&task_definition["memory"], "gb");
    let all_cpus = FARGATE_SIZES
        .iter()
        .map(|size| size.0.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let (cpu, memory) = match (cpu, memory) {
        (Some(Ok(cpu)), Some(Ok(memory))) => (cpu, memory),
        (cpu, memory) => {
            let missing = [("cpu", cpu), ("memory", memory)]
                .into_iter()
                .filter_map(|(key, value)| match value {
                    None => Some(format!("no task-level `{key}`")),
                    Some(Err(text)) => Some(format!("an unreadable `{key}` ({text:?})")),
                    Some(Ok(_)) => None,
                })
                .collect::<Vec<_>>()
                .join(" and ");
            findings.problem(
                format!(
                    "the migration task runs on Fargate but has {missing}: ECS would refuse it"
                ),
                &format!("{SIZE_FIX}; Fargate's cpu values are {all_cpus}"),
            );
            return;
        }
    };
    if is_fargate_size(cpu, memory) {
        return;
    }
    let mut fix = match memory_choices(cpu) {
        Some(choices) => format!("{SIZE_FIX}: with cpu {cpu}, memory {choices} (MiB)"),
        None => format!("{SIZE_FIX}: cpu {cpu} is not a Fargate size; use one of {all_cpus}"),
    };
    let cpus = cpus_for(memory);
    if cpus.is_empty() {
        fix.push_str(&format!(
            "; no Fargate cpu takes {memory} MiB (cpu values: {all_cpus})"
        ));
    } else {
        let cpus: Vec<String> = cpus.iter().map(u32::to_string).collect();
        fix.push_str(&format!(
            "; or keep memory {memory} with cpu {}",
            cpus.join(" or ")
        ));
    }
    findings.problem(
        format!(
            "Fargate has no task size of {cpu} CPU with {memory} MiB memory: ECS would refuse \
             it (\"No Fargate configuration exists for given values\")"
        ),
        &fix,
    );
}

/// Files a problem for each awslogs container without `awslogs-region`, which ECS requires.
pub fn awslogs_region(task_definition: &Value, region: Option<&str>, findings: &mut Findings) {
    let containers = task_definition["containerDefinitions"].as_array();
    for container in containers.into_iter().flatten() {
        let config = &container["logConfiguration"];
        let present = config["options"]["awslogs-region"]
            .as_str()
            .is_some_and(|value| !value.is_empty());
        if config["logDriver"] != "awslogs" || present {
            continue;
        }
        let name = container["name"].as_str().unwrap_or("?");
        findings.problem(
            format!(
                "container {name:?} logs with awslogs but has no awslogs-region option: ECS \
                 would refuse the task definition (\"Log driver awslogs requires options: \
                 awslogs-region\")"
            ),
            &format!(
                "add \"awslogs-region\": \"{}\" to logConfiguration.options of {name:?} in the \
                 base task definition",
                region.unwrap_or("<the log group's region>")
            ),
        );
    }
}

/// Both checks; they need no AWS access, so `plan` makes them even without credentials.
pub fn check(request: &RunTaskRequest, task_definition: &Value, region: Option<&str>) -> Findings {
    let mut findings = Findings::default();
    task_size(request, task_definition, &mut findings);
    awslogs_region(task_definition, region, &mut findings);
    findings
}

#[cfg(test)]
#[path = "fargate_tests.rs"]
mod tests;
