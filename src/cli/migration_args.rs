//! The flags shared by `run`, `plan` and `render`: one per config key, layered over the file.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;

use super::GitHubArgs;
use super::image_args::ImageArgs;
use crate::config::{CommandSpec, RawCommands, RawConfig, RawLocal, RawNetwork, RawReport};

#[derive(Debug, Default, Args)]
pub struct MigrationArgs {
    /// Environment of the config file's `environments:` to use (its keys over the top level)
    #[arg(
        short = 'e',
        long = "environment",
        env = "ECS_MIGRATE_ENVIRONMENT",
        value_name = "NAME"
    )]
    pub environment_name: Option<String>,
    /// ECS cluster to run the migration in
    #[arg(long)]
    pub cluster: Option<String>,
    /// Service whose task definition, network and launch type the migration derives from
    #[arg(long)]
    pub service: Option<String>,
    /// Base task definition: family[:revision], ARN, or a .json/.yml file
    #[arg(long, value_name = "FAMILY[:REV]|ARN|FILE")]
    pub task_definition: Option<String>,
    /// Container that runs the migration [default: the one essential container]
    #[arg(long)]
    pub container: Option<String>,
    /// Family to register the migration under [default: <base family>-migrate]
    #[arg(long)]
    pub family: Option<String>,
    /// Migration command, split like a shell (e.g. "bin/rails db:migrate")
    #[arg(long)]
    pub command: Option<String>,
    /// Entrypoint override, split like a shell
    #[arg(long)]
    pub entrypoint: Option<String>,
    /// Migration tool (rails, django, alembic, ..., custom) [default: detected in the working directory]
    #[arg(long)]
    pub tool: Option<String>,
    /// Where the migrations live [default: the tool's]
    #[arg(long)]
    pub migrations_dir: Option<String>,
    /// Status command, split like a shell [default: the tool's]
    #[arg(long)]
    pub status_command: Option<String>,
    /// Down command, split like a shell; {steps} and {version} are filled in [default: the tool's]
    #[arg(long)]
    pub down_command: Option<String>,
    /// After a successful migration, run the tool's status and fail unless nothing is pending
    #[arg(long, value_name = "true|false", num_args = 0..=1, default_missing_value = "true")]
    pub verify_pending: Option<bool>,
    /// After a successful migration, run the tool's status for `pending` and the version
    /// [default: true; never for tool custom]
    #[arg(long, value_name = "true|false", num_args = 0..=1, default_missing_value = "true")]
    pub status_after: Option<bool>,
    /// Run the migration container on the local Docker engine instead of ECS (plan: print the
    /// `docker run`)
    #[arg(long)]
    pub local: bool,
    /// With --local: a Docker env file (NAME=value lines) with values for the secrets
    #[arg(long, value_name = "FILE")]
    pub env_file: Option<PathBuf>,
    /// Extra environment variable for the migration container (repeatable)
    #[arg(long = "env", value_name = "NAME=VALUE", value_parser = parse_pair)]
    pub environment: Vec<(String, String)>,
    /// Extra secret for the migration container, from SSM or Secrets Manager (repeatable)
    #[arg(long = "secret", value_name = "NAME=ARN", value_parser = parse_pair)]
    pub secrets: Vec<(String, String)>,
    /// Task CPU units (e.g. 512)
    #[arg(long)]
    pub cpu: Option<u32>,
    /// Task memory in MiB (e.g. 1024)
    #[arg(long)]
    pub memory: Option<u32>,
    /// Prebuilt image to run (overrides the base container's image)
    #[arg(long, value_name = "URI")]
    pub image: Option<String>,
    /// Subnet for the task (repeatable or comma-separated) [default: the service's]
    #[arg(long = "subnets", value_delimiter = ',')]
    pub subnets: Vec<String>,
    /// Security group for the task (repeatable or comma-separated) [default: the service's]
    #[arg(long = "security-groups", value_delimiter = ',')]
    pub security_groups: Vec<String>,
    /// Give the task a public IP (Fargate in public subnets)
    #[arg(long)]
    pub assign_public_ip: Option<bool>,
    /// FARGATE, EC2 or EXTERNAL [default: the service's]
    #[arg(long)]
    pub launch_type: Option<String>,
    /// Fargate platform version [default: the service's]
    #[arg(long)]
    pub platform_version: Option<String>,
    /// Turn ECS Exec on (or off) for the migration task [default: the service's]
    #[arg(long, value_name = "true|false")]
    pub enable_execute_command: Option<bool>,
    /// Propagate the task definition's tags to the task, or none [default: the service's]
    #[arg(long, value_name = "TASK_DEFINITION|NONE")]
    pub propagate_tags: Option<String>,
    /// Longest time to wait for the task (e.g. 45m, 2h) [default: 1h]
    #[arg(long)]
    pub timeout: Option<String>,
    /// How often to poll the task and read its logs (e.g. 2s), or auto: adaptive, at most 60 AWS calls a minute [default: auto]
    #[arg(long)]
    pub poll_interval: Option<String>,
    /// On timeout or cancellation: stop the task, or leave it running
    #[arg(long, value_name = "stop|leave")]
    pub on_cancel: Option<String>,
    /// When another run of this migration is under way: wait for it, or fail
    #[arg(long, value_name = "wait|fail")]
    pub on_conflict: Option<String>,
    /// How long to ride out failing AWS calls while waiting before giving up (e.g. 3m)
    #[arg(long)]
    pub max_outage: Option<String>,
    /// How long after the migration exited its last log lines are waited for (e.g. 5s)
    #[arg(long)]
    pub log_drain: Option<String>,
    /// Which other containers to keep: the ones the migration depends on, or all
    #[arg(long, value_name = "dependencies|all")]
    pub keep_containers: Option<String>,
    /// Tag for the task and task definition (repeatable; `--tag` is the image tag)
    #[arg(long = "tags", value_name = "KEY=VALUE", value_parser = parse_pair)]
    pub tags: Vec<(String, String)>,
    /// Name of this migration in reports [default: the service, else the base family]
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub image_args: ImageArgs,
    /// Regex naming a failed migration in the log, with groups file, message and optional line
    #[arg(long, value_name = "REGEX")]
    pub error_pattern: Option<String>,
    /// Write the job summary section to GITHUB_STEP_SUMMARY [default: true]
    #[arg(long, value_name = "true|false")]
    pub summary: Option<bool>,
    /// Slack incoming-webhook URL to post the result to
    #[arg(
        long,
        env = "SLACK_WEBHOOK_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub slack_webhook: Option<String>,
    #[command(flatten)]
    pub github: GitHubArgs,
}

pub(super) fn parse_pair(raw: &str) -> Result<(String, String), String> {
    match raw.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("expected NAME=VALUE, got {raw:?}")),
    }
}

fn non_empty_map(pairs: &[(String, String)]) -> Option<BTreeMap<String, String>> {
    (!pairs.is_empty()).then(|| pairs.iter().cloned().collect())
}

impl MigrationArgs {
    /// The flags as a config layer, to merge over the file.
    pub fn to_raw_config(&self) -> RawConfig {
        let network = (!self.subnets.is_empty()
            || !self.security_groups.is_empty()
            || self.assign_public_ip.is_some())
        .then(|| RawNetwork {
            subnets: (!self.subnets.is_empty()).then(|| self.subnets.clone()),
            security_groups: (!self.security_groups.is_empty())
                .then(|| self.security_groups.clone()),
            assign_public_ip: self.assign_public_ip,
        });
        let image = self.image_args.to_raw(self.image.clone());
        RawConfig {
            cluster: self.cluster.clone(),
            service: self.service.clone(),
            task_definition: self.task_definition.clone(),
            container: self.container.clone(),
            family: self.family.clone(),
            command: self.command.clone().map(CommandSpec::Shell),
            entrypoint: self.entrypoint.clone().map(CommandSpec::Shell),
            environment: non_empty_map(&self.environment),
            secrets: non_empty_map(&self.secrets),
            cpu: self.cpu,
            memory: self.memory,
            image,
            network,
            launch_type: self.launch_type.clone(),
            platform_version: self.platform_version.clone(),
            enable_execute_command: self.enable_execute_command,
            propagate_tags: self.propagate_tags.clone(),
            timeout: self.timeout.clone(),
            poll_interval: self.poll_interval.clone(),
            on_cancel: self.on_cancel.clone(),
            on_conflict: self.on_conflict.clone(),
            max_outage: self.max_outage.clone(),
            log_drain: self.log_drain.clone(),
            keep_containers: self.keep_containers.clone(),
            tags: non_empty_map(&self.tags),
            name: self.name.clone(),
            report: (self.error_pattern.is_some()
                || self.summary.is_some()
                || self.slack_webhook.is_some()
                || self.github.pr_comment.is_some()
                || self.github.check_run.is_some())
            .then(|| RawReport {
                error_pattern: self.error_pattern.clone(),
                summary: self.summary,
                slack_webhook: self.slack_webhook.clone(),
                pr_comment: self.github.pr_comment,
                check_run: self.github.check_run,
                ..RawReport::default()
            }),
            tool: self.tool.clone(),
            verify_pending: self.verify_pending,
            status_after: self.status_after,
            // Absolute: a relative path in the file is relative to the file, on the command line
            // to the working directory.
            local: self.env_file.as_ref().map(|path| RawLocal {
                env_file: Some(
                    std::path::absolute(path)
                        .unwrap_or_else(|_| path.clone())
                        .display()
                        .to_string(),
                ),
                ..RawLocal::default()
            }),
            migrations_dir: self.migrations_dir.clone(),
            commands: (self.status_command.is_some() || self.down_command.is_some()).then(|| {
                RawCommands {
                    status: self.status_command.clone().map(CommandSpec::Shell),
                    down: self.down_command.clone().map(CommandSpec::Shell),
                    ..RawCommands::default()
                }
            }),
            ..RawConfig::default()
        }
    }
}
