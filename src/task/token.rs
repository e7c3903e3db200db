//! RunTask client tokens, and with them which tries of a migration share one task. Every try
//! of one CI step gets the same token, so a try that crashed can be followed by a retry that
//! attaches to the task it started; another step, command or environment gets its own. The
//! tokens are also the values of the tags that find a task again.

use crate::ci::CiContext;

/// The tag that marks a task with the RunTask token that started it.
pub const TOKEN_TAG: &str = "ecs-migrate:token";
/// The tag that marks a task with the token of its CI step (see [`client_token`]): every
/// generation of the step's tasks (`earlier_runs`) carries the same one, so the step's lock
/// knows them as its own.
pub const STEP_TAG: &str = "ecs-migrate:step";

/// The RunTask idempotency token of a task that a later try may attach to. In CI it is derived
/// from the task definition revision, the commit, the CI run, its attempt and (Actions) the step,
/// so a retried try of the same step attaches to the task it already started (a later run of the
/// step, once that task is reported, moves on: `earlier_runs`), while another step (a `run` after
/// a `down`, say) or another command (another revision) starts its own; elsewhere it is unique to
/// this invocation. An `environment` is part of the identity and is shown in the
/// token (`ecs-migrate-staging-…`): staging and production runs of one commit are two tasks even
/// when they share a cluster and a revision.
pub fn client_token(
    task_definition_arn: &str,
    environment: Option<&str>,
    ci: &CiContext,
) -> String {
    let identity = match step_identity(ci) {
        Some(step) => format!("{task_definition_arn}\n{step}"),
        None => invocation_identity(task_definition_arn),
    };
    token_of(identity, environment)
}

/// Whether [`client_token`] gives every try of a CI step the same token (a CI run and its
/// commit are known); else each invocation has a token of its own.
pub fn shared_by_tries(ci: &CiContext) -> bool {
    step_identity(ci).is_some()
}

/// What every try of one CI step shares: the commit, the CI run, its attempt and the step where
/// the CI names it. None outside CI.
fn step_identity(ci: &CiContext) -> Option<String> {
    let (commit, run) = (ci.commit.as_ref()?, ci.run.as_ref()?);
    let attempt = ci.attempt.as_deref().unwrap_or("1");
    let mut identity = format!("{commit}\n{run}\n{attempt}");
    if let Some(step) = &ci.step {
        identity.push_str(&format!("\nstep {step}"));
    }
    Some(identity)
}

/// A RunTask token unique to this invocation, for a task no later invocation may attach to: a
/// status must say what the database is now, not what an earlier status of the same step saw.
/// Within the invocation it still keeps a lost RunTask answer from starting a second task.
pub fn invocation_client_token(task_definition_arn: &str, environment: Option<&str>) -> String {
    token_of(invocation_identity(task_definition_arn), environment)
}

fn invocation_identity(task_definition_arn: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};

    // Two tokens asked for within one clock tick still differ.
    static ASKED: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or_default();
    let asked = ASKED.fetch_add(1, Ordering::Relaxed);
    format!(
        "{task_definition_arn}\n{}\n{nanos}\n{asked}",
        std::process::id()
    )
}

fn token_of(mut identity: String, environment: Option<&str>) -> String {
    let prefix = match environment {
        Some(environment) => {
            identity.push_str(&format!("\nenvironment {environment}"));
            format!("ecs-migrate-{environment}-")
        }
        None => "ecs-migrate-".to_owned(),
    };
    hashed(&identity, &prefix)
}

fn hashed(identity: &str, prefix: &str) -> String {
    use sha2::{Digest, Sha256};

    let digest = Sha256::digest(identity.as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    // RunTask takes at most 64 characters; an environment name has at most 32, which leaves at
    // least 19 hex digits (76 bits) of digest.
    let digits = RUN_TASK_TOKEN_LIMIT.saturating_sub(prefix.len()).min(40);
    format!("{prefix}{}", &hex[..digits])
}

/// The longest `clientToken` RunTask accepts.
const RUN_TASK_TOKEN_LIMIT: usize = 64;

/// A token derived from `token` for `purpose` (a later generation of a step's tasks, a
/// verification task of the migration): the same prefix, another digest, one per purpose.
pub fn derived_token(token: &str, purpose: &str) -> String {
    let prefix = token.rsplit_once('-').map_or("", |(prefix, _)| prefix);
    hashed(&format!("{token}\n{purpose}"), &format!("{prefix}-"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ci::Runner;

    fn ci(run: &str, attempt: &str) -> CiContext {
        CiContext {
            runner: Runner::GitHubActions,
            commit: Some("abc123".into()),
            run: Some(run.into()),
            attempt: Some(attempt.into()),
            step: Some("migrate/__run".into()),
        }
    }

    #[test]
    fn a_retried_step_of_the_same_attempt_gets_the_same_token() {
        assert_eq!(
            client_token(
                "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:7",
                None,
                &ci("r1", "1")
            ),
            client_token(
                "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:7",
                None,
                &ci("r1", "1")
            )
        );
    }

    #[test]
    fn another_attempt_run_or_revision_gets_another_token() {
        let first = client_token(
            "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:7",
            None,
            &ci("r1", "1"),
        );
        assert_ne!(
            first,
            client_token(
                "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:7",
                None,
                &ci("r1", "2")
            )
        );
        assert_ne!(
            first,
            client_token(
                "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:7",
                None,
                &ci("r2", "1")
            )
        );
        assert_ne!(
            first,
            client_token(
                "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:8",
                None,
                &ci("r1", "1")
            )
        );
    }

    #[test]
    fn tokens_fit_runtask_limit() {
        assert!(client_token("f".repeat(255).as_str(), None, &ci("r", "1")).len() <= 64);
        let longest = "e".repeat(32);
        let token = client_token("f".repeat(255).as_str(), Some(&longest), &ci("r", "1"));
        assert_eq!(token.len(), 64, "{token}");
    }

    #[test]
    fn the_environment_is_shown_in_the_token_and_changes_it() {
        let arn = "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:7";
        let plain = client_token(arn, None, &ci("r1", "1"));
        let staging = client_token(arn, Some("staging"), &ci("r1", "1"));
        let production = client_token(arn, Some("production"), &ci("r1", "1"));
        assert!(
            plain.starts_with("ecs-migrate-") && plain.len() == 52,
            "{plain}"
        );
        assert!(staging.starts_with("ecs-migrate-staging-"), "{staging}");
        assert!(
            production.starts_with("ecs-migrate-production-"),
            "{production}"
        );
        assert_eq!(staging, client_token(arn, Some("staging"), &ci("r1", "1")));
        // Not only the prefix: the digest differs too.
        assert_ne!(
            &staging["ecs-migrate-staging-".len()..],
            &plain["ecs-migrate-".len()..]
        );
    }

    #[test]
    fn another_step_of_the_same_attempt_gets_another_token() {
        let arn = "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:7";
        let later = CiContext {
            step: Some("migrate/__run_2".into()),
            ..ci("r1", "1")
        };
        assert_ne!(
            client_token(arn, None, &ci("r1", "1")),
            client_token(arn, None, &later)
        );
    }

    #[test]
    fn an_invocation_token_is_never_given_twice() {
        let arn = "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:7";
        let first = invocation_client_token(arn, Some("staging"));
        assert!(first.starts_with("ecs-migrate-staging-"), "{first}");
        assert_ne!(first, invocation_client_token(arn, Some("staging")));
    }

    #[test]
    fn a_derived_token_keeps_the_prefix_and_differs_by_purpose() {
        let step = client_token("f".repeat(255).as_str(), Some("staging"), &ci("r", "1"));
        let second = derived_token(&step, "generation 1");
        assert!(second.starts_with("ecs-migrate-staging-"), "{second}");
        assert_eq!(second.len(), step.len());
        assert_ne!(second, step);
        assert_eq!(second, derived_token(&step, "generation 1"));
        assert_ne!(second, derived_token(&step, "generation 2"));
    }
}
