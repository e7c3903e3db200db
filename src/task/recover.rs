//! After a lost RunTask answer: the request may have started the task even though we never
//! heard so. Every task we start carries its RunTask `clientToken` as a tag, so ListTasks
//! (running and stopped, of the family) plus DescribeTasks with tags finds it.

use anyhow::Result;
use aws_sdk_ecs::types::{DesiredStatus, TaskField};

use crate::aws::errors::AwsResultExt;

/// The ARN of the task tagged with `token`, if ECS lists one in `cluster` for `task_definition`'s
/// family.
pub async fn find_by_token(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    task_definition: &str,
    token: &str,
) -> Result<Option<String>> {
    let family = family_of(task_definition);
    for status in [DesiredStatus::Running, DesiredStatus::Stopped] {
        let listed = ecs
            .list_tasks()
            .cluster(cluster)
            .family(family)
            .desired_status(status)
            .send()
            .await
            .step("ListTasks")?;
        // DescribeTasks takes at most 100 tasks per call.
        for chunk in listed.task_arns().chunks(100) {
            let described = ecs
                .describe_tasks()
                .cluster(cluster)
                .set_tasks(Some(chunk.to_vec()))
                .include(TaskField::Tags)
                .send()
                .await
                .step("DescribeTasks")?;
            let found = described
                .tasks()
                .iter()
                .find(|task| task.tags().iter().any(|tag| tag.value() == Some(token)));
            if let Some(arn) = found.and_then(|task| task.task_arn()) {
                return Ok(Some(arn.to_owned()));
            }
        }
    }
    Ok(None)
}

/// `family` of `arn:…:task-definition/family:7` (or of `family:7`).
fn family_of(task_definition: &str) -> &str {
    let name = task_definition
        .rsplit_once('/')
        .map_or(task_definition, |(_, name)| name);
    name.rsplit_once(':').map_or(name, |(family, _)| family)
}

#[cfg(test)]
mod tests {
    use super::family_of;

    #[test]
    fn the_family_is_read_from_an_arn_or_a_family_revision() {
        assert_eq!(
            family_of("arn:aws:ecs:us-east-1:1:task-definition/app-migrate:7"),
            "app-migrate"
        );
        assert_eq!(family_of("app-migrate:7"), "app-migrate");
        assert_eq!(family_of("app-migrate"), "app-migrate");
    }
}
