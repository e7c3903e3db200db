//! A container action step run the way the GitHub runner runs one (actions/runner:
//! `ContainerActionHandler` and `DockerCommandManager.DockerRun`):
//!
//! `docker run --workdir /github/workspace --rm -e NAME… -e GITHUB_ACTIONS=true -e CI=true
//!  -v /var/run/docker.sock:/var/run/docker.sock -v <home>:/github/home
//!  -v <workflow>:/github/workflow -v <file commands>:/github/file_commands
//!  -v <workspace>:/github/workspace IMAGE <action.yml's runs.args>`
//!
//! Every input action.yml declares is an `INPUT_<NAME>` (upper-cased, spaces to `_`, hyphens
//! kept), with its default unless the step gives it; values reach the container through the
//! docker CLI's environment (`-e NAME`, no value on the command line), as the runner hands them;
//! paths in the environment are the container's (`GITHUB_OUTPUT=/github/file_commands/…`).
//! One difference: `--network host` instead of the job's bridge network, so the container
//! reaches the stand-ins on 127.0.0.1 (and the engine's socket is the stack's dockerd).

use std::path::Path;
use std::process::Command;

use super::actions::StepFiles;
use super::binary::Run;

/// What the job around the step sets: the workflow's `env:` (AWS credentials and endpoint) and
/// the `github` context (`GITHUB_*`), as NAME=value pairs; `token` is `github.token`.
pub struct Job<'a> {
    pub env: Vec<(String, String)>,
    pub token: &'a str,
}

/// Runs `image` as a step of `job` with `inputs` (action.yml's names), the workspace mounted
/// from `workspace` and the file commands from `files`. The docker CLI's exit code is the
/// container's.
pub fn run_step(
    image: &str,
    job: &Job<'_>,
    workspace: &Path,
    files: &StepFiles,
    inputs: &[(&str, &str)],
) -> Run {
    let action = action_yml();
    let home = tempfile::tempdir().unwrap();
    let workflow = tempfile::tempdir().unwrap();
    std::fs::write(
        workflow.path().join("event.json"),
        r#"{"ref": "refs/heads/main"}"#,
    )
    .unwrap();
    let in_container = |host: &Path| format!("/github/file_commands/{}", file_name(host));

    let mut env: Vec<(String, String)> = step_inputs(&action, job.token, inputs);
    env.extend(job.env.iter().cloned());
    env.extend(
        [
            ("HOME", "/github/home".to_owned()),
            ("GITHUB_WORKSPACE", "/github/workspace".to_owned()),
            (
                "GITHUB_EVENT_PATH",
                "/github/workflow/event.json".to_owned(),
            ),
            ("GITHUB_OUTPUT", in_container(&files.output_path())),
            ("GITHUB_STEP_SUMMARY", in_container(&files.summary_path())),
            (
                "GITHUB_ENV",
                "/github/file_commands/set_env_0b1c".to_owned(),
            ),
            (
                "GITHUB_PATH",
                "/github/file_commands/add_path_0b1c".to_owned(),
            ),
            (
                "GITHUB_STATE",
                "/github/file_commands/save_state_0b1c".to_owned(),
            ),
        ]
        .map(|(name, value)| (name.to_owned(), value)),
    );

    let mut command = Command::new("docker");
    command.args(["run", "--workdir", "/github/workspace", "--rm"]);
    for (name, value) in &env {
        command.arg("-e").arg(name).env(name, value);
    }
    command.args(["-e", "GITHUB_ACTIONS=true", "-e", "CI=true"]);
    command.args(["--network", "host"]);
    let mounts = [
        (engine_socket(), "/var/run/docker.sock"),
        (home.path().display().to_string(), "/github/home"),
        (workflow.path().display().to_string(), "/github/workflow"),
        (
            files.dir.path().display().to_string(),
            "/github/file_commands",
        ),
        (workspace.display().to_string(), "/github/workspace"),
    ];
    for (host, inside) in mounts {
        command.arg("-v").arg(format!("{host}:{inside}"));
    }
    command.arg(image).args(runs_args(&action));
    Run::from(
        command
            .output()
            .expect("the docker CLI (DOCKER_HOST from .stack/env)"),
    )
}

fn action_yml() -> serde_yaml::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml");
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).expect("action.yml")
}

/// `INPUT_*` of every declared input: the step's value, else the default (`${{ github.token }}`
/// evaluated to `token`), else empty.
fn step_inputs(
    action: &serde_yaml::Value,
    token: &str,
    given: &[(&str, &str)],
) -> Vec<(String, String)> {
    let declared = action["inputs"].as_mapping().expect("action.yml inputs");
    for (name, _) in given {
        assert!(
            declared.contains_key(*name),
            "action.yml declares no input {name:?}"
        );
    }
    declared
        .iter()
        .map(|(name, input)| {
            let name = name.as_str().expect("input name");
            let value = match given.iter().find(|(given, _)| *given == name) {
                Some((_, value)) => (*value).to_owned(),
                None => evaluate(input["default"].as_str().unwrap_or(""), token),
            };
            (
                format!("INPUT_{}", name.replace(' ', "_").to_uppercase()),
                value,
            )
        })
        .collect()
}

/// `runs.args`, which the runner passes after the image.
fn runs_args(action: &serde_yaml::Value) -> Vec<String> {
    assert_eq!(action["runs"]["using"], "docker", "a container action");
    action["runs"]["args"]
        .as_sequence()
        .into_iter()
        .flatten()
        .map(|arg| evaluate(arg.as_str().expect("a string argument"), ""))
        .collect()
}

/// The one expression action.yml uses; any other is a change this helper must learn.
fn evaluate(text: &str, token: &str) -> String {
    let evaluated = text.replace("${{ github.token }}", token);
    assert!(
        !evaluated.contains("${{"),
        "action.yml has an expression this test does not evaluate: {text}"
    );
    evaluated
}

/// The stack's engine socket (DOCKER_HOST), mounted where the runner mounts its engine's.
fn engine_socket() -> String {
    match std::env::var("DOCKER_HOST") {
        Ok(host) => host
            .strip_prefix("unix://")
            .unwrap_or_else(|| panic!("DOCKER_HOST {host} is not a unix socket"))
            .to_owned(),
        Err(_) => "/var/run/docker.sock".to_owned(),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .expect("a file name")
        .to_string_lossy()
        .into_owned()
}
