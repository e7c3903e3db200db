//! The `docker run` of a task definition's migration container: what ECS would give the
//! container, as Docker flags. Values (environment and secrets) never go on the command line:
//! each is `-e NAME`, which Docker reads from its own environment, so they stay out of `ps`, the
//! printed command and the logs.

use std::collections::BTreeMap;

use serde_json::Value;

/// A `docker run` ready to start: the arguments after `docker`, and the values Docker reads
/// from its environment for each `-e NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerRun {
    pub args: Vec<String>,
    pub env: BTreeMap<String, String>,
    /// What in the task definition a local run cannot reproduce, to warn about.
    pub warnings: Vec<String>,
}

impl DockerRun {
    /// The command as printed: no value appears in it.
    pub fn printable(&self) -> String {
        format!("docker {}", shell_words::join(&self.args))
    }
}

/// The `docker run` of `container` (a container definition of `task_definition`) as `name`
/// on `network`, running `command` (None: the container's own). `values` holds each secret's
/// value and extra variables; a variable of the container's `environment` it names is
/// overridden.
pub fn docker_run(
    task_definition: &Value,
    container: &Value,
    command: Option<&[String]>,
    network: &str,
    name: &str,
    values: &BTreeMap<String, String>,
) -> DockerRun {
    let mut args: Vec<String> = ["run", "--name", name, "--network", network]
        .map(str::to_owned)
        .to_vec();
    let mut warnings = Vec::new();
    if let Some(memory) = memory_limit(task_definition, container) {
        args.extend(["--memory".to_owned(), format!("{memory}m")]);
    }
    if let Some(dir) = container["workingDirectory"].as_str() {
        args.extend(["--workdir".to_owned(), dir.to_owned()]);
    }
    if let Some(user) = container["user"].as_str() {
        args.extend(["--user".to_owned(), user.to_owned()]);
    }
    let mut env = BTreeMap::new();
    for variable in list(&container["environment"]) {
        if let (Some(key), Some(value)) = (variable["name"].as_str(), variable["value"].as_str()) {
            env.insert(key.to_owned(), value.to_owned());
        }
    }
    // Secrets and the local values: resolved by the caller.
    env.extend(values.clone());
    for key in env.keys() {
        args.extend(["--env".to_owned(), key.clone()]);
    }
    if !list(&container["environmentFiles"]).is_empty() {
        warnings.push(
            "the container's environmentFiles (S3) are not read by a local run: put their \
             variables in local.env or --env-file"
                .to_owned(),
        );
    }
    // `--entrypoint` takes one word: the rest of the entrypoint goes before the command.
    let entrypoint: Vec<String> = strings(&container["entryPoint"]);
    let mut rest: Vec<String> = Vec::new();
    if let Some((first, more)) = entrypoint.split_first() {
        args.extend(["--entrypoint".to_owned(), first.clone()]);
        rest.extend(more.iter().cloned());
    }
    args.push(container["image"].as_str().unwrap_or_default().to_owned());
    args.extend(rest);
    match command {
        Some(command) => args.extend(command.iter().cloned()),
        None => args.extend(strings(&container["command"])),
    }
    DockerRun {
        args,
        env,
        warnings,
    }
}

/// The container's hard limit (MiB) as ECS enforces it: its own `memory`, else the task's.
fn memory_limit(task_definition: &Value, container: &Value) -> Option<u64> {
    let task = task_definition["memory"]
        .as_str()
        .and_then(|text| text.parse().ok())
        .or_else(|| task_definition["memory"].as_u64());
    container["memory"].as_u64().or(task)
}

fn list(value: &Value) -> &[Value] {
    value.as_array().map(Vec::as_slice).unwrap_or_default()
}

fn strings(value: &Value) -> Vec<String> {
    list(value)
        .iter()
        .filter_map(|word| word.as_str().map(str::to_owned))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn the_container_runs_as_ecs_would_with_no_value_on_the_command_line() {
        let task = json!({"memory": "1024"});
        let container = json!({
            "name": "app", "image": "registry/app@sha256:abc", "memory": 512,
            "workingDirectory": "/app", "user": "1000",
            "entryPoint": ["sh", "-c"], "command": ["alembic upgrade head"],
            "environment": [{"name": "MODE", "value": "migrate"}],
            "secrets": [{"name": "DATABASE_URL", "valueFrom": "arn:aws:ssm:us-east-1:1:parameter/db"}]
        });
        let run = docker_run(
            &task,
            &container,
            None,
            "host",
            "ecs-migrate-local-x",
            &values(&[("DATABASE_URL", "postgres://u:secret-pw@h/db")]),
        );
        assert_eq!(
            run.printable(),
            "docker run --name ecs-migrate-local-x --network host --memory 512m --workdir /app \
             --user 1000 --env DATABASE_URL --env MODE --entrypoint sh registry/app@sha256:abc \
             -c 'alembic upgrade head'"
        );
        assert_eq!(
            run.env,
            values(&[
                ("DATABASE_URL", "postgres://u:secret-pw@h/db"),
                ("MODE", "migrate")
            ])
        );
        assert!(!run.printable().contains("secret-pw"));
        assert!(run.warnings.is_empty());
    }

    #[test]
    fn a_command_override_replaces_the_container_s_and_the_task_memory_is_the_limit() {
        let task = json!({"memory": "2048"});
        let container = json!({"image": "app:1", "command": ["serve"],
                               "environment": [{"name": "MODE", "value": "serve"}],
                               "environmentFiles": [{"value": "arn:aws:s3:::b/f.env", "type": "s3"}]});
        let status = ["alembic".to_owned(), "current".to_owned()];
        let run = docker_run(
            &task,
            &container,
            Some(&status),
            "devnet",
            "n",
            &values(&[("MODE", "local")]),
        );
        assert_eq!(
            run.printable(),
            "docker run --name n --network devnet --memory 2048m --env MODE app:1 alembic current"
        );
        assert_eq!(run.env["MODE"], "local");
        assert_eq!(run.warnings.len(), 1, "{:?}", run.warnings);
    }
}
