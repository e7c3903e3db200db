//! The wait loop's state between calls: what it last saw of the task, whether the migration
//! container has exited (the moment the result is known, long before the task's teardown ends
//! at STOPPED), interruptions (StopTask or leave, per `on_cancel`), and riding out failing AWS
//! calls with backoff.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use aws_sdk_ecs::types::Task;

use crate::aws::errors::AwsResultExt;
use crate::config::OnCancel;
use crate::progress::Progress;
use crate::text;

use super::wait::{Interruption, WaitEnd, WaitOptions};

/// Longest pause between retries while AWS calls fail.
const MAX_BACKOFF: Duration = Duration::from_secs(15);
/// How often to repeat the warning while AWS calls keep failing.
const OUTAGE_WARNING_EVERY: Duration = Duration::from_secs(30);
/// Backoff while AWS calls fail when the user set no poll interval.
const FAILING_POLL: Duration = Duration::from_secs(2);

/// What a poll showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// The migration container is still starting or running.
    Running,
    /// The migration container exited: the result is known, the task is tearing down.
    Exited,
    /// The task is STOPPED (the only end of a task that failed to start or never ran).
    Stopped,
}

/// Whether the task's migration container has exited: its exit code is visible, or ECS reports
/// it STOPPED. A task that failed to start is over only at STOPPED.
pub fn seen(task: &Task, container: &str) -> Seen {
    if task.last_status() == Some("STOPPED") {
        return Seen::Stopped;
    }
    if task.stop_code().map(|code| code.as_str()) == Some("TaskFailedToStart") {
        return Seen::Running;
    }
    let exited = task
        .containers()
        .iter()
        .filter(|found| found.name() == Some(container))
        .any(|found| found.exit_code().is_some() || found.last_status() == Some("STOPPED"));
    if exited { Seen::Exited } else { Seen::Running }
}

/// The loop's state between polls.
pub struct Wait<'a> {
    pub ecs: &'a aws_sdk_ecs::Client,
    pub task_arn: &'a str,
    pub progress: &'a Progress,
    pub options: &'a WaitOptions,
    pub deadline: Instant,
    /// An interruption before the migration exited, and when.
    pub interruption: Option<(Interruption, Instant)>,
    /// Why we are stopping the task, for StopTask's reason.
    pub stop_reason: String,
    pub stop_sent: bool,
    pub last_status: String,
    pub last_seen: Option<Box<Task>>,
    /// When the last poll that still saw the migration container running was sent.
    pub running_at: Option<Instant>,
    pub failing_since: Option<Instant>,
    pub failures: u32,
    pub last_warning: Option<Instant>,
}

impl Wait<'_> {
    pub fn new<'a>(
        ecs: &'a aws_sdk_ecs::Client,
        task_arn: &'a str,
        progress: &'a Progress,
        options: &'a WaitOptions,
    ) -> Wait<'a> {
        Wait {
            ecs,
            task_arn,
            progress,
            options,
            deadline: Instant::now() + options.timeout,
            interruption: None,
            stop_reason: String::new(),
            stop_sent: false,
            last_status: String::new(),
            last_seen: None,
            running_at: None,
            failing_since: None,
            failures: 0,
            last_warning: None,
        }
    }

    /// Records a fresh view of the task from a poll sent at `sent`.
    pub fn observe(&mut self, task: Box<Task>, sent: Instant) -> Seen {
        let status = task.last_status().unwrap_or("UNKNOWN").to_owned();
        self.progress.detail(format_args!(
            "poll: lastStatus={status} desiredStatus={}",
            task.desired_status().unwrap_or("?")
        ));
        if status != self.last_status {
            self.progress.step(format!("task is {status}"));
            self.last_status.clone_from(&status);
        }
        let seen = seen(&task, &self.options.container);
        if seen == Seen::Running {
            self.running_at = Some(sent);
        }
        self.last_seen = Some(task);
        seen
    }

    /// Why the wait is interrupted, in words.
    fn why(&self, kind: Interruption) -> String {
        match kind {
            Interruption::TimedOut => format!(
                "timeout of {} passed",
                humantime::format_duration(self.options.timeout)
            ),
            Interruption::Cancelled => "the CI job was cancelled".to_owned(),
        }
    }

    /// Interrupted while the last log lines were read: the migration has already exited and
    /// its result stands, but the task is still stopped (harmless, it is ending) or left, per
    /// `on_cancel`, and the drain ends now.
    pub async fn interrupt_drain(&mut self, kind: Interruption) {
        let why = self.why(kind);
        self.progress.warn(format!(
            "{why} while reading the last log lines of the exited migration; some may be missing"
        ));
        if self.options.on_cancel == OnCancel::Stop && !self.stop_sent {
            self.stop_reason = format!("ecs-migrate: {why} ({})", self.options.stopped_by);
            self.send_stop().await;
        }
    }

    /// Starts stopping the task (or leaves it, per `on_cancel`); `Some` ends the wait now.
    pub async fn interrupt(&mut self, kind: Interruption) -> Option<WaitEnd> {
        let why = self.why(kind);
        self.interruption = Some((kind, Instant::now()));
        if self.options.on_cancel == OnCancel::Leave {
            self.progress.warn(format!(
                "{why}; leaving task {} running (on_cancel: leave). Follow it with: \
                 aws ecs describe-tasks --cluster {} --tasks {}",
                self.task_arn, self.options.cluster, self.task_arn
            ));
            return Some(self.left_running());
        }
        self.progress
            .step(format!("{why}: stopping task {}", self.task_arn));
        self.stop_reason = format!("ecs-migrate: {why} ({})", self.options.stopped_by);
        self.send_stop().await;
        None
    }

    /// Sends StopTask; on failure it is sent again after the next successful poll.
    pub async fn send_stop(&mut self) {
        let sent = self
            .ecs
            .stop_task()
            .cluster(&self.options.cluster)
            .task(self.task_arn)
            .reason(text::first_chars(&self.stop_reason, 255))
            .send()
            .await
            .step("StopTask");
        match sent {
            Ok(_) => self.stop_sent = true,
            Err(error) => self.progress.warn(format!("{error:#}; will ask again")),
        }
    }

    /// The migration exited (or the task stopped) and its logs are drained.
    pub fn ended(&mut self) -> WaitEnd {
        WaitEnd::Ended {
            task: self.last_seen.take().expect("the task was seen to end"),
            interrupted: self.interruption.map(|(kind, _)| kind),
        }
    }

    pub fn left_running(&mut self) -> WaitEnd {
        WaitEnd::LeftRunning {
            task: self.last_seen.take(),
            interruption: self
                .interruption
                .map_or(Interruption::Cancelled, |(kind, _)| kind),
        }
    }

    /// A poll that began at `poll_started` failed (after the SDK's own retries): how long to
    /// back off, or the error once the outage has lasted longer than `max_outage`.
    pub fn failed(&mut self, error: anyhow::Error, poll_started: Instant) -> Result<Duration> {
        let since = *self.failing_since.get_or_insert(poll_started);
        self.failures += 1;
        if self.last_seen.is_none()
            && error.is::<NotVisible>()
            && since.elapsed() < crate::lock::MISSING_GRACE.min(self.options.max_outage)
        {
            // Not visible yet, right after RunTask: poll again, quietly.
            self.progress.detail(format_args!(
                "{error:#}; it was just started (ECS is eventually consistent), polling again"
            ));
            return Ok(backoff(
                self.options.poll_interval.unwrap_or(FAILING_POLL),
                self.failures.min(2),
            ));
        }
        if since.elapsed() > self.options.max_outage {
            return Err(error).context(format!(
                "AWS calls kept failing for {}",
                humantime::format_duration(Duration::from_secs(since.elapsed().as_secs()))
            ));
        }
        let due = self
            .last_warning
            .is_none_or(|at| at.elapsed() >= OUTAGE_WARNING_EVERY);
        if due {
            self.progress.warn(format!(
                "{error:#}; retrying for up to {} (max_outage)",
                humantime::format_duration(self.options.max_outage)
            ));
            self.last_warning = Some(Instant::now());
        }
        Ok(backoff(
            self.options.poll_interval.unwrap_or(FAILING_POLL),
            self.failures,
        ))
    }

    pub fn recovered(&mut self) {
        if let Some(since) = self.failing_since.take() {
            self.progress.step(format!(
                "AWS answers again after {}s",
                since.elapsed().as_secs()
            ));
        }
        self.failures = 0;
        self.last_warning = None;
    }
}

/// Exponential backoff from the poll interval, capped, with up to 25% jitter.
fn backoff(base: Duration, failures: u32) -> Duration {
    let exponential = base.saturating_mul(1 << failures.min(6)).min(MAX_BACKOFF);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.subsec_nanos())
        .unwrap_or_default();
    exponential + exponential.mul_f64(f64::from(nanos % 250) / 1000.0)
}

pub async fn describe(ecs: &aws_sdk_ecs::Client, cluster: &str, task_arn: &str) -> Result<Task> {
    let answer = ecs
        .describe_tasks()
        .cluster(cluster)
        .tasks(task_arn)
        .send()
        .await
        .step("DescribeTasks")?;
    let failures = answer.failures.unwrap_or_default();
    if let Some(task) = answer.tasks.unwrap_or_default().into_iter().next() {
        return Ok(task);
    }
    let why = failures
        .first()
        .and_then(|failure| failure.reason())
        .unwrap_or("no task and no failure in the answer");
    let error = anyhow::anyhow!("DescribeTasks {task_arn}: {why}");
    if why == "MISSING" {
        return Err(error.context(NotVisible));
    }
    Err(error).context("the task vanished from ECS")
}

/// DescribeTasks calls the task MISSING: right after RunTask that is ECS's eventual consistency
/// (the task is not visible yet), later it means the task is gone.
#[derive(Debug)]
pub struct NotVisible;

impl std::fmt::Display for NotVisible {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the task is not visible in ECS (MISSING)")
    }
}

impl std::error::Error for NotVisible {}
