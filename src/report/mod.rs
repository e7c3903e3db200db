//! Reporting a result where the team looks: the step's outputs, the job summary, the workflow
//! annotations, Slack. A report that cannot be delivered is a warning, never a different exit code.

pub mod deliver;
pub mod github;
pub mod outputs;
pub mod slack;
pub mod summary;
pub mod workflow;

pub use deliver::{plan_finished, plan_outcome, run_finished};
pub use workflow::annotate_error;
