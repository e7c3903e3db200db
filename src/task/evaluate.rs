//! Decides whether the migration succeeded, from what ECS reports once its container exited
//! (the task may still be tearing down) or the task stopped, rather than from the fact that it
//! ended: the stop code, the migration container's exit code, then every other essential
//! container that has already stopped. Pure, so every rule is tested without AWS.

/// One container of an ended task, as DescribeTasks reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerResult {
    pub name: String,
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
    /// From the task definition: ECS stops the task when an essential container exits.
    pub essential: bool,
    /// Still running (or not yet started) while the task tears down after the migration
    /// exited: the teardown stops it, so it has not failed.
    pub running: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoppedTask {
    pub stop_code: Option<String>,
    pub stopped_reason: Option<String>,
    pub containers: Vec<ContainerResult>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub succeeded: bool,
    /// The migration container's own exit code, whatever the verdict.
    pub exit_code: Option<i32>,
    /// Why it failed, in words a user can act on.
    pub reason: Option<String>,
}

/// Exit codes of a sidecar that ECS itself stopped (SIGTERM, then SIGKILL after `stopTimeout`)
/// once the migration container had exited: not a failure of the sidecar.
const STOPPED_BY_ECS: [i32; 2] = [143, 137];

/// Stop codes that mean the task was interrupted, even if the container then exited 0.
const INTERRUPTED: [&str; 4] = [
    "UserInitiated",
    "SpotInterruption",
    "TerminationNotice",
    "ServiceSchedulerInitiated",
];

pub fn evaluate(task: &StoppedTask, migration_container: &str) -> Verdict {
    let migration = task
        .containers
        .iter()
        .find(|container| container.name == migration_container);
    let exit_code = migration.and_then(|container| container.exit_code);
    let failed = |reason: String| Verdict {
        succeeded: false,
        exit_code,
        reason: Some(reason),
    };
    let stopped_reason = task.stopped_reason.as_deref().unwrap_or("no reason given");

    if task.stop_code.as_deref() == Some("TaskFailedToStart") {
        return failed(format!("the task failed to start: {stopped_reason}"));
    }
    let Some(migration) = migration else {
        return failed(format!(
            "container {migration_container:?} is not in the stopped task ({stopped_reason})"
        ));
    };
    if let Some(code) = task
        .stop_code
        .as_deref()
        .filter(|code| INTERRUPTED.contains(code))
    {
        return failed(format!(
            "the task was stopped before it finished ({code}: {stopped_reason})"
        ));
    }
    match migration.exit_code {
        None => {
            let why = migration.reason.as_deref().unwrap_or(stopped_reason);
            return failed(format!(
                "container {:?} has no exit code: {why}",
                migration.name
            ));
        }
        Some(0) => {}
        Some(code) => {
            let mut reason = container_exited(&migration.name, code);
            if let Some(why) = &migration.reason {
                reason.push_str(&format!(": {why}"));
            }
            return failed(reason);
        }
    }
    for sidecar in task
        .containers
        .iter()
        .filter(|container| container.essential && container.name != migration.name)
        .filter(|container| !container.running)
    {
        let failure = match (sidecar.exit_code, &sidecar.reason) {
            (_, Some(why)) => Some(why.clone()),
            (None, None) => Some("no exit code".to_owned()),
            (Some(0), None) => None,
            (Some(code), None) if STOPPED_BY_ECS.contains(&code) => None,
            (Some(code), None) => Some(format!("exited with code {code}")),
        };
        if let Some(why) = failure {
            return failed(format!(
                "essential container {:?} failed: {why}",
                sidecar.name
            ));
        }
    }
    Verdict {
        succeeded: true,
        exit_code,
        reason: None,
    }
}

/// How a result names the migration container's non-zero exit, in ECS and in a local run alike.
pub fn container_exited(container: &str, code: i32) -> String {
    format!("container {container:?} exited with code {code}")
}

#[cfg(test)]
#[path = "evaluate_tests.rs"]
mod tests;
