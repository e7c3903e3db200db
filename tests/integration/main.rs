//! Integration tests: the real `ecs-migrate` binary against the local stack (`tests/run.sh`
//! starts dockerd, a registry and the ECS stand-in). One test binary, one module per area.

mod action_image;
mod action_lint;
mod action_outputs;
mod action_slack;
mod ci_steps;
mod config_errors;
mod config_schema;
mod environments;
mod faults;
mod github_report;
mod iam;
mod image_build;
mod install_script;
mod lock_consistency;
mod plan;
mod preflight_sizes;
mod prune;
mod real_tools;
mod resilience;
mod review;
mod run_local;
mod run_logs;
mod run_outcomes;
mod run_teardown;
mod secrets;
mod service_parity;
mod shell_files;
mod support;
