//! The task's log lines on their way to the user: printed as each page arrives (prefixed with
//! the container when several stream), kept (bounded) for the result and the reports, and once
//! the migration exited every stream drained for a window counted from its exit, because the
//! last lines (usually the error) land in CloudWatch seconds after the container exited.

use std::collections::VecDeque;
use std::time::{Duration, Instant, SystemTime};

use crate::progress::Progress;

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

/// When the drain of the logs may end: `window` after the migration container exited. The exit
/// is the task's `executionStoppedAt` as ECS reports it (our clock's moment for it, never later
/// than `now`), else `now` (when we saw it); never before `running_at`, a poll that still saw
/// the container running (an essential sidecar's exit can set `executionStoppedAt` first).
pub fn drain_until(
    execution_stopped: Option<SystemTime>,
    running_at: Option<Instant>,
    now: Instant,
    window: Duration,
) -> Instant {
    let exited = execution_stopped
        .and_then(|stopped| match SystemTime::now().duration_since(stopped) {
            Ok(ago) => now.checked_sub(ago),
            Err(_) => Some(now),
        })
        .unwrap_or(now);
    let exited = running_at.map_or(exited, |running| exited.max(running));
    exited + window
}

pub fn system_time(time: &aws_smithy_types::DateTime) -> Option<SystemTime> {
    SystemTime::try_from(*time).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Duration = Duration::from_secs(5);

    #[test]
    fn the_window_counts_from_the_exit_ecs_reports() {
        let now = Instant::now();
        let until = drain_until(
            Some(SystemTime::now() - Duration::from_secs(3)),
            None,
            now,
            WINDOW,
        );
        let left = until - now;
        assert!(left <= Duration::from_secs(2), "{left:?}");
        assert!(left > Duration::from_millis(1900), "{left:?}");
        let long_ago = SystemTime::now() - Duration::from_secs(60);
        assert!(drain_until(Some(long_ago), None, now, WINDOW) < now);
    }

    #[test]
    fn an_unknown_or_future_exit_counts_from_now() {
        let now = Instant::now();
        assert_eq!(drain_until(None, None, now, WINDOW), now + WINDOW);
        let ahead = SystemTime::now() + Duration::from_secs(30);
        assert_eq!(drain_until(Some(ahead), None, now, WINDOW), now + WINDOW);
    }

    #[test]
    fn never_before_a_poll_that_saw_the_container_running() {
        let now = Instant::now();
        let sidecar_exit = SystemTime::now() - Duration::from_secs(40);
        let running = now - Duration::from_secs(1);
        assert_eq!(
            drain_until(Some(sidecar_exit), Some(running), now, WINDOW),
            running + WINDOW
        );
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
