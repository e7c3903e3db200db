//! Waits for the task to stop, bounded only by the configured timeout, while its logs stream.
//! Never requires RUNNING to be seen; after STOPPED it keeps reading logs until they are drained,
//! because the last lines (usually the error) land after ECS reports the stop.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use aws_sdk_ecs::types::Task;

use crate::aws::errors::AwsResultExt;
use crate::config::OnCancel;
use crate::logs::LogTail;
use crate::progress::Progress;

pub struct WaitOptions {
    pub cluster: String,
    pub timeout: Duration,
    pub poll_interval: Duration,
    pub on_cancel: OnCancel,
    /// Names the CI run in the StopTask reason, so whoever looks at the task knows who stopped it.
    pub stopped_by: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interruption {
    TimedOut,
    Cancelled,
}

#[derive(Debug)]
pub enum WaitEnd {
    /// The task stopped; `interrupted` says whether we stopped it.
    Stopped {
        task: Box<Task>,
        interrupted: Option<Interruption>,
    },
    /// Interrupted with `on_cancel: leave`, or the stop we asked for did not finish in time.
    LeftRunning {
        task: Option<Box<Task>>,
        interruption: Interruption,
    },
}

/// After asking ECS to stop the task, how long to keep watching it stop.
const STOP_GRACE: Duration = Duration::from_secs(60);
/// After STOPPED: read logs this often, until a read finds nothing new and `DRAIN_QUIET` has
/// passed since the stop was seen, but never longer than `DRAIN_LIMIT`.
const DRAIN_POLL: Duration = Duration::from_millis(250);
const DRAIN_QUIET: Duration = Duration::from_secs(1);
const DRAIN_LIMIT: Duration = Duration::from_secs(10);

pub async fn wait_for_stop(
    ecs: &aws_sdk_ecs::Client,
    task_arn: &str,
    tails: &mut [LogTail],
    progress: &Progress,
    recent: &mut RecentLines,
    signals: &mut Signals,
    options: &WaitOptions,
) -> Result<WaitEnd> {
    let deadline = Instant::now() + options.timeout;
    let mut last_status = String::new();
    let mut interruption: Option<(Interruption, Instant)> = None;
    loop {
        let task = describe(ecs, &options.cluster, task_arn).await?;
        let status = task.last_status().unwrap_or("UNKNOWN").to_owned();
        progress.detail(format_args!(
            "poll: lastStatus={status} desiredStatus={}",
            task.desired_status().unwrap_or("?")
        ));
        if status != last_status {
            progress.step(format!("task is {status}"));
            last_status = status.clone();
        }
        pump_logs(tails, progress, recent).await;
        if status == "STOPPED" {
            drain_logs(tails, progress, recent).await;
            return Ok(WaitEnd::Stopped {
                task: Box::new(task),
                interrupted: interruption.map(|(kind, _)| kind),
            });
        }
        let last_seen = Some(Box::new(task));

        if let Some((kind, since)) = interruption {
            if since.elapsed() > STOP_GRACE {
                progress.warn(format!(
                    "the task did not stop within {}s of StopTask",
                    STOP_GRACE.as_secs()
                ));
                return Ok(WaitEnd::LeftRunning {
                    task: last_seen,
                    interruption: kind,
                });
            }
            tokio::time::sleep(options.poll_interval).await;
            continue;
        }

        let kind = tokio::select! {
            () = tokio::time::sleep(options.poll_interval) => None,
            () = tokio::time::sleep_until(deadline.into()) => Some(Interruption::TimedOut),
            () = signals.received() => Some(Interruption::Cancelled),
        };
        let Some(kind) = kind else { continue };
        let why = match kind {
            Interruption::TimedOut => format!(
                "timeout of {} passed",
                humantime::format_duration(options.timeout)
            ),
            Interruption::Cancelled => "the CI job was cancelled".to_owned(),
        };
        if options.on_cancel == OnCancel::Leave {
            progress.warn(format!(
                "{why}; leaving task {task_arn} running (on_cancel: leave). Follow it with: \
                 aws ecs describe-tasks --cluster {} --tasks {task_arn}",
                options.cluster
            ));
            return Ok(WaitEnd::LeftRunning {
                task: last_seen,
                interruption: kind,
            });
        }
        progress.step(format!("{why}: stopping task {task_arn}"));
        let reason = format!("ecs-migrate: {why} ({})", options.stopped_by);
        ecs.stop_task()
            .cluster(&options.cluster)
            .task(task_arn)
            .reason(truncate(&reason, 255))
            .send()
            .await
            .step("StopTask")?;
        interruption = Some((kind, Instant::now()));
    }
}

async fn describe(ecs: &aws_sdk_ecs::Client, cluster: &str, task_arn: &str) -> Result<Task> {
    let answer = ecs
        .describe_tasks()
        .cluster(cluster)
        .tasks(task_arn)
        .send()
        .await
        .step("DescribeTasks")?;
    if let Some(task) = answer.tasks().first() {
        return Ok(task.clone());
    }
    let why = answer
        .failures()
        .first()
        .and_then(|failure| failure.reason())
        .unwrap_or("no task and no failure in the answer");
    Err(anyhow::anyhow!("DescribeTasks {task_arn}: {why}")).context("the task vanished from ECS")
}

/// The task's most recent log lines, kept for the reports.
#[derive(Debug, Default)]
pub struct RecentLines(std::collections::VecDeque<String>);

impl RecentLines {
    const KEEP: usize = 50;

    fn push(&mut self, line: String) {
        if self.0.len() == Self::KEEP {
            self.0.pop_front();
        }
        self.0.push_back(line);
    }

    pub fn into_vec(self) -> Vec<String> {
        self.0.into()
    }
}

/// Prints whatever is new in every stream; a failed read is retried on the next poll.
async fn pump_logs(tails: &mut [LogTail], progress: &Progress, recent: &mut RecentLines) -> usize {
    let prefixed = tails.len() > 1;
    let mut printed = 0;
    for tail in tails.iter_mut() {
        match tail.poll().await {
            Ok(lines) => {
                printed += lines.len();
                for line in lines {
                    let line = if prefixed {
                        format!("[{}] {line}", tail.source.container)
                    } else {
                        line
                    };
                    progress.log_line(&line);
                    recent.push(line);
                }
            }
            Err(error) => progress.warn(format!("reading logs failed, will retry: {error:#}")),
        }
    }
    printed
}

async fn drain_logs(tails: &mut [LogTail], progress: &Progress, recent: &mut RecentLines) {
    if tails.is_empty() {
        return;
    }
    let stopped_seen = Instant::now();
    loop {
        tokio::time::sleep(DRAIN_POLL).await;
        let printed = pump_logs(tails, progress, recent).await;
        let elapsed = stopped_seen.elapsed();
        if (printed == 0 && elapsed >= DRAIN_QUIET) || elapsed >= DRAIN_LIMIT {
            return;
        }
    }
}

/// SIGINT and SIGTERM (what a cancelled CI job sends), listened for from before RunTask on,
/// so a signal that arrives between two polls is not lost.
pub struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    pub fn install() -> Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            interrupt: signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?,
            terminate: signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?,
        })
    }

    async fn received(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}

fn truncate(text: &str, limit: usize) -> &str {
    match text.char_indices().nth(limit) {
        Some((index, _)) => &text[..index],
        None => text,
    }
}
