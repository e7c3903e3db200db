//! Running the migration task: the RunTask request, starting it, waiting for it while its logs
//! stream, and judging the result.

pub mod evaluate;
mod follow;
pub mod launch;
mod pace;
mod parity_request;
mod recover;
pub mod service_parity;
mod signals;
mod start;
mod wait;
mod wait_state;

pub use follow::{KeptLog, Printer};
pub use signals::Signals;
pub use start::{Started, client_token, invocation_client_token, start_task};
pub use wait::{Interruption, WaitEnd, WaitOptions, wait_for_stop};
