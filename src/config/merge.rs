//! Layering of raw configs (flags over file): a key set in the upper layer wins, sections and
//! name/value maps merge key by key, and lists are replaced whole.

use std::collections::BTreeMap;

use super::lint::RawLint;
use super::local::RawLocal;
use super::{RawBuild, RawCommands, RawConfig, RawImage, RawNetwork, RawReport};

impl RawConfig {
    /// Layers `over` (e.g. the CLI flags) on top of `self`, field by field; nested sections and
    /// maps (`environment`, `tags`, …) merge key by key; lists are replaced, not concatenated.
    pub fn merge(self, over: RawConfig) -> RawConfig {
        RawConfig {
            cluster: over.cluster.or(self.cluster),
            service: over.service.or(self.service),
            task_definition: over.task_definition.or(self.task_definition),
            container: over.container.or(self.container),
            family: over.family.or(self.family),
            command: over.command.or(self.command),
            entrypoint: over.entrypoint.or(self.entrypoint),
            environment: merge_maps(self.environment, over.environment),
            secrets: merge_maps(self.secrets, over.secrets),
            cpu: over.cpu.or(self.cpu),
            memory: over.memory.or(self.memory),
            image: merge_sections(self.image, over.image, RawImage::merge),
            network: merge_sections(self.network, over.network, RawNetwork::merge),
            launch_type: over.launch_type.or(self.launch_type),
            capacity_provider_strategy: over
                .capacity_provider_strategy
                .or(self.capacity_provider_strategy),
            platform_version: over.platform_version.or(self.platform_version),
            enable_execute_command: over.enable_execute_command.or(self.enable_execute_command),
            placement_constraints: over.placement_constraints.or(self.placement_constraints),
            placement_strategy: over.placement_strategy.or(self.placement_strategy),
            volume_configurations: over.volume_configurations.or(self.volume_configurations),
            propagate_tags: over.propagate_tags.or(self.propagate_tags),
            timeout: over.timeout.or(self.timeout),
            poll_interval: over.poll_interval.or(self.poll_interval),
            on_cancel: over.on_cancel.or(self.on_cancel),
            on_conflict: over.on_conflict.or(self.on_conflict),
            max_outage: over.max_outage.or(self.max_outage),
            log_drain: over.log_drain.or(self.log_drain),
            keep_containers: over.keep_containers.or(self.keep_containers),
            tags: merge_maps(self.tags, over.tags),
            name: over.name.or(self.name),
            report: merge_sections(self.report, over.report, RawReport::merge),
            tool: over.tool.or(self.tool),
            migrations_dir: over.migrations_dir.or(self.migrations_dir),
            commands: merge_sections(self.commands, over.commands, RawCommands::merge),
            verify: over.verify.or(self.verify),
            verify_pending: over.verify_pending.or(self.verify_pending),
            status_after: over.status_after.or(self.status_after),
            local: merge_sections(self.local, over.local, RawLocal::merge),
            lint: merge_sections(self.lint, over.lint, RawLint::merge),
            // Only the file has environments; `choose_environment` takes them out before merging.
            environments: over.environments.or(self.environments),
        }
    }
}

impl RawCommands {
    fn merge(self, over: RawCommands) -> RawCommands {
        RawCommands {
            up: over.up.or(self.up),
            down: over.down.or(self.down),
            status: over.status.or(self.status),
        }
    }
}

impl RawImage {
    fn merge(self, over: RawImage) -> RawImage {
        RawImage {
            uri: over.uri.or(self.uri),
            repository: over.repository.or(self.repository),
            tag: over.tag.or(self.tag),
            create_repository: over.create_repository.or(self.create_repository),
            build: merge_sections(self.build, over.build, RawBuild::merge),
        }
    }
}

impl RawBuild {
    fn merge(self, over: RawBuild) -> RawBuild {
        RawBuild {
            context: over.context.or(self.context),
            dockerfile: over.dockerfile.or(self.dockerfile),
            target: over.target.or(self.target),
            args: merge_maps(self.args, over.args),
            platform: over.platform.or(self.platform),
            labels: merge_maps(self.labels, over.labels),
            cache_from: over.cache_from.or(self.cache_from),
            cache_to: over.cache_to.or(self.cache_to),
        }
    }
}

impl RawNetwork {
    fn merge(self, over: RawNetwork) -> RawNetwork {
        RawNetwork {
            subnets: over.subnets.or(self.subnets),
            security_groups: over.security_groups.or(self.security_groups),
            assign_public_ip: over.assign_public_ip.or(self.assign_public_ip),
        }
    }
}

impl RawReport {
    fn merge(self, over: RawReport) -> RawReport {
        RawReport {
            pr_comment: over.pr_comment.or(self.pr_comment),
            check_run: over.check_run.or(self.check_run),
            summary: over.summary.or(self.summary),
            slack_webhook: over.slack_webhook.or(self.slack_webhook),
            path_map: merge_maps(self.path_map, over.path_map),
            error_pattern: over.error_pattern.or(self.error_pattern),
        }
    }
}

fn merge_sections<T>(base: Option<T>, over: Option<T>, merge: fn(T, T) -> T) -> Option<T> {
    match (base, over) {
        (Some(base), Some(over)) => Some(merge(base, over)),
        (base, over) => over.or(base),
    }
}

fn merge_maps(
    base: Option<BTreeMap<String, String>>,
    over: Option<BTreeMap<String, String>>,
) -> Option<BTreeMap<String, String>> {
    match (base, over) {
        (Some(mut base), Some(over)) => {
            base.extend(over);
            Some(base)
        }
        (base, over) => over.or(base),
    }
}
