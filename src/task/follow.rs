//! The task's log lines on their way to the user: printed as each page arrives (prefixed with
//! the container when several stream), the last ones kept for the reports, and after STOPPED
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

/// The task's most recent log lines, kept for the reports.
#[derive(Debug, Default)]
pub struct RecentLines(VecDeque<String>);

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

/// Where the lines go: the user's terminal or CI log, and the report's tail.
pub struct Printer<'a> {
    pub progress: &'a Progress,
    pub recent: &'a mut RecentLines,
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
            self.recent.push(line);
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
