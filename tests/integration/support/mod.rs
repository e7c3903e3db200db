//! Shared test machinery: the stack's address, a per-test AWS identity, fixtures, and a way to
//! run the binary the way a user does.

pub mod actions;
pub mod aws;
pub mod binary;
pub mod container_action;
pub mod fake_github;
pub mod postgres;
pub mod stack;
