//! Follows the CloudWatch log streams of a task's containers: each line once, in order, from
//! the stream's first event, resuming from the last forward token after any failed read.

use anyhow::{Result, bail};
use serde_json::Value;

use crate::aws::Clients;
use crate::aws::errors::{AwsResultExt, describe, error_code, is_access_denied};

/// GetLogEvents returns at most this many events or bytes (less the per-event overhead) a page.
const PAGE_EVENTS: usize = 10_000;
const PAGE_BYTES: usize = 900_000;

/// Where one container's awslogs output lands: `<prefix>/<container>/<task-id>` in `group`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSource {
    pub container: String,
    pub group: String,
    pub stream: String,
    pub region: Option<String>,
}

/// The log sources of a task's containers, and a warning for each container we cannot follow.
pub fn sources(task_definition: &Value, task_id: &str) -> (Vec<LogSource>, Vec<String>) {
    let mut found = Vec::new();
    let mut warnings = Vec::new();
    let containers = task_definition["containerDefinitions"].as_array();
    for container in containers.into_iter().flatten() {
        let name = container["name"].as_str().unwrap_or_default();
        let config = &container["logConfiguration"];
        let options = &config["options"];
        match config["logDriver"].as_str() {
            Some("awslogs") => {}
            Some(driver) => {
                warnings.push(format!(
                    "container {name:?} logs through the {driver:?} driver: its output is not streamed here"
                ));
                continue;
            }
            None => {
                warnings.push(format!(
                    "container {name:?} has no logConfiguration: its output is not kept anywhere; \
                     add an awslogs logConfiguration to see it"
                ));
                continue;
            }
        }
        let (Some(group), Some(prefix)) = (
            options["awslogs-group"].as_str(),
            options["awslogs-stream-prefix"].as_str(),
        ) else {
            warnings.push(format!(
                "container {name:?} uses awslogs without awslogs-group and awslogs-stream-prefix: \
                 its stream name cannot be known, so its output is not streamed here"
            ));
            continue;
        };
        found.push(LogSource {
            container: name.to_owned(),
            group: group.to_owned(),
            stream: format!("{prefix}/{name}/{task_id}"),
            region: options["awslogs-region"].as_str().map(str::to_owned),
        });
    }
    (found, warnings)
}

/// Reading position in one stream.
#[derive(Debug)]
pub struct LogTail {
    pub source: LogSource,
    client: aws_sdk_cloudwatchlogs::Client,
    next_token: Option<String>,
    /// Lines delivered so far.
    pub delivered: usize,
    /// IAM refused GetLogEvents: the stream is not read again (the result does not depend on it).
    pub denied: bool,
}

impl LogTail {
    pub fn new(clients: &Clients, source: LogSource) -> Self {
        let client = match &source.region {
            Some(region) => clients.logs_in(region),
            None => clients.logs.clone(),
        };
        Self {
            source,
            client,
            next_token: None,
            delivered: 0,
            denied: false,
        }
    }

    /// The next page of new lines; empty while the stream does not exist yet.
    ///
    /// Cancel-safe: the reading position moves only together with the lines it returns, so a
    /// call dropped mid-request loses nothing and the next call asks again.
    pub async fn next_page(&mut self) -> Result<Page> {
        if self.denied {
            return Ok(Page {
                caught_up: true,
                ..Page::default()
            });
        }
        let answer = self
            .client
            .get_log_events()
            .log_group_name(&self.source.group)
            .log_stream_name(&self.source.stream)
            .start_from_head(true)
            .set_next_token(self.next_token.clone())
            .send()
            .await;
        let answer = match answer {
            Ok(answer) => answer,
            // No stream (yet): nothing to read, and nothing more to wait for right now.
            Err(error) if error_code(&error) == Some("ResourceNotFoundException") => {
                return Ok(Page {
                    caught_up: true,
                    ..Page::default()
                });
            }
            Err(error) if is_access_denied(&error) => {
                self.denied = true;
                return Err(error).step(&format!(
                    "GetLogEvents {} {}",
                    self.source.group, self.source.stream
                ));
            }
            Err(error) => bail!(
                "GetLogEvents {} {}: {}",
                self.source.group,
                self.source.stream,
                describe(&error)
            ),
        };
        let token = answer.next_forward_token;
        let events = answer.events.unwrap_or_default();
        let bytes: usize = events
            .iter()
            .map(|event| event.message().map_or(0, str::len))
            .sum();
        let full = events.len() >= PAGE_EVENTS || bytes >= PAGE_BYTES;
        let newest = events.iter().filter_map(|event| event.timestamp).max();
        let lines: Vec<String> = events
            .into_iter()
            .filter_map(|event| event.message)
            .map(|mut message| {
                message.truncate(message.trim_end_matches(['\r', '\n']).len());
                message
            })
            .collect();
        // CloudWatch hands back the token it was given once the end of the stream is reached.
        let caught_up = token.is_none() || token == self.next_token;
        if token.is_some() {
            self.next_token = token;
        }
        self.delivered += lines.len();
        Ok(Page {
            lines,
            caught_up,
            full,
            newest,
        })
    }
}

/// One GetLogEvents answer.
#[derive(Debug, Default)]
pub struct Page {
    pub lines: Vec<String>,
    /// The end of the stream as it is now was reached: nothing more to read at the moment.
    pub caught_up: bool,
    /// As large as CloudWatch makes a page (10,000 events or 1 MB): more are surely waiting.
    pub full: bool,
    /// When the newest of these lines was written (ms since the epoch, the awslogs timestamp).
    pub newest: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn awslogs_streams_are_named_prefix_container_task() {
        let td = json!({"containerDefinitions": [
            {"name": "app", "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": "/ecs/app", "awslogs-stream-prefix": "migrate", "awslogs-region": "eu-west-1"}}},
            {"name": "agent", "logConfiguration": {"logDriver": "awsfirelens"}},
            {"name": "bare"}
        ]});
        let (found, warnings) = sources(&td, "abc123");
        assert_eq!(
            found,
            vec![LogSource {
                container: "app".into(),
                group: "/ecs/app".into(),
                stream: "migrate/app/abc123".into(),
                region: Some("eu-west-1".into()),
            }]
        );
        assert_eq!(warnings.len(), 2);
        assert!(warnings[0].contains("\"awsfirelens\""));
        assert!(warnings[1].contains("\"bare\" has no logConfiguration"));
    }

    #[test]
    fn awslogs_without_a_prefix_is_a_warning() {
        let td = json!({"containerDefinitions": [
            {"name": "app", "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "g"}}}
        ]});
        let (found, warnings) = sources(&td, "t");
        assert!(found.is_empty());
        assert!(warnings[0].contains("awslogs-stream-prefix"));
    }
}
