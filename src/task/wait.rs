//! Waits for the task to stop, bounded only by the configured timeout, while its logs stream:
//! one loop makes every call (task polls and log reads, paced by `pace`). Never requires
//! RUNNING to be seen; after STOPPED the logs are drained (`follow`).
//!
//! Every call and every pause is raced against SIGINT/SIGTERM and the deadline, so a cancelled
//! CI job gets its StopTask out within moments even while AWS is slow or unreachable; failing
//! calls are retried with backoff until `max_outage`, and log reads resume from their last
//! position.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use aws_sdk_ecs::types::Task;

use crate::aws::errors::AwsResultExt;
use crate::config::OnCancel;
use crate::logs::{LogTail, Page};
use crate::progress::Progress;
use crate::text;

use super::follow::{KeptLog, Printer, drain};
use super::pace::{Call, Pacer};
use super::signals::Signals;

pub struct WaitOptions {
    pub cluster: String,
    pub timeout: Duration,
    /// `None`: adaptive pacing within the call budget; `Some`: poll exactly this often.
    pub poll_interval: Option<Duration>,
    pub on_cancel: OnCancel,
    pub max_outage: Duration,
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
    /// Interrupted with `on_cancel: leave`, a second signal, or a stop that did not finish in time.
    LeftRunning {
        task: Option<Box<Task>>,
        interruption: Interruption,
    },
}

/// After asking ECS to stop the task, how long to keep watching it stop.
const STOP_GRACE: Duration = Duration::from_secs(60);
/// Longest pause between retries while AWS calls fail.
const MAX_BACKOFF: Duration = Duration::from_secs(15);
/// How often to repeat the warning while AWS calls keep failing.
const OUTAGE_WARNING_EVERY: Duration = Duration::from_secs(30);

/// Backoff while AWS calls fail when the user set no poll interval.
const FAILING_POLL: Duration = Duration::from_secs(2);

/// What woke the loop.
enum Wake {
    Polled(Instant, Result<Box<Task>>),
    Read(usize, Result<Page>),
    Signal,
    Deadline,
}

pub async fn wait_for_stop(
    ecs: &aws_sdk_ecs::Client,
    task_arn: &str,
    tails: &mut [LogTail],
    progress: &Progress,
    kept: &mut KeptLog,
    signals: &mut Signals,
    options: &WaitOptions,
) -> Result<WaitEnd> {
    let mut wait = Wait {
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
        failing_since: None,
        failures: 0,
        last_warning: None,
    };
    let mut pacer = Pacer::new(options.poll_interval, tails.len(), Instant::now());
    let mut printer = Printer {
        progress,
        kept,
        prefixed: tails.len() > 1,
    };
    loop {
        let (call, at) = pacer.next();
        let wake = tokio::select! {
            biased;
            () = signals.received() => Wake::Signal,
            () = tokio::time::sleep_until(wait.deadline.into()), if wait.interruption.is_none() => Wake::Deadline,
            wake = make(call, at, ecs, &options.cluster, task_arn, tails) => wake,
        };
        match wake {
            Wake::Signal if wait.interruption.is_some() => {
                progress.warn(format!(
                    "second signal: leaving task {task_arn} to stop on its own"
                ));
                return Ok(wait.left_running());
            }
            Wake::Signal | Wake::Deadline => {
                let kind = match wake {
                    Wake::Deadline => Interruption::TimedOut,
                    _ => Interruption::Cancelled,
                };
                if let Some(end) = wait.interrupt(kind).await {
                    return Ok(end);
                }
                pacer.stop_requested(Instant::now());
            }
            Wake::Read(index, page) => {
                let page = page.unwrap_or_else(|error| {
                    progress.detail(format_args!("reading logs failed, will retry: {error:#}"));
                    Page::default()
                });
                let now = Instant::now();
                let newest = page.newest.and_then(|ms| written_at(ms, now));
                pacer.read(now, index, page.lines.len(), page.full, newest);
                printer.print(&tails[index].source.container, page.lines);
            }
            Wake::Polled(started, Err(error)) => {
                let pause = wait.failed(error, started)?;
                pacer.poll_failed(Instant::now(), pause);
            }
            Wake::Polled(_, Ok(task)) => {
                wait.recovered();
                pacer.polled(
                    Instant::now(),
                    task.last_status().unwrap_or("UNKNOWN"),
                    task.desired_status().unwrap_or("UNKNOWN"),
                );
                if wait.observe(task) {
                    let task = wait.last_seen.take().expect("just observed");
                    drain(tails, &task, &mut pacer, &mut printer, signals).await;
                    return Ok(WaitEnd::Stopped {
                        task,
                        interrupted: wait.interruption.map(|(kind, _)| kind),
                    });
                }
                if !wait.stop_sent && wait.interruption.is_some() {
                    wait.send_stop().await;
                }
                if let Some((_, since)) = wait.interruption
                    && since.elapsed() > STOP_GRACE
                {
                    progress.warn(format!(
                        "the task did not stop within {}s; leaving it",
                        STOP_GRACE.as_secs()
                    ));
                    return Ok(wait.left_running());
                }
            }
        }
    }
}

/// Waits until `at`, then makes `call`. Cancel-safe: a log read moves its position only
/// together with the lines it returns.
async fn make(
    call: Call,
    at: Instant,
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    task_arn: &str,
    tails: &mut [LogTail],
) -> Wake {
    tokio::time::sleep_until(at.into()).await;
    match call {
        Call::DescribeTask => Wake::Polled(
            Instant::now(),
            describe(ecs, cluster, task_arn).await.map(Box::new),
        ),
        Call::ReadLogs(index) => Wake::Read(index, tails[index].next_page().await),
    }
}

/// The loop's state between polls.
struct Wait<'a> {
    ecs: &'a aws_sdk_ecs::Client,
    task_arn: &'a str,
    progress: &'a Progress,
    options: &'a WaitOptions,
    deadline: Instant,
    interruption: Option<(Interruption, Instant)>,
    /// Why we are stopping the task, for StopTask's reason.
    stop_reason: String,
    stop_sent: bool,
    last_status: String,
    last_seen: Option<Box<Task>>,
    failing_since: Option<Instant>,
    failures: u32,
    last_warning: Option<Instant>,
}

impl Wait<'_> {
    /// Records a fresh view of the task; true once it is STOPPED.
    fn observe(&mut self, task: Box<Task>) -> bool {
        let status = task.last_status().unwrap_or("UNKNOWN").to_owned();
        self.progress.detail(format_args!(
            "poll: lastStatus={status} desiredStatus={}",
            task.desired_status().unwrap_or("?")
        ));
        if status != self.last_status {
            self.progress.step(format!("task is {status}"));
            self.last_status.clone_from(&status);
        }
        self.last_seen = Some(task);
        status == "STOPPED"
    }

    /// Starts stopping the task (or leaves it, per `on_cancel`); `Some` ends the wait now.
    async fn interrupt(&mut self, kind: Interruption) -> Option<WaitEnd> {
        let why = match kind {
            Interruption::TimedOut => format!(
                "timeout of {} passed",
                humantime::format_duration(self.options.timeout)
            ),
            Interruption::Cancelled => "the CI job was cancelled".to_owned(),
        };
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
    async fn send_stop(&mut self) {
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

    fn left_running(&mut self) -> WaitEnd {
        WaitEnd::LeftRunning {
            task: self.last_seen.take(),
            interruption: self
                .interruption
                .map_or(Interruption::Cancelled, |(kind, _)| kind),
        }
    }

    /// A poll that began at `poll_started` failed (after the SDK's own retries): how long to
    /// back off, or the error once the outage has lasted longer than `max_outage`.
    fn failed(&mut self, error: anyhow::Error, poll_started: Instant) -> Result<Duration> {
        let since = *self.failing_since.get_or_insert(poll_started);
        self.failures += 1;
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

    fn recovered(&mut self) {
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

async fn describe(ecs: &aws_sdk_ecs::Client, cluster: &str, task_arn: &str) -> Result<Task> {
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
    Err(anyhow::anyhow!("DescribeTasks {task_arn}: {why}")).context("the task vanished from ECS")
}

/// Our clock's moment for a log event's timestamp (ms since the epoch, AWS's clock): never
/// later than `now`, so a clock running ahead of ours cannot postpone a task poll.
fn written_at(ms: i64, now: Instant) -> Option<Instant> {
    let written = UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).ok()?);
    match SystemTime::now().duration_since(written) {
        Ok(ago) => now.checked_sub(ago),
        Err(_) => Some(now),
    }
}
