//! Reviewing a pull request's migrations before they run: lock-risk lint of their SQL. The
//! pull request's files, the history checks and where findings are shown build on this.

pub mod lint;
