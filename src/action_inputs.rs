//! The GitHub container Action's front door. The runner hands the step's `with:` inputs to the
//! container as `INPUT_<NAME>` environment variables (upper-cased, dashes kept, empty strings for
//! inputs not given), and `action.yml` starts the binary as `ecs-migrate action`. Here those
//! variables become an ordinary command line before clap sees it, so the Action needs no shell
//! wrapper and every input means exactly what its flag means.

use std::ffi::OsString;

/// The first argument that switches the binary into Action mode (`runs.args` in action.yml).
pub const ACTION_ARG: &str = "action";

/// How one input reaches the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `--flag=<value>`.
    Flag(&'static str),
    /// `--flag=true|false`, the value checked first.
    Switch(&'static str),
    /// A list written with commas or one per line, passed as `--flag=a,b`.
    List(&'static str),
    /// One `--flag=<line>` per non-empty line, each `NAME=VALUE`.
    PerLine(&'static str),
    /// An environment variable the flag also reads, so a secret stays out of the process list.
    Env(&'static str),
    /// `true` runs `plan` instead of `run`.
    PlanInstead,
    /// `up`, `down` or `status`: the subcommand (`run`, `down`, `status`).
    Subcommand,
    /// `--flag` alone when `true`, nothing when `false`, the value checked first.
    Presence(&'static str),
    /// `--flag=<value>` of `down` only: refused with any other `migrate`.
    DownFlag(&'static str),
    /// `--flag` of `plan` alone when `true`: refused without `dry-run: true`.
    PlanPresence(&'static str),
}

/// The `migrate` input's values and the subcommand each runs.
const MIGRATE: &[(&str, &str)] = &[("up", "run"), ("down", "down"), ("status", "status")];

/// Every input of action.yml, in its order, and where it goes.
pub const INPUTS: &[(&str, Target)] = &[
    ("config", Target::Flag("--config")),
    ("environment", Target::Flag("--environment")),
    ("cluster", Target::Flag("--cluster")),
    ("service", Target::Flag("--service")),
    ("task-definition", Target::Flag("--task-definition")),
    ("container", Target::Flag("--container")),
    ("command", Target::Flag("--command")),
    ("image", Target::Flag("--image")),
    ("repository", Target::Flag("--repository")),
    ("tag", Target::Flag("--tag")),
    ("build-context", Target::Flag("--build-context")),
    ("dockerfile", Target::Flag("--dockerfile")),
    ("build-args", Target::PerLine("--build-arg")),
    ("subnets", Target::List("--subnets")),
    ("security-groups", Target::List("--security-groups")),
    ("timeout", Target::Flag("--timeout")),
    ("dry-run", Target::PlanInstead),
    ("github-token", Target::Env("GITHUB_TOKEN")),
    ("pr-comment", Target::Switch("--pr-comment")),
    ("check-run", Target::Switch("--check-run")),
    ("github-app-id", Target::Env("GITHUB_APP_ID")),
    (
        "github-app-private-key",
        Target::Env("GITHUB_APP_PRIVATE_KEY"),
    ),
    ("summary", Target::Switch("--summary")),
    ("slack-webhook", Target::Env("SLACK_WEBHOOK_URL")),
    ("migrate", Target::Subcommand),
    ("steps", Target::DownFlag("--steps")),
    ("to", Target::DownFlag("--to")),
    ("yes", Target::Presence("--yes")),
    ("status", Target::PlanPresence("--status")),
];

/// The command line (and the environment to add) that the inputs stand for.
#[derive(Debug, PartialEq, Eq)]
pub struct Invocation {
    pub args: Vec<OsString>,
    pub env: Vec<(&'static str, String)>,
}

/// An input with a value its flag cannot take; named so the user can fix the `with:` block.
#[derive(Debug, PartialEq, Eq)]
pub struct InputError(pub String);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The runner's name for an input: `task-definition` arrives as `INPUT_TASK-DEFINITION`.
pub fn variable_name(input: &str) -> String {
    format!("INPUT_{}", input.replace(' ', "_").to_ascii_uppercase())
}

/// `args` unchanged, unless its first argument is [`ACTION_ARG`]: then the command line the
/// Action's inputs stand for. Arguments after `action` are kept (e.g. `-v` in `runs.args`).
pub fn command_line(
    args: Vec<OsString>,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Invocation, InputError> {
    if args.get(1).is_none_or(|first| first != ACTION_ARG) {
        return Ok(Invocation {
            args,
            env: Vec::new(),
        });
    }
    let mut invocation = from_inputs(lookup)?;
    invocation.args.splice(2..2, args.into_iter().skip(2));
    Ok(invocation)
}

/// `ecs-migrate run|plan|status|down <flags>` from the `INPUT_*` variables; unset and empty
/// inputs are left out, so the config file (or the built-in default) decides.
pub fn from_inputs(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Invocation, InputError> {
    let mut subcommand = "run";
    let mut plan_instead = false;
    // The inputs that only `migrate: down` takes, as given.
    let mut down_only: Vec<&str> = Vec::new();
    // The inputs that only `dry-run: true` takes, as given.
    let mut plan_only: Vec<&str> = Vec::new();
    let mut flags: Vec<String> = Vec::new();
    let mut env = Vec::new();
    for &(input, target) in INPUTS {
        let Some(raw) = lookup(&variable_name(input)) else {
            continue;
        };
        let value = raw.trim();
        if value.is_empty() {
            continue;
        }
        match target {
            Target::Flag(flag) => flags.push(format!("{flag}={value}")),
            Target::Switch(flag) => flags.push(format!("{flag}={}", switch(input, value)?)),
            Target::List(flag) => {
                let items: Vec<&str> = value
                    .split([',', '\n'])
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .collect();
                flags.push(format!("{flag}={}", items.join(",")));
            }
            Target::PerLine(flag) => {
                for (index, line) in value.lines().map(str::trim).enumerate() {
                    if line.is_empty() {
                        continue;
                    }
                    if line.split_once('=').is_none_or(|(name, _)| name.is_empty()) {
                        return Err(InputError(format!(
                            "input `{input}` line {}: expected NAME=VALUE, got {line:?} (write \
                             one NAME=VALUE per line in the step's `with:`)",
                            index + 1
                        )));
                    }
                    flags.push(format!("{flag}={line}"));
                }
            }
            Target::Env(name) => env.push((name, value.to_owned())),
            Target::PlanInstead => plan_instead = switch(input, value)?,
            Target::Subcommand => subcommand = migrate(input, value)?,
            Target::Presence(flag) => {
                if switch(input, value)? {
                    down_only.push(input);
                    flags.push(flag.to_owned());
                }
            }
            Target::DownFlag(flag) => {
                down_only.push(input);
                flags.push(format!("{flag}={value}"));
            }
            Target::PlanPresence(flag) => {
                if switch(input, value)? {
                    plan_only.push(input);
                    flags.push(flag.to_owned());
                }
            }
        }
    }
    if let Some(input) = down_only.first().filter(|_| subcommand != "down") {
        return Err(InputError(format!(
            "input `{input}` applies only to `migrate: down` (remove it, or set `migrate: down`)"
        )));
    }
    if let Some(input) = plan_only.first().filter(|_| !plan_instead) {
        return Err(InputError(format!(
            "input `{input}: true` applies only to `dry-run: true` (remove it, or set \
             `dry-run: true`)"
        )));
    }
    if plan_instead {
        if subcommand != "run" {
            return Err(InputError(
                "input `dry-run: true` plans a `migrate: up` only (remove `dry-run`, or the \
                 `migrate` input)"
                    .to_owned(),
            ));
        }
        subcommand = "plan";
    }
    let mut args: Vec<OsString> = vec!["ecs-migrate".into(), subcommand.into()];
    args.extend(flags.into_iter().map(OsString::from));
    Ok(Invocation { args, env })
}

fn migrate(input: &str, value: &str) -> Result<&'static str, InputError> {
    let lower = value.to_ascii_lowercase();
    MIGRATE
        .iter()
        .find(|(name, _)| *name == lower)
        .map(|(_, subcommand)| *subcommand)
        .ok_or_else(|| {
            InputError(format!(
                "input `{input}` must be up, down or status, got {value:?} (fix it in the step's \
                 `with:`)"
            ))
        })
}

fn switch(input: &str, value: &str) -> Result<bool, InputError> {
    match value.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(InputError(format!(
            "input `{input}` must be true or false, got {value:?} (fix it in the step's `with:`)"
        ))),
    }
}

#[cfg(test)]
#[path = "action_inputs_tests.rs"]
mod tests;
