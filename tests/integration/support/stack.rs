//! The local stack started by `tests/run.sh`: where it is and its control API.

use serde_json::Value;

pub struct Stack {
    pub endpoint: String,
    pub image: String,
    pub registry: String,
}

/// Whether the tests run in CI, where a missing piece of the stack is a failure, never a skip:
/// `CI` is `true` or `1` (any case), as tests/run.sh reads it. The one place the Rust tests ask.
pub fn in_ci() -> bool {
    is_ci_value(std::env::var("CI").ok().as_deref())
}

/// `check-jsonschema` from the stack's Python venv; `None` (with a note) outside CI when it is not
/// installed, a failure in CI.
pub fn check_jsonschema() -> Option<std::path::PathBuf> {
    let found = std::env::var_os("ECS_MIGRATE_TEST_PYTHON")
        .map(|python| std::path::PathBuf::from(python).with_file_name("check-jsonschema"))
        .filter(|path| path.exists());
    if found.is_none() {
        assert!(
            !in_ci(),
            "check-jsonschema is not in the stack's venv (ECS_MIGRATE_TEST_PYTHON): run tests/stack/up.sh"
        );
        eprintln!("skipped: check-jsonschema not installed in the stack's venv");
    }
    found
}

fn is_ci_value(value: Option<&str>) -> bool {
    value.is_some_and(|value| value == "1" || value.eq_ignore_ascii_case("true"))
}

/// The stack, or `None` (with a note) when it is not running and we are not in CI.
/// In CI (see [`in_ci`]) a missing stack is a failure, never a silent skip.
pub fn stack() -> Option<Stack> {
    match std::env::var("ECS_MIGRATE_TEST_ENDPOINT") {
        Ok(endpoint) => Some(Stack {
            endpoint,
            image: std::env::var("ECS_MIGRATE_TEST_IMAGE").expect("ECS_MIGRATE_TEST_IMAGE"),
            registry: std::env::var("ECS_MIGRATE_TEST_REGISTRY")
                .expect("ECS_MIGRATE_TEST_REGISTRY"),
        }),
        Err(_) if in_ci() => {
            panic!(
                "the test stack is not running (ECS_MIGRATE_TEST_ENDPOINT unset): run tests/run.sh"
            )
        }
        Err(_) => {
            eprintln!("skipped: the test stack is not running; run tests/run.sh");
            None
        }
    }
}

/// Skips the test (outside CI) when the stack is not up.
macro_rules! require_stack {
    () => {
        match $crate::support::stack::stack() {
            Some(stack) => stack,
            None => return,
        }
    };
}
pub(crate) use require_stack;

impl Stack {
    fn url(&self, path: &str) -> String {
        format!("{}/_standin/{path}", self.endpoint)
    }

    /// Every AWS request that reached the stand-in with this access key.
    pub fn requests(&self, access_key: &str) -> Vec<Value> {
        let mut answer = ureq::get(&self.url("requests"))
            .query("access_key", access_key)
            .call()
            .expect("stand-in request log");
        let body: Value = answer.body_mut().read_json().expect("request log JSON");
        match body {
            Value::Array(items) => items,
            other => other["requests"].as_array().cloned().unwrap_or_default(),
        }
    }

    /// How many of those requests were answered with HTTP `status` (e.g. 500 for injected errors).
    pub fn answered(&self, access_key: &str, status: u16) -> usize {
        self.requests(access_key)
            .iter()
            .filter(|request| request["status"] == status)
            .count()
    }

    /// The action names (e.g. `RunTask`) of those requests, in order.
    pub fn actions(&self, access_key: &str) -> Vec<String> {
        self.requests(access_key)
            .iter()
            .filter_map(|request| request["action"].as_str().map(str::to_owned))
            .collect()
    }

    /// Per-access-key behaviour of the stand-in (fault injection, RunTask failures, ...).
    pub fn set_behaviour(&self, access_key: &str, mut behaviour: Value) {
        behaviour["access_key"] = access_key.into();
        ureq::post(&self.url("behaviour"))
            .send_json(&behaviour)
            .expect("stand-in behaviour");
    }

    /// Waits (bounded, 30 s) until `access_key` sent `count` `action` requests that succeeded;
    /// returns them.
    pub fn wait_for_requests(&self, access_key: &str, action: &str, count: usize) -> Vec<Value> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let done: Vec<Value> = self
                .requests(access_key)
                .into_iter()
                .filter(|request| request["action"] == action && request["status"] == 200)
                .collect();
            if done.len() >= count {
                return done;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{access_key} sent only {} successful {action}: {:?}",
                done.len(),
                self.actions(access_key)
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Waits (bounded, 30 s) until `key` has a task in `status`; returns it.
    pub fn task_in(&self, key: &str, status: &str) -> Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let tasks = self.tasks(key);
            if let Some(task) = tasks.iter().find(|task| task["last_status"] == status) {
                return task.clone();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no {status} task for {key}: {tasks:?}"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    /// The tasks this access key started, as the stand-in saw them.
    pub fn tasks(&self, access_key: &str) -> Vec<Value> {
        let mut answer = ureq::get(&self.url("tasks"))
            .query("access_key", access_key)
            .call()
            .expect("stand-in tasks");
        let body: Value = answer.body_mut().read_json().expect("tasks JSON");
        match body {
            Value::Array(items) => items,
            other => other["tasks"].as_array().cloned().unwrap_or_default(),
        }
    }

    /// The default VPC's subnets and security groups.
    pub fn network(&self) -> (Vec<String>, Vec<String>) {
        let mut answer = ureq::get(&self.url("network"))
            .call()
            .expect("stand-in network");
        let body: Value = answer.body_mut().read_json().expect("network JSON");
        let list = |key: &str| -> Vec<String> {
            body[key]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect()
        };
        (list("subnets"), list("security_groups"))
    }
}

#[test]
fn ci_means_true_or_1_in_any_case_as_in_run_sh() {
    for yes in ["true", "TRUE", "True", "1"] {
        assert!(is_ci_value(Some(yes)), "CI={yes:?} is CI");
    }
    for no in ["", "0", "false", "yes", "2", "truthy", " true"] {
        assert!(!is_ci_value(Some(no)), "CI={no:?} is not CI");
    }
    assert!(!is_ci_value(None));
}
