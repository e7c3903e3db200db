//! The task's log lines on their way to the user: printed as each page arrives (prefixed with
//! the container when several stream), kept (bounded) for the result and the reports, and after STOPPED
//! every stream drained, because the last lines (usually the error) land after ECS reports the
//! stop.

use std::collections::VecDeque;
use std::time::{Duration, Instant, SystemTime};

use aws_sdk_ecs::types::Task;

use crate::logs::LogTail;
use crate::progress::Progress;

use super::pace::Pacer;
use super::signals::Signals;

/// How long after STOPPED the last lines may still land in CloudWatch.
const LAST_LINES_GRACE: Duration = Duration::from_secs(1);
/// While a drained stream keeps growing, read it again this often, for at most `DRAIN_LIMIT`.
const DRAIN_POLL: Duration = Duration::from_millis(250);
const DRAIN_LIMIT: Duration = Duration::from_secs(10);

/// The task's log as the result keeps it: the last lines for the reports, and as much of the
/// rest as a bound allows for recognising which migration failed (a Python traceback can put the
/// migration's frame 150 lines before its last line).
#[derive(Debug, Default)]
pub struct KeptLog {
    lines: VecDeque<String>,
    bytes: usize,
}

impl KeptLog {
    /// Lines the reports show.
    const REPORT_TAIL: usize = 50;
    /// What is kept for recognition: the newest lines within both bounds.
    const MAX_LINES: usize = 20_000;
    const MAX_BYTES: usize = 8 << 20;

    fn push(&mut self, line: String) {
        self.bytes += line.len();
        self.lines.push_back(line);
        while self.lines.len() > Self::MAX_LINES
            || (self.bytes > Self::MAX_BYTES && self.lines.len() > Self::REPORT_TAIL)
        {
            if let Some(dropped) = self.lines.pop_front() {
                self.bytes -= dropped.len();
            }
        }
    }

    /// The last lines, for the job summary, the PR comment and the check run.
    pub fn report_tail(&self) -> Vec<String> {
        let skip = self.lines.len().saturating_sub(Self::REPORT_TAIL);
        self.lines.iter().skip(skip).cloned().collect()
    }

    /// Everything kept, oldest first.
    pub fn into_lines(self) -> Vec<String> {
        self.lines.into()
    }
}

/// Where the lines go: the user's terminal or CI log, and the report's tail.
pub struct Printer<'a> {
    pub progress: &'a Progress,
    pub kept: &'a mut KeptLog,
    /// Several streams: each line says which container wrote it.
    pub prefixed: bool,
}

impl Printer<'_> {
    pub fn print(&mut self, container: &str, lines: Vec<String>) {
        for line in lines {
            let line = if self.prefixed {
                format!("[{container}] {line}")
            } else {
                line
            };
            self.progress.log_line(&line);
            self.kept.push(line);
        }
    }
}

/// After STOPPED: waits until the last lines can have landed (`LAST_LINES_GRACE` after the
/// stop ECS reports, and never longer than that after we saw it), then reads every stream to
/// its end, following it while it still grows. Returns early on a signal.
pub async fn drain(
    tails: &mut [LogTail],
    task: &Task,
    pacer: &mut Pacer,
    printer: &mut Printer<'_>,
    signals: &mut Signals,
) {
    let seen = Instant::now();
    let settled = seen + until_settled(task.stopped_at().and_then(system_time));
    let give_up = seen + DRAIN_LIMIT;
    for tail in tails.iter_mut() {
        let mut not_before = settled;
        loop {
            let at = not_before.max(pacer.budget_allows());
            let page = tokio::select! {
                biased;
                () = signals.received() => return,
                page = async {
                    tokio::time::sleep_until(at.into()).await;
                    tail.next_page().await
                } => page,
            };
            pacer.spent();
            let page = match page {
                Ok(page) => page,
                Err(error) => {
                    printer
                        .progress
                        .detail(format_args!("reading logs failed, will retry: {error:#}"));
                    Default::default()
                }
            };
            let (caught_up, found) = (page.caught_up, !page.lines.is_empty());
            printer.print(&tail.source.container, page.lines);
            if caught_up || Instant::now() >= give_up {
                break;
            }
            // A page with lines is followed at once: the end is proven only by a read that
            // finds the stream where the last one left it.
            not_before = if found {
                Instant::now()
            } else {
                Instant::now() + DRAIN_POLL
            };
        }
    }
}

/// How long from now until `LAST_LINES_GRACE` has passed since ECS stopped the task; the full
/// grace when the stop time is unknown or our clock disagrees with AWS's.
fn until_settled(stopped_at: Option<SystemTime>) -> Duration {
    let Some(stopped_at) = stopped_at else {
        return LAST_LINES_GRACE;
    };
    match SystemTime::now().duration_since(stopped_at) {
        Ok(since_stop) => LAST_LINES_GRACE.saturating_sub(since_stop),
        Err(_) => LAST_LINES_GRACE,
    }
}

fn system_time(time: &aws_smithy_types::DateTime) -> Option<SystemTime> {
    SystemTime::try_from(*time).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grace_counts_from_the_stop_ecs_reports() {
        let now = SystemTime::now();
        let left = until_settled(Some(now - Duration::from_millis(400)));
        assert!(left <= Duration::from_millis(600), "{left:?}");
        assert!(left > Duration::from_millis(500), "{left:?}");
        assert_eq!(
            until_settled(Some(now - Duration::from_secs(5))),
            Duration::ZERO
        );
    }

    #[test]
    fn an_unknown_or_future_stop_time_gets_the_full_grace() {
        assert_eq!(until_settled(None), LAST_LINES_GRACE);
        let ahead = SystemTime::now() + Duration::from_secs(30);
        assert_eq!(until_settled(Some(ahead)), LAST_LINES_GRACE);
    }
}

#[cfg(test)]
mod kept_log_tests {
    use super::KeptLog;

    #[test]
    fn keeps_a_long_traceback_whole_and_the_last_fifty_for_reports() {
        let mut kept = KeptLog::default();
        for number in 0..300 {
            kept.push(format!("line {number}"));
        }
        let tail = kept.report_tail();
        assert_eq!(tail.len(), 50);
        assert_eq!(tail[0], "line 250");
        let lines = kept.into_lines();
        assert_eq!(lines.len(), 300);
        assert_eq!(lines[0], "line 0");
    }

    #[test]
    fn memory_stays_bounded_by_bytes_and_lines() {
        let mut kept = KeptLog::default();
        let long = "x".repeat(64 * 1024);
        for _ in 0..1_000 {
            kept.push(long.clone());
        }
        assert!(
            kept.bytes <= KeptLog::MAX_BYTES,
            "{} bytes kept",
            kept.bytes
        );
        assert_eq!(kept.report_tail().len(), 50);
        let mut many = KeptLog::default();
        for number in 0..(KeptLog::MAX_LINES + 10) {
            many.push(number.to_string());
        }
        let lines = many.into_lines();
        assert_eq!(lines.len(), KeptLog::MAX_LINES);
        assert_eq!(lines[0], "10");
    }
}
