//! `ecs-migrate plan`: everything `run` would do, resolved and printed, without one mutating AWS
//! call. With a file base and an explicit network it needs no AWS access at all. `--status`
//! adds the tool's status task on the target (on_target.rs), which does register and run.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;
use serde_json::{Value, json};

use crate::aws::Clients;
use crate::ci::CiContext;
use crate::cli::{GlobalArgs, MigrationArgs, OutputFormat};
use crate::config::{Settings, ToolOrigin};
use crate::failure::usage;
use crate::image;
use crate::logs;
use crate::preflight;
use crate::redact::redacted;
use crate::report;
use crate::task::launch::{RunTaskRequest, run_task_request};
use crate::taskdef::describe_task_definition;
use crate::taskdef::normalise::same_definition;

use super::job::Job;
use super::local;
use super::on_target;
use super::prepare::{Prepared, migration_container, needs_aws, prepare, resource_tags};
use super::run::one_off_task;
use super::{aws_target, load_settings};
use crate::progress::Progress;
use crate::report::github;
use crate::report::github::GitHubReport;
use crate::review::{self, Reviewed};

/// `with_status`: `plan --status`, which also runs the tool's status task on the target.
pub async fn plan(global: &GlobalArgs, args: &MigrationArgs, with_status: bool) -> Result<u8> {
    let mut settings = load_settings(global, args)?;
    if with_status {
        Job::Status.command(&settings).map_err(|error| {
            usage(format!(
                "plan --status needs the tool's status command: {error:#}"
            ))
        })?;
        if args.local {
            return Err(usage(
                "plan --status runs the status task in ECS, not with --local; for the local \
                 database run `ecs-migrate status --local`",
            ));
        }
    }
    if args.local {
        return local::plan(global, &settings, None).await;
    }
    // As configured, before the image is located: the status task locates it again.
    let status_settings = with_status.then(|| settings.clone());
    let clients = if with_status || needs_aws(&settings) || settings.image.build.is_some() {
        Some(Clients::connect(&aws_target(global)).await?)
    } else {
        None
    };
    let image = match &clients {
        Some(clients) => image::locate(clients, &settings, args.image_args.rebuild).await?,
        None => None,
    };
    if let Some(image) = &image {
        settings.image.uri = Some(image.reference());
    }
    let prepared = prepare(&settings, clients.as_ref()).await?;
    let registration = match &clients {
        Some(clients) => {
            let latest = describe_task_definition(&clients.ecs, &prepared.derived.family).await?;
            match latest {
                Some(latest) if same_definition(&prepared.derived.task_definition, &latest) => {
                    format!(
                        "reuse {}",
                        latest["taskDefinitionArn"].as_str().unwrap_or("?")
                    )
                }
                Some(_) => "register a new revision (it differs from the latest)".to_owned(),
                None => "register the first revision of the family".to_owned(),
            }
        }
        None => "register a new revision unless the latest ACTIVE one is identical".to_owned(),
    };
    let ci = CiContext::current();
    let request = run_task_request(
        &settings,
        prepared.service.as_ref(),
        &prepared.derived.task_definition,
        &prepared.derived.family,
        resource_tags(&settings, ci),
    )?;
    if let Some(clients) = &clients {
        let findings = preflight::check(
            clients,
            &request,
            &prepared.derived.task_definition,
            settings.image.build.is_none(),
        )
        .await;
        preflight::enforce(&findings, |note| errln!("warning: {note}"))?;
    } else {
        let findings = preflight::without_aws(&request, &prepared.derived.task_definition, None);
        preflight::enforce(&findings, |note| errln!("warning: {note}"))?;
    }
    let review = review_pull_request(&settings, args).await;
    let mut outcome =
        report::plan_outcome(&settings, migration_container(&prepared), review.clone());
    if let (Some(mut status_settings), Some(clients)) = (status_settings, &clients) {
        let ci = CiContext::current();
        let progress = Progress::new(ci, global.chatter());
        let mut off = GitHubReport::off();
        let status_task = one_off_task(
            clients,
            args,
            &mut status_settings,
            &Job::Status,
            &progress,
            &mut off,
        )
        .await?;
        progress.finish();
        on_target::fold(&mut outcome, &status_task);
    }
    let status = outcome.status;
    match global.output {
        OutputFormat::Json => {
            let mut document = json!({
                "status": status,
                "name": settings.name,
                "base": prepared.base_origin,
                "tool": settings.tool.id,
                "tool-detected": match &settings.tool.origin {
                    ToolOrigin::Detected(reason) => Some(reason),
                    ToolOrigin::Configured => None,
                },
                "registration": registration,
                "image-build": image.as_ref().map(image::Located::to_json),
                "task-definition": redacted(&prepared.derived.task_definition),
                "run-task": request,
            });
            if let Some(environment) = &settings.environment_name {
                document["environment"] = json!(environment);
            }
            if let Some(reviewed) = &review {
                document["review"] = serde_json::to_value(reviewed)?;
                document["review"]["fail-on"] = json!(settings.lint.fail_on.to_string());
            }
            if with_status {
                on_target::add_to_json(&mut document, &outcome);
            }
            outln!("{}", serde_json::to_string_pretty(&document)?);
        }
        OutputFormat::Text => {
            let build = image.as_ref().map(image::Located::summary);
            out!(
                "{}",
                plan_text(&settings, &prepared, &registration, &request, build)?
            );
            if let Some(reviewed) = &review {
                out!("{}", review_text(reviewed, &settings));
            }
            if with_status {
                out!("{}", on_target::text(&outcome));
            }
        }
    }
    let rows = [
        ("Cluster", settings.cluster.clone()),
        (
            "Family",
            format!("{} ({registration})", prepared.derived.family),
        ),
        ("Base", prepared.base_origin.clone()),
    ];
    let warn = |warning: String| errln!("warning: {warning}");
    if outcome.review.is_some() {
        // The review shows where the pull request is read: the sticky comment and the check run.
        let ci = CiContext::current();
        let progress = Progress::new(ci, global.chatter());
        let mut github =
            GitHubReport::connect(&settings, ci, &args.github.access(), &progress).await;
        github.finish(&outcome, &progress).await;
    }
    report::plan_finished(&settings, &outcome, &rows, &warn);
    Ok(status.exit_code())
}

/// In a pull request (the Actions event, CodeBuild's `pr/N`, or `--pr N`), reviews its
/// migrations; None elsewhere, or when GitHub cannot be read (a warning naming the permission:
/// the plan itself stands).
async fn review_pull_request(settings: &Settings, args: &MigrationArgs) -> Option<Reviewed> {
    let ci = CiContext::current();
    let listed = match github::pull_request_files(ci, &args.github.access()).await {
        Ok(listed) => listed,
        Err(problem) => {
            errln!("warning: the pull request was not reviewed: {problem}");
            return None;
        }
    };
    let (pr, files) = listed?;
    let review = review::review(
        &files,
        &settings.tool.migrations_dir,
        Path::new("."),
        &settings.lint,
    );
    Some(Reviewed {
        pr,
        rejected: review.rejected(settings.lint.fail_on),
        review,
    })
}

fn review_text(reviewed: &Reviewed, settings: &Settings) -> String {
    let mut text = format!(
        "\nReview of pull request #{} (migrations in {}):\n",
        reviewed.pr, settings.tool.migrations_dir
    );
    if reviewed.review.migrations.is_empty() {
        text.push_str("  no migrations changed\n");
    }
    for file in &reviewed.review.migrations {
        let _ = writeln!(text, "  {:<9} {}", file.status.as_str(), file.path);
    }
    for finding in &reviewed.review.findings {
        let _ = writeln!(
            text,
            "  {}:{}: {} [{}] {}",
            finding.path,
            finding.line,
            finding.level.as_str(),
            finding.rule,
            finding.message
        );
        if let Some(help) = &finding.help {
            let _ = writeln!(text, "      fix: {help}");
        }
    }
    let verdict = if reviewed.rejected {
        "rejected"
    } else {
        "passed"
    };
    let _ = writeln!(
        text,
        "  review {verdict} (lint.fail_on: {})",
        settings.lint.fail_on
    );
    text
}

fn plan_text(
    settings: &Settings,
    prepared: &Prepared,
    registration: &str,
    request: &RunTaskRequest,
    build: Option<String>,
) -> Result<String> {
    let container = migration_container(prepared);
    let words = |value: &Value| -> Option<String> {
        let list: Vec<String> = value
            .as_array()?
            .iter()
            .filter_map(|word| word.as_str().map(str::to_owned))
            .collect();
        Some(shell_words::join(list))
    };
    let launch = match (
        &request.launch_type,
        request.capacity_provider_strategy.is_empty(),
    ) {
        (Some(launch_type), _) => launch_type.clone(),
        (None, false) => "capacity providers".to_owned(),
        (None, true) => "the cluster's default capacity provider strategy".to_owned(),
    };
    let network = request.network_configuration.as_ref().map_or_else(
        || "the task definition's network mode".to_owned(),
        |config| {
            let vpc = &config.awsvpc_configuration;
            format!(
                "subnets {}; security groups {}; public IP {}",
                vpc.subnets.join(", "),
                if vpc.security_groups.is_empty() {
                    "(VPC default)".to_owned()
                } else {
                    vpc.security_groups.join(", ")
                },
                vpc.assign_public_ip
            )
        },
    );
    let (sources, warnings) = logs::sources(&prepared.derived.task_definition, "<task-id>");
    let log_lines: Vec<String> = sources
        .iter()
        .map(|source| format!("{} {}", source.group, source.stream))
        .collect();

    let mut text = String::new();
    let source = settings.source.as_ref().map_or_else(
        || "flags only".to_owned(),
        |path| path.display().to_string(),
    );
    match &settings.environment_name {
        Some(environment) => writeln!(
            text,
            "Plan for migration {:?} in environment {environment:?} ({source})",
            settings.name
        )?,
        None => writeln!(text, "Plan for migration {:?} ({source})", settings.name)?,
    }
    let mut row = |label: &str, value: String| writeln!(text, "  {label:<17} {value}");
    row("cluster:", settings.cluster.clone())?;
    row("base:", prepared.base_origin.clone())?;
    row(
        "family:",
        format!("{} ({registration})", prepared.derived.family),
    )?;
    row("container:", prepared.derived.container.clone())?;
    row("tool:", settings.tool.describe())?;
    row(
        "image:",
        container["image"].as_str().unwrap_or("(none)").to_owned(),
    )?;
    if let Some(build) = build {
        row("build:", build)?;
    }
    row(
        "command:",
        words(&container["command"]).unwrap_or_else(|| "(the image's default)".to_owned()),
    )?;
    if let Some(entrypoint) = words(&container["entryPoint"]) {
        row("entrypoint:", entrypoint)?;
    }
    row("launch:", launch)?;
    row("network:", network)?;
    row(
        "wait:",
        format!(
            "until the migration container exits, then its last log lines for up to {}; at \
             most {}, polling {}; on timeout or cancel: {}",
            humantime::format_duration(settings.log_drain),
            humantime::format_duration(settings.timeout),
            settings.poll_interval.map_or_else(
                || "adaptively (at most 60 AWS calls a minute)".to_owned(),
                |every| format!("every {}", humantime::format_duration(every))
            ),
            settings.on_cancel
        ),
    )?;
    if !log_lines.is_empty() {
        row("logs:", log_lines.join("; "))?;
    }
    for warning in warnings {
        row("warning:", warning)?;
    }
    writeln!(text, "\nTask definition to register:")?;
    writeln!(
        text,
        "{}",
        serde_json::to_string_pretty(&redacted(&prepared.derived.task_definition))?
    )?;
    writeln!(text, "\nRunTask request:")?;
    writeln!(text, "{}", serde_json::to_string_pretty(request)?)?;
    Ok(text)
}
