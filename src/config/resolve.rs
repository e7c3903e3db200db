//! Turns the merged raw layers into [`Settings`]: applies defaults, resolves relative paths
//! against the config file, and rejects missing or contradictory keys with the fix spelled out.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use super::parity::RawOverrides;
use super::tool::RawTool;
use super::values::{parse_duration, parse_keyword, parse_launch_type};
use super::{
    BaseSource, CommandSpec, ConfigError, KeepContainers, OnCancel, OnConflict, RawConfig,
    ReportSettings, Settings,
};
use crate::migration_errors::check_pattern;

const DEFAULT_NAME: &str = "ecs-migrate";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3600);
/// Longer than the two-minute network outage a wait must ride out.
const DEFAULT_MAX_OUTAGE: Duration = Duration::from_secs(180);
/// How long after the migration container exited (the task's `executionStoppedAt`) its log
/// streams are still read. CloudWatch Logs promises no read-after-write, and the log driver
/// ships the last lines only when the container exits: their batch is usually readable within a
/// second or two. Five seconds covers that with room, and costs at most five seconds a run,
/// against the tens of seconds to minutes Fargate's teardown takes before STOPPED.
const DEFAULT_LOG_DRAIN: Duration = Duration::from_secs(5);

impl RawConfig {
    /// Applies defaults and validates. `source` is the config file: named in messages, and the
    /// directory that relative paths (`task_definition: taskdef.json`, `build.context`) start from.
    /// An empty string counts as not set, so `${VAR:-}` can switch a key off.
    pub fn resolve(self, source: Option<&Path>) -> Result<Settings, ConfigError> {
        self.resolve_in(source, Path::new("."))
    }

    /// [`RawConfig::resolve`], detecting the migration tool (when `tool:` is not set) in the
    /// checkout at `checkout` rather than the working directory.
    pub fn resolve_in(
        self,
        source: Option<&Path>,
        checkout: &Path,
    ) -> Result<Settings, ConfigError> {
        let file = Resolver { source };
        let raw_tool = RawTool {
            tool: self.tool,
            migrations_dir: self.migrations_dir,
            commands: self.commands,
            command: self.command,
        };
        let (tool, command) = file.tool(raw_tool, checkout)?;
        let verify = file.verify(self.verify, self.verify_pending, self.status_after)?;
        let cluster = file.required(self.cluster, "cluster", "cluster: <name>", "--cluster")?;
        let service = non_empty(self.service);
        let base = match non_empty(self.task_definition) {
            Some(task_definition) => file.base_source(&task_definition)?,
            None => BaseSource::Service(service.clone().ok_or_else(|| file.missing_base())?),
        };
        let launch_type = self
            .launch_type
            .map(|text| parse_launch_type(&text).map_err(|e| file.error("launch_type", e)))
            .transpose()?;
        let strategy =
            file.capacity_providers(self.capacity_provider_strategy.unwrap_or_default())?;
        if launch_type.is_some() && !strategy.is_empty() {
            return Err(file.error(
                "launch_type",
                "cannot be combined with capacity_provider_strategy (ECS takes one or the \
                 other: remove one of them)",
            ));
        }
        let name = non_empty(self.name)
            .or_else(|| service.clone())
            .or_else(|| base_family(&base))
            .or_else(|| file.stem())
            .unwrap_or_else(|| DEFAULT_NAME.to_owned());
        Ok(Settings {
            name,
            environment_name: None,
            source: source.map(Path::to_path_buf),
            cluster,
            base,
            service,
            container: non_empty(self.container),
            family: non_empty(self.family),
            command,
            entrypoint: file.command("entrypoint", self.entrypoint)?,
            environment: self.environment.unwrap_or_default(),
            secrets: self.secrets.unwrap_or_default(),
            cpu: self.cpu,
            memory: self.memory,
            image: file.image(self.image.unwrap_or_default())?,
            network: file.network(self.network)?,
            launch_type,
            capacity_provider_strategy: strategy,
            platform_version: non_empty(self.platform_version),
            service_overrides: file.service_overrides(RawOverrides {
                enable_execute_command: self.enable_execute_command,
                placement_constraints: self.placement_constraints,
                placement_strategy: self.placement_strategy,
                propagate_tags: self.propagate_tags,
                volume_configurations: self.volume_configurations,
            })?,
            timeout: file.duration("timeout", self.timeout, DEFAULT_TIMEOUT)?,
            poll_interval: file.poll_interval(non_empty(self.poll_interval))?,
            on_cancel: file.keyword("on_cancel", self.on_cancel, OnCancel::KEYWORDS)?,
            on_conflict: file.keyword("on_conflict", self.on_conflict, OnConflict::KEYWORDS)?,
            max_outage: file.duration("max_outage", self.max_outage, DEFAULT_MAX_OUTAGE)?,
            log_drain: file.duration("log_drain", self.log_drain, DEFAULT_LOG_DRAIN)?,
            keep_containers: file.keyword(
                "keep_containers",
                self.keep_containers,
                KeepContainers::KEYWORDS,
            )?,
            tags: self.tags.unwrap_or_default(),
            report: {
                let raw = self.report.unwrap_or_default();
                // Checked again here: a pattern from --error-pattern skipped the file's checks.
                let error_pattern = non_empty(raw.error_pattern);
                if let Some(pattern) = &error_pattern {
                    check_pattern(pattern).map_err(|e| file.error("report.error_pattern", e))?;
                }
                ReportSettings {
                    pr_comment: raw.pr_comment.unwrap_or(true),
                    check_run: raw.check_run.unwrap_or(true),
                    summary: raw.summary.unwrap_or(true),
                    slack_webhook: non_empty(raw.slack_webhook),
                    path_map: raw.path_map.unwrap_or_default(),
                    error_pattern,
                }
            },
            tool,
            verify,
            local: file.local(self.local),
            lint: file.lint(self.lint)?,
        })
    }
}

/// The family of a named base (`app-web:42`, an ARN), or of a task definition file that can be
/// read (its errors are reported when it is used, not here).
fn base_family(base: &BaseSource) -> Option<String> {
    let family = match base {
        BaseSource::Service(_) => return None,
        BaseSource::TaskDefinition(name) => {
            let name = name
                .rsplit_once('/')
                .map_or(name.as_str(), |(_, last)| last);
            name.split(':').next().unwrap_or(name).to_owned()
        }
        BaseSource::File(path) => crate::taskdef::read_file(path).ok()?["family"]
            .as_str()?
            .to_owned(),
    };
    non_empty(Some(family))
}

pub(super) fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|text| !text.trim().is_empty())
}

/// `deploy/./app` → `deploy/app`, `./Dockerfile` → `Dockerfile`; `..` is kept (symlinks).
pub(super) fn without_dot_parts(path: &Path) -> PathBuf {
    let tidy: PathBuf = path
        .components()
        .filter(|part| *part != Component::CurDir)
        .collect();
    if tidy.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        tidy
    }
}

pub(super) struct Resolver<'a> {
    source: Option<&'a Path>,
}

impl Resolver<'_> {
    pub(super) fn error(&self, key: &str, message: impl Into<String>) -> ConfigError {
        ConfigError::for_key(self.source, key, message)
    }

    /// The file name to suggest editing; the default name when there is no file yet.
    fn file_name(&self) -> String {
        self.source.and_then(Path::file_name).map_or_else(
            || "ecs-migrate.yml".to_owned(),
            |name| name.to_string_lossy().into_owned(),
        )
    }

    fn stem(&self) -> Option<String> {
        let stem = self.source?.file_stem()?.to_string_lossy().into_owned();
        (!stem.is_empty()).then_some(stem)
    }

    fn required(
        &self,
        value: Option<String>,
        key: &str,
        example: &str,
        flag: &str,
    ) -> Result<String, ConfigError> {
        non_empty(value).ok_or_else(|| {
            let file = self.file_name();
            self.error(
                key,
                format!("required but not set (add `{example}` to {file} or pass {flag})"),
            )
        })
    }

    fn missing_base(&self) -> ConfigError {
        let file = self.file_name();
        self.error(
            "service",
            format!(
                "required unless `task_definition` is set (add `service: <name>` or \
                 `task_definition: <family[:rev]|file.json>` to {file}, or pass --service or \
                 --task-definition)"
            ),
        )
    }

    fn base_source(&self, task_definition: &str) -> Result<BaseSource, ConfigError> {
        let text = task_definition.trim();
        if text.starts_with("arn:") {
            return Ok(BaseSource::TaskDefinition(text.to_owned()));
        }
        let lower = text.to_ascii_lowercase();
        let is_file = [".json", ".yml", ".yaml"]
            .iter()
            .any(|ext| lower.ends_with(ext))
            || text.contains(['/', '\\']);
        if is_file {
            return Ok(BaseSource::File(self.relative_to_file(text)));
        }
        let (family, revision) = text.split_once(':').unwrap_or((text, "1"));
        let family_ok = (1..=255).contains(&family.len())
            && family
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        let revision_ok = !revision.is_empty() && revision.bytes().all(|b| b.is_ascii_digit());
        if family_ok && revision_ok {
            Ok(BaseSource::TaskDefinition(text.to_owned()))
        } else {
            Err(self.error(
                "task_definition",
                format!(
                    "invalid value {task_definition:?} (use family[:revision] such as app-web:42, \
                     a task definition ARN, or a .json/.yml/.yaml file)"
                ),
            ))
        }
    }

    /// Relative paths in the file mean "next to the file", wherever the tool is started from.
    pub(super) fn relative_to_file(&self, path: &str) -> PathBuf {
        let path = Path::new(path);
        let joined = match self.source.and_then(Path::parent) {
            Some(dir) if path.is_relative() => dir.join(path),
            _ => path.to_path_buf(),
        };
        without_dot_parts(&joined)
    }

    pub(super) fn command(
        &self,
        key: &str,
        spec: Option<CommandSpec>,
    ) -> Result<Option<Vec<String>>, ConfigError> {
        let Some(spec) = spec else { return Ok(None) };
        let args = spec.to_args().map_err(|message| self.error(key, message))?;
        Ok((!args.is_empty()).then_some(args))
    }

    fn duration(
        &self,
        key: &str,
        text: Option<String>,
        default: Duration,
    ) -> Result<Duration, ConfigError> {
        text.map_or(Ok(default), |text| {
            parse_duration(&text).map_err(|e| self.error(key, e))
        })
    }

    /// `auto` (the default) is `None`: the wait paces itself within its call budget.
    fn poll_interval(&self, text: Option<String>) -> Result<Option<Duration>, ConfigError> {
        match text {
            Some(text) if text.trim() != "auto" => parse_duration(&text)
                .map(Some)
                .map_err(|e| self.error("poll_interval", format!("{e}, or auto"))),
            _ => Ok(None),
        }
    }

    fn keyword<T: Copy + Default>(
        &self,
        key: &str,
        text: Option<String>,
        choices: &[(&str, T)],
    ) -> Result<T, ConfigError> {
        text.map_or(Ok(T::default()), |text| {
            parse_keyword(&text, choices).map_err(|e| self.error(key, e))
        })
    }
}
