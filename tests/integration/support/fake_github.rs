//! A local fake of the GitHub REST API (wiremock) for the endpoints ecs-migrate calls. Every
//! request is matched to an operation of GitHub's own OpenAPI description
//! (`../shared/contracts/github-rest-subset.json`) and its JSON body validated against that
//! operation's schema; an unknown endpoint or an invalid body is recorded as a problem (and
//! answered 404/422) so tests fail on it. It keeps comments and check runs like GitHub does.
//!
//! Self-contained on purpose: unit tests in `src/` include this file too.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate, matchers::any};

const CONTRACT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/contracts/github-rest-subset.json"
);

/// One request as it reached the fake.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// The contract's operation id, e.g. `checks/create`.
    pub operation: String,
    pub path: String,
    pub query: String,
    pub authorization: Option<String>,
    pub body: Value,
}

struct Operation {
    id: String,
    method: String,
    template: Vec<String>,
    body_schema: Option<jsonschema::Validator>,
}

#[derive(Default)]
struct State {
    requests: Vec<Recorded>,
    problems: Vec<String>,
    /// (pr, id, body)
    comments: Vec<(u64, u64, String)>,
    check_runs: BTreeMap<u64, Value>,
    next_id: u64,
    denied: BTreeSet<String>,
    commit_pulls: Vec<Value>,
    /// What "list pull request files" answers (for any pull request).
    pr_files: Vec<Value>,
}

pub struct FakeGitHub {
    server: MockServer,
    state: Arc<Mutex<State>>,
}

struct Responder {
    operations: Vec<Operation>,
    state: Arc<Mutex<State>>,
    base: String,
}

impl FakeGitHub {
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State {
            next_id: 1000,
            ..State::default()
        }));
        let responder = Responder {
            operations: operations(),
            state: state.clone(),
            base: server.uri(),
        };
        Mock::given(any())
            .respond_with(responder)
            .mount(&server)
            .await;
        FakeGitHub { server, state }
    }

    /// A fake for a synchronous test, with the runtime that serves it (keep both alive).
    pub fn start_blocking() -> (tokio::runtime::Runtime, Self) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        let fake = runtime.block_on(Self::start());
        (runtime, fake)
    }

    /// The value for `GITHUB_API_URL`.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// Answers 403 "Resource not accessible by integration" to this operation from now on.
    pub fn deny(&self, operation: &str) {
        self.state
            .lock()
            .unwrap()
            .denied
            .insert(operation.to_owned());
    }

    /// Pull requests `GET /repos/{o}/{r}/commits/{sha}/pulls` answers with: (number, head sha).
    pub fn set_commit_pulls(&self, pulls: &[(u64, &str)]) {
        self.state.lock().unwrap().commit_pulls = pulls
            .iter()
            .map(|(number, sha)| json!({"number": number, "state": "open", "head": {"sha": sha}}))
            .collect();
    }

    /// The pull request's files, as (path, GitHub status, previous path of a rename).
    pub fn set_pr_files(&self, files: &[(&str, &str, Option<&str>)]) {
        self.state.lock().unwrap().pr_files = files
            .iter()
            .map(|(path, status, previous)| {
                let mut file = json!({"sha": "0123456789abcdef0123456789abcdef01234567",
                    "filename": path, "status": status, "additions": 1, "deletions": 0,
                    "changes": 1, "blob_url": "https://github.com/o/r/blob/x/f",
                    "raw_url": "https://github.com/o/r/raw/x/f",
                    "contents_url": "https://api.github.com/repos/o/r/contents/f"});
                if let Some(previous) = previous {
                    file["previous_filename"] = json!(previous);
                }
                file
            })
            .collect();
    }

    /// Adds a comment to pull request `pr` as someone else would; returns its id.
    pub fn add_comment(&self, pr: u64, body: &str) -> u64 {
        let mut state = self.state.lock().unwrap();
        state.next_id += 1;
        let id = state.next_id;
        state.comments.push((pr, id, body.to_owned()));
        id
    }

    /// The comments of `pr`, oldest first: (id, body).
    pub fn comments(&self, pr: u64) -> Vec<(u64, String)> {
        let state = self.state.lock().unwrap();
        let on_pr = state.comments.iter().filter(|(on, _, _)| *on == pr);
        on_pr.map(|(_, id, body)| (*id, body.clone())).collect()
    }

    /// Check runs as GitHub holds them now (status, conclusion, output, annotation count).
    pub fn check_runs(&self) -> Vec<Value> {
        self.state
            .lock()
            .unwrap()
            .check_runs
            .values()
            .cloned()
            .collect()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Requests of one operation, in order.
    pub fn requests_of(&self, operation: &str) -> Vec<Recorded> {
        let all = self.requests();
        all.into_iter()
            .filter(|request| request.operation == operation)
            .collect()
    }

    /// Unknown endpoints and bodies that do not match the contract; must be empty.
    pub fn problems(&self) -> Vec<String> {
        self.state.lock().unwrap().problems.clone()
    }

    pub fn assert_no_problems(&self) {
        let problems = self.problems();
        assert!(problems.is_empty(), "GitHub fake problems: {problems:#?}");
    }
}

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let method = request.method.as_str().to_uppercase();
        let path = request.url.path().to_owned();
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let mut state = self.state.lock().unwrap();
        let Some((operation, params)) = self.match_operation(&method, &segments) else {
            state
                .problems
                .push(format!("unexpected endpoint {method} {path}"));
            return ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"}));
        };
        let body: Value = if request.body.is_empty() {
            Value::Null
        } else {
            match serde_json::from_slice(&request.body) {
                Ok(body) => body,
                Err(error) => {
                    state.problems.push(format!(
                        "{} sent a body that is not JSON: {error}",
                        operation.id
                    ));
                    return ResponseTemplate::new(400)
                        .set_body_json(json!({"message": "Problems parsing JSON"}));
                }
            }
        };
        if let Some(schema) = &operation.body_schema {
            let errors: Vec<String> = schema
                .iter_errors(&body)
                .map(|error| format!("{} at {}", error, error.instance_path()))
                .collect();
            if !errors.is_empty() {
                state.problems.push(format!(
                    "{} body {body} does not match the contract: {errors:?}",
                    operation.id
                ));
                return ResponseTemplate::new(422)
                    .set_body_json(json!({"message": "Validation Failed"}));
            }
        }
        state.requests.push(Recorded {
            method,
            operation: operation.id.clone(),
            path: path.clone(),
            query: request.url.query().unwrap_or_default().to_owned(),
            authorization: request
                .headers
                .get("authorization")
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned),
            body: body.clone(),
        });
        if state.denied.contains(&operation.id) {
            return ResponseTemplate::new(403).set_body_json(json!({
                "message": "Resource not accessible by integration",
                "documentation_url": "https://docs.github.com/rest"
            }));
        }
        let query: BTreeMap<String, String> = request.url.query_pairs().into_owned().collect();
        answer(
            &mut state,
            &operation.id,
            &params,
            &query,
            &body,
            &self.base,
            &path,
        )
    }
}

impl Responder {
    fn match_operation(
        &self,
        method: &str,
        segments: &[&str],
    ) -> Option<(&Operation, BTreeMap<String, String>)> {
        self.operations.iter().find_map(|operation| {
            if operation.method != method || operation.template.len() != segments.len() {
                return None;
            }
            let mut params = BTreeMap::new();
            for (expected, actual) in operation.template.iter().zip(segments) {
                match expected
                    .strip_prefix('{')
                    .and_then(|name| name.strip_suffix('}'))
                {
                    Some(name) if !actual.is_empty() => {
                        params.insert(name.to_owned(), (*actual).to_owned());
                    }
                    _ if expected == actual => {}
                    _ => return None,
                }
            }
            Some((operation, params))
        })
    }
}

/// One page of `all` as GitHub pages a list: `per_page` (default 30, at most 100), `page`, and
/// a `link` header naming the next and last pages.
fn paged(
    all: Vec<Value>,
    query: &BTreeMap<String, String>,
    base: &str,
    path: &str,
) -> ResponseTemplate {
    let per_page: usize = query
        .get("per_page")
        .and_then(|n| n.parse().ok())
        .unwrap_or(30)
        .min(100);
    let page: usize = query
        .get("page")
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
        .max(1);
    let pages = all.len().div_ceil(per_page).max(1);
    let items: Vec<Value> = all
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    let mut response = ResponseTemplate::new(200).set_body_json(items);
    if page < pages {
        let link = |page: usize| format!("<{base}{path}?per_page={per_page}&page={page}>");
        response = response.insert_header(
            "link",
            format!(
                "{}; rel=\"next\", {}; rel=\"last\"",
                link(page + 1),
                link(pages)
            )
            .as_str(),
        );
    }
    response
}

fn answer(
    state: &mut State,
    operation: &str,
    params: &BTreeMap<String, String>,
    query: &BTreeMap<String, String>,
    body: &Value,
    base: &str,
    path: &str,
) -> ResponseTemplate {
    let number = |name: &str| params[name].parse::<u64>().unwrap_or_default();
    match operation {
        "issues/list-comments" => {
            let pr = number("issue_number");
            let all: Vec<Value> = state
                .comments
                .iter()
                .filter(|(on, _, _)| *on == pr)
                .map(|(_, id, body)| comment_json(*id, body))
                .collect();
            paged(all, query, base, path)
        }
        "pulls/list-files" => paged(state.pr_files.clone(), query, base, path),
        "issues/create-comment" => {
            state.next_id += 1;
            let id = state.next_id;
            let text = body["body"].as_str().unwrap_or_default().to_owned();
            state.comments.push((number("issue_number"), id, text.clone()));
            ResponseTemplate::new(201).set_body_json(comment_json(id, &text))
        }
        "issues/update-comment" => {
            let id = number("comment_id");
            let text = body["body"].as_str().unwrap_or_default().to_owned();
            match state.comments.iter_mut().find(|(_, known, _)| *known == id) {
                Some(comment) => {
                    comment.2 = text.clone();
                    ResponseTemplate::new(200).set_body_json(comment_json(id, &text))
                }
                None => ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"})),
            }
        }
        "checks/create" => {
            state.next_id += 1;
            let id = state.next_id;
            let mut run = json!({"id": id, "name": body["name"], "head_sha": body["head_sha"],
                                 "status": body["status"], "conclusion": body["conclusion"],
                                 "output": body["output"], "annotations_count": 0});
            count_annotations(&mut run, body);
            state.check_runs.insert(id, run.clone());
            ResponseTemplate::new(201).set_body_json(run)
        }
        "checks/update" => {
            let id = number("check_run_id");
            let Some(run) = state.check_runs.get_mut(&id) else {
                return ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"}));
            };
            for key in ["status", "conclusion", "output"] {
                if !body[key].is_null() {
                    run[key] = body[key].clone();
                }
            }
            count_annotations(run, body);
            ResponseTemplate::new(200).set_body_json(run.clone())
        }
        "repos/create-commit-status" => ResponseTemplate::new(201).set_body_json(json!({
            "id": 1, "state": body["state"], "context": body["context"], "target_url": body["target_url"]
        })),
        "repos/list-pull-requests-associated-with-commit" => {
            ResponseTemplate::new(200).set_body_json(state.commit_pulls.clone())
        }
        "pulls/get" => ResponseTemplate::new(200).set_body_json(json!({
            "number": number("pull_number"), "state": "open", "head": {"sha": format!("head-of-{}", params["pull_number"])}
        })),
        "apps/get-repo-installation" => ResponseTemplate::new(200).set_body_json(json!({"id": 42})),
        "apps/create-installation-access-token" => ResponseTemplate::new(201).set_body_json(json!({
            "token": "ghs_installation_token_from_fake", "expires_at": "2099-01-01T00:00:00Z", "permissions": {}
        })),
        other => ResponseTemplate::new(501).set_body_json(json!({"message": format!("fake has no answer for {other}")})),
    }
}

fn comment_json(id: u64, body: &str) -> Value {
    json!({"id": id, "node_id": format!("IC_{id}"), "body": body,
           "html_url": format!("https://github.example/comment/{id}"),
           "user": {"login": "github-actions[bot]", "id": 41898282}})
}

fn count_annotations(run: &mut Value, body: &Value) {
    let sent = body["output"]["annotations"].as_array().map_or(0, Vec::len) as u64;
    run["annotations_count"] = json!(run["annotations_count"].as_u64().unwrap_or(0) + sent);
}

/// The contract's operations with a validator for each JSON request body.
fn operations() -> Vec<Operation> {
    let text = std::fs::read_to_string(
        std::env::var("ECS_MIGRATE_GITHUB_CONTRACT").unwrap_or_else(|_| CONTRACT.to_owned()),
    )
    .unwrap_or_else(|error| panic!("cannot read the GitHub contract {CONTRACT}: {error}"));
    let contract: Value = serde_json::from_str(&text).expect("the contract is JSON");
    let mut operations = Vec::new();
    for (path, methods) in contract["paths"].as_object().expect("paths") {
        for (method, operation) in methods.as_object().expect("methods") {
            let Some(id) = operation["operationId"].as_str() else {
                continue;
            };
            let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
            let body_schema = (!schema.is_null()).then(|| {
                let schema = openapi_to_json_schema(&inline_refs(&contract, schema, 0));
                jsonschema::draft4::new(&schema)
                    .unwrap_or_else(|error| panic!("schema of {id} does not compile: {error}"))
            });
            operations.push(Operation {
                id: id.to_owned(),
                method: method.to_uppercase(),
                template: path
                    .trim_matches('/')
                    .split('/')
                    .map(str::to_owned)
                    .collect(),
                body_schema,
            });
        }
    }
    operations
}

/// Replaces every `{"$ref": "#/..."}` with what it points at in the contract.
fn inline_refs(contract: &Value, schema: &Value, depth: usize) -> Value {
    assert!(depth < 64, "the contract's $refs nest too deep (a cycle?)");
    match schema {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                let pointer = reference.strip_prefix('#').expect("only local $refs");
                let target = contract
                    .pointer(pointer)
                    .unwrap_or_else(|| panic!("dangling $ref {reference}"));
                return inline_refs(contract, target, depth + 1);
            }
            map.iter()
                .map(|(key, value)| (key.clone(), inline_refs(contract, value, depth + 1)))
                .collect::<serde_json::Map<_, _>>()
                .into()
        }
        Value::Array(items) => items
            .iter()
            .map(|item| inline_refs(contract, item, depth + 1))
            .collect(),
        other => other.clone(),
    }
}

/// OpenAPI 3.0's `nullable: true` as JSON Schema's `type: [T, "null"]`.
fn openapi_to_json_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut converted: serde_json::Map<String, Value> = map
                .iter()
                .map(|(key, value)| (key.clone(), openapi_to_json_schema(value)))
                .collect();
            if converted.remove("nullable") == Some(Value::Bool(true))
                && let Some(Value::String(kind)) = converted.get("type").cloned()
            {
                converted.insert("type".into(), json!([kind, "null"]));
            }
            converted.into()
        }
        Value::Array(items) => items.iter().map(openapi_to_json_schema).collect(),
        other => other.clone(),
    }
}
