//! `ecs-migrate prune --keep N`: every run that changes the migration registers a revision, and
//! ECS keeps them all. This deregisters the old ones, never the newest N (at least the latest)
//! and never one a PENDING or RUNNING task in the cluster still uses.

use std::collections::BTreeSet;

use anyhow::Result;
use aws_sdk_ecs::types::{DesiredStatus, TaskDefinitionFamilyStatus, TaskDefinitionStatus};
use serde_json::json;

use crate::aws::Clients;
use crate::aws::errors::AwsResultExt;
use crate::cli::{GlobalArgs, OutputFormat, PruneArgs};
use crate::failure::{exit_code, usage};

use super::prepare::prepare;
use super::{aws_target, load_settings};

pub async fn prune(global: &GlobalArgs, args: &PruneArgs) -> Result<u8> {
    if args.keep == 0 {
        return Err(usage(
            "--keep must be at least 1: the latest revision of the migration family is never pruned",
        ));
    }
    let settings = load_settings(global, &args.migration)?;
    let clients = Clients::connect(&aws_target(global)).await?;
    let family = match &settings.family {
        Some(family) => family.clone(),
        None => prepare(&settings, Some(&clients)).await?.derived.family,
    };
    let revisions = active_revisions(&clients.ecs, &family).await?;
    let in_use = revisions_in_use(&clients.ecs, &settings.cluster, &family).await?;
    let mut kept: Vec<&String> = Vec::new();
    let mut doomed: Vec<&String> = Vec::new();
    for (newest_first, arn) in revisions.iter().enumerate() {
        if newest_first < args.keep || in_use.contains(arn) {
            kept.push(arn);
        } else {
            doomed.push(arn);
        }
    }

    let mut deregistered = Vec::new();
    for arn in &doomed {
        if args.dry_run {
            errln!("would deregister {arn}");
            continue;
        }
        clients
            .ecs
            .deregister_task_definition()
            .task_definition(arn.as_str())
            .send()
            .await
            .step(&format!("DeregisterTaskDefinition {arn}"))?;
        errln!("deregistered {arn}");
        deregistered.push(arn.as_str());
    }
    for arn in kept.iter().filter(|arn| in_use.contains(**arn)) {
        errln!("kept {arn}: a task in cluster {} uses it", settings.cluster);
    }
    match global.output {
        OutputFormat::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "family": family,
                "dry-run": args.dry_run,
                "kept": kept,
                "deregistered": deregistered,
                "would-deregister": if args.dry_run { doomed.clone() } else { Vec::new() },
            }))?
        ),
        OutputFormat::Text => outln!(
            "{family}: kept {}, {} {}",
            kept.len(),
            if args.dry_run {
                "would deregister"
            } else {
                "deregistered"
            },
            doomed.len()
        ),
    }
    Ok(exit_code::SUCCEEDED)
}

/// The family's ACTIVE revisions, newest first. `familyPrefix` also matches longer family names
/// (`app-migrate` matches `app-migrate-2`), so the ARNs are filtered to the exact family.
async fn active_revisions(ecs: &aws_sdk_ecs::Client, family: &str) -> Result<Vec<String>> {
    let exists = ecs
        .list_task_definition_families()
        .family_prefix(family)
        .status(TaskDefinitionFamilyStatus::Active)
        .send()
        .await
        .step("ListTaskDefinitionFamilies")?
        .families()
        .iter()
        .any(|found| found == family);
    if !exists {
        return Err(usage(format!(
            "task definition family {family:?} has no ACTIVE revision: check `family` (or the \
             base it derives from) and the region"
        )));
    }
    let mut arns = Vec::new();
    let mut pages = ecs
        .list_task_definitions()
        .family_prefix(family)
        .status(TaskDefinitionStatus::Active)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.step("ListTaskDefinitions")?;
        arns.extend(
            page.task_definition_arns()
                .iter()
                .filter(|arn| family_of(arn) == Some(family))
                .cloned(),
        );
    }
    // Newest first by revision number, whatever order the pages came in.
    arns.sort_by_key(|arn| std::cmp::Reverse(revision_of(arn)));
    Ok(arns)
}

fn revision_of(arn: &str) -> u64 {
    arn.rsplit_once(':')
        .and_then(|(_, revision)| revision.parse().ok())
        .unwrap_or(0)
}

/// The task definitions that PENDING or RUNNING tasks of the family use in the cluster.
async fn revisions_in_use(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    family: &str,
) -> Result<BTreeSet<String>> {
    let mut in_use = BTreeSet::new();
    let mut pages = ecs
        .list_tasks()
        .cluster(cluster)
        .family(family)
        .desired_status(DesiredStatus::Running)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.step("ListTasks")?;
        if page.task_arns().is_empty() {
            continue;
        }
        let described = ecs
            .describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(page.task_arns().to_vec()))
            .send()
            .await
            .step("DescribeTasks")?;
        in_use.extend(
            described
                .tasks()
                .iter()
                .filter_map(|task| task.task_definition_arn().map(str::to_owned)),
        );
    }
    Ok(in_use)
}

/// `arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>` → `<family>`.
fn family_of(arn: &str) -> Option<&str> {
    let name = arn.rsplit_once("task-definition/")?.1;
    Some(name.rsplit_once(':')?.0)
}

#[cfg(test)]
mod tests {
    use super::family_of;

    #[test]
    fn the_family_is_read_from_the_arn_exactly() {
        let arn = "arn:aws:ecs:eu-west-1:123456789012:task-definition/app-migrate-2:7";
        assert_eq!(family_of(arn), Some("app-migrate-2"));
        assert_eq!(family_of("nonsense"), None);
    }
}
