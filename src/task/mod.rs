//! Running the migration task: the RunTask request, starting it, waiting for it while its logs
//! stream, and judging the result.

pub mod evaluate;
pub mod launch;
mod start;
mod wait;

pub use start::{Started, start_task};
pub use wait::{Interruption, RecentLines, Signals, WaitEnd, WaitOptions, wait_for_stop};
