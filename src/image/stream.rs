//! Runs a Docker CLI command with its output streamed through to our stderr as it comes (folded
//! in a `::group::` in GitHub Actions), keeping the last lines to explain a failure.

use std::collections::VecDeque;
use std::process::Stdio;

use anyhow::{Context, Result};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::progress::Progress;

/// How many output lines are kept for reports and digest lookups.
const KEPT_LINES: usize = 200;

pub struct Streamed {
    pub success: bool,
    pub code: Option<i32>,
    /// The last output lines (stdout and stderr interleaved as they arrived).
    pub lines: Vec<String>,
}

/// Runs `command`, printing each line of its output; `title` names the `::group::`.
pub async fn run_streamed(
    mut command: Command,
    title: &str,
    github: bool,
    progress: &Progress,
) -> Result<Streamed> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command
        .spawn()
        .context("cannot run the Docker CLI `docker` (install it, or put it on PATH)")?;
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
    let mut stderr = BufReader::new(child.stderr.take().expect("piped stderr")).lines();
    if github {
        progress.log_line(&format!("::group::{title}"));
    } else {
        progress.step(title);
    }
    let mut kept = VecDeque::with_capacity(KEPT_LINES);
    let (mut stdout_open, mut stderr_open) = (true, true);
    while stdout_open || stderr_open {
        let line = tokio::select! {
            line = stdout.next_line(), if stdout_open => {
                stdout_open = matches!(line, Ok(Some(_)));
                line
            }
            line = stderr.next_line(), if stderr_open => {
                stderr_open = matches!(line, Ok(Some(_)));
                line
            }
        };
        if let Ok(Some(line)) = line {
            progress.log_line(&line);
            if kept.len() == KEPT_LINES {
                kept.pop_front();
            }
            kept.push_back(line);
        }
    }
    let status = child.wait().await.context("waiting for docker")?;
    if github {
        progress.log_line("::endgroup::");
    }
    Ok(Streamed {
        success: status.success(),
        code: status.code(),
        lines: kept.into(),
    })
}

/// The lines that explain a failed build: from the classic builder's last `Step n/m` (the
/// failing step) on, else the last lines, at most `limit` either way.
pub fn failing_step(lines: &[String], limit: usize) -> Vec<String> {
    let start = lines
        .iter()
        .rposition(|line| line.starts_with("Step "))
        .unwrap_or(0)
        .max(lines.len().saturating_sub(limit));
    lines[start..].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_failing_step_is_cut_from_its_step_line() {
        let lines: Vec<String> = [
            "Step 1/2 : FROM scratch",
            " ---> ok",
            "Step 2/2 : RUN false",
            "The command 'false' returned a non-zero code: 1",
        ]
        .map(str::to_owned)
        .to_vec();
        assert_eq!(failing_step(&lines, 20), lines[2..].to_vec());
        assert_eq!(failing_step(&lines, 1), lines[3..].to_vec());
    }
}
