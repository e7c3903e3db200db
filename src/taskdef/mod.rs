//! The migration task definition: where its base comes from, how it is derived, and when a new
//! revision is registered. Task definitions stay raw AWS JSON throughout (see `aws::raw_json`).

pub mod derive;
pub mod normalise;
mod register;
mod source;

pub use register::register_or_reuse;
pub use source::{describe_task_definition, read_file};
