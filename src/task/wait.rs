//! Waits for the migration to end, bounded only by the configured timeout, while its logs
//! stream: one loop makes every call (task polls and log reads, paced by `pace`). Never requires
//! RUNNING to be seen.
//!
//! The wait ends when the migration container has exited (its exit code visible), not when the
//! task reaches STOPPED: ECS's teardown (DEACTIVATING → STOPPING → DEPROVISIONING) takes seconds
//! to minutes and changes nothing about the result. Then the same loop drains every log stream
//! for `log_drain` counted from the exit ECS reports (`executionStoppedAt`), because CloudWatch
//! makes the last batch readable late. A task that failed to start ends only at STOPPED.
//!
//! Every call and every pause is raced against SIGINT/SIGTERM and the deadline, so a cancelled
//! CI job gets its StopTask out within moments even while AWS is slow or unreachable; failing
//! calls are retried with backoff until `max_outage`, and log reads resume from their last
//! position.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Result;
use aws_sdk_ecs::types::Task;

use crate::config::OnCancel;
use crate::logs::{LogTail, Page};
use crate::progress::Progress;

use super::follow::{KeptLog, Printer, drain_until, system_time};
use super::pace::{Call, Pacer};
use super::signals::Signals;
use super::wait_state::{Seen, Wait, describe};

pub struct WaitOptions {
    pub cluster: String,
    /// The migration container: its exit ends the wait.
    pub container: String,
    pub timeout: Duration,
    /// `None`: adaptive pacing within the call budget; `Some`: poll exactly this often.
    pub poll_interval: Option<Duration>,
    pub on_cancel: OnCancel,
    pub max_outage: Duration,
    /// How long after the migration exited its log streams are still read.
    pub log_drain: Duration,
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
    /// The migration container exited (the task may still be tearing down) or the task stopped,
    /// and the logs were drained; `interrupted` says whether we stopped it before it exited.
    Ended {
        task: Box<Task>,
        interrupted: Option<Interruption>,
    },
    /// Interrupted with `on_cancel: leave`, a second signal, or a stop that did not finish in time.
    LeftRunning {
        task: Option<Box<Task>>,
        interruption: Interruption,
    },
}

/// After asking ECS to stop the task, how long to keep watching for the migration to exit.
const STOP_GRACE: Duration = Duration::from_secs(60);

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
    let mut wait = Wait::new(ecs, task_arn, progress, options);
    let mut pacer = Pacer::new(options.poll_interval, tails.len(), Instant::now());
    let mut printer = Printer {
        progress,
        kept,
        prefixed: tails.len() > 1,
    };
    loop {
        if pacer.drained(Instant::now()) {
            for index in pacer.unsettled() {
                progress.warn(format!(
                    "the last log lines of container {} may be missing: its log stream could not \
                     be read to its end (see the log link in the result)",
                    tails[index].source.container
                ));
            }
            return Ok(wait.ended());
        }
        let (call, at) = pacer.next();
        let draining = pacer.draining();
        let wake = tokio::select! {
            biased;
            () = signals.received() => Wake::Signal,
            () = tokio::time::sleep_until(wait.deadline.into()),
                if wait.interruption.is_none() => Wake::Deadline,
            wake = make(call, at, ecs, &options.cluster, task_arn, tails) => wake,
        };
        match wake {
            Wake::Signal | Wake::Deadline if draining => {
                let kind = match wake {
                    Wake::Deadline => Interruption::TimedOut,
                    _ => Interruption::Cancelled,
                };
                if wait.interruption.is_none() {
                    wait.interrupt_drain(kind).await;
                }
                return Ok(wait.ended());
            }
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
                let failed = page.is_err();
                let page = page.unwrap_or_else(|error| {
                    if tails[index].denied {
                        // Said once: the stream is not read again. The result stands without it.
                        progress.warn(format!(
                            "cannot read the logs of container {}, skipping them: {error:#}",
                            tails[index].source.container
                        ));
                    } else {
                        progress.detail(format_args!("reading logs failed, will retry: {error:#}"));
                    }
                    Page::default()
                });
                let now = Instant::now();
                if draining {
                    pacer.drain_read(now, index, page.lines.len(), page.caught_up, failed);
                } else {
                    let newest = page.newest.and_then(|ms| written_at(ms, now));
                    pacer.read(now, index, page.lines.len(), page.full, newest);
                }
                printer.print(&tails[index].source.container, page.lines);
            }
            Wake::Polled(started, Err(error)) => {
                let pause = wait.failed(error, started)?;
                pacer.poll_failed(Instant::now(), pause);
            }
            Wake::Polled(started, Ok(task)) => {
                wait.recovered();
                let now = Instant::now();
                pacer.polled(
                    now,
                    task.last_status().unwrap_or("UNKNOWN"),
                    task.desired_status().unwrap_or("UNKNOWN"),
                );
                if wait.observe(task, started) != Seen::Running {
                    let task = wait.last_seen.as_deref().expect("just observed");
                    announce_exit(progress, task, &options.container);
                    let exited = task.execution_stopped_at().and_then(system_time);
                    let until = drain_until(exited, wait.running_at, now, options.log_drain);
                    pacer.drain(now, until, options.max_outage);
                    continue;
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

/// Says that the migration is over while the task still tears down.
fn announce_exit(progress: &Progress, task: &Task, container: &str) {
    if task.last_status() == Some("STOPPED") {
        return; // "task is STOPPED" said it
    }
    let code = task
        .containers()
        .iter()
        .find(|found| found.name() == Some(container))
        .and_then(|found| found.exit_code())
        .map_or_else(|| "no exit code".to_owned(), |code| format!("code {code}"));
    progress.step(format!(
        "container {container} exited ({code}); reading its last log lines"
    ));
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

/// Our clock's moment for a log event's timestamp (ms since the epoch, AWS's clock): never
/// later than `now`, so a clock running ahead of ours cannot postpone a task poll.
fn written_at(ms: i64, now: Instant) -> Option<Instant> {
    let written = UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).ok()?);
    match SystemTime::now().duration_since(written) {
        Ok(ago) => now.checked_sub(ago),
        Err(_) => Some(now),
    }
}
