//! `--local`: the derived migration task definition run on the local Docker engine instead of
//! ECS, so a developer sees what ECS would run (the same image, command, entrypoint, environment,
//! secrets and memory limit) against their own database before pushing. Building the `docker
//! run` and finding the secrets' values live here; `commands::local` runs it.

mod docker_run;
mod env_file;
mod secrets;

pub use docker_run::{DockerRun, docker_run};
pub use env_file::read_env_file;
pub use secrets::{container_secrets, resolve};
