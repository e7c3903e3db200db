//! Running the migration task: the RunTask request, starting it, waiting for it while its logs
//! stream, and judging the result.

pub mod earlier_runs;
pub mod evaluate;
mod follow;
pub mod launch;
mod pace;
mod parity_request;
mod recover;
pub mod service_parity;
mod signals;
mod start;
pub mod token;
mod wait;
mod wait_state;

pub use follow::{KeptLog, Printer};
pub use signals::Signals;
pub use start::{Started, start_task, token_conflict};
pub use wait::{Interruption, WaitEnd, WaitOptions, wait_for_stop};
