//! A note on a file and line of the pull request (e.g. the migration that failed), in the shape
//! the check run API takes. Whoever reads the logs produces these; the check run sends them.

use serde::Serialize;

use crate::migration_errors::MigrationError;
use crate::review::{Finding, Level};
use crate::text::shorten_bytes;

/// GitHub takes at most this many annotations per check run request.
pub const PER_REQUEST: usize = 50;
const TITLE_LIMIT: usize = 255;
const MESSAGE_LIMIT: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Annotation {
    /// Relative to the repository root.
    pub path: String,
    pub start_line: u32,
    pub end_line: u32,
    pub annotation_level: AnnotationLevel,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// How GitHub marks the line (it also has `notice`): a failed migration or a review error is a
/// failure, a review warning a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AnnotationLevel {
    Failure,
    Warning,
}

impl Annotation {
    /// The failure mark on the migration file the log names (line 1 when it gives no line).
    pub fn for_failed_migration(error: &MigrationError) -> Annotation {
        let line = error.line.unwrap_or(1);
        Annotation {
            path: error.path.clone(),
            start_line: line,
            end_line: line,
            annotation_level: AnnotationLevel::Failure,
            message: error.message.clone(),
            title: Some(format!("{} migration failed", error.tool)),
        }
    }

    /// A review finding on its file and line, with the fix after the message.
    pub fn for_review(finding: &Finding) -> Annotation {
        let message = match &finding.help {
            Some(help) => format!("{}\n\nFix: {help}", finding.message),
            None => finding.message.clone(),
        };
        Annotation {
            path: finding.path.clone(),
            start_line: finding.line,
            end_line: finding.line,
            annotation_level: match finding.level {
                Level::Error => AnnotationLevel::Failure,
                Level::Warning => AnnotationLevel::Warning,
            },
            message,
            title: Some(finding.rule.clone()),
        }
    }

    /// The annotation within GitHub's size limits (it rejects the whole request otherwise).
    pub fn within_limits(&self) -> Annotation {
        let start_line = self.start_line.max(1);
        Annotation {
            path: self.path.trim_start_matches("./").to_owned(),
            start_line,
            end_line: self.end_line.max(start_line),
            annotation_level: self.annotation_level,
            message: shorten_bytes(&self.message, MESSAGE_LIMIT),
            title: self
                .title
                .as_deref()
                .map(|title| shorten_bytes(title, TITLE_LIMIT)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_fields_are_cut_and_lines_made_valid() {
        let annotation = Annotation {
            path: "./db/migrate/1_x.rb".into(),
            start_line: 0,
            end_line: 0,
            annotation_level: AnnotationLevel::Failure,
            message: "é".repeat(40_000),
            title: Some("t".repeat(300)),
        }
        .within_limits();
        assert_eq!(annotation.path, "db/migrate/1_x.rb");
        assert_eq!((annotation.start_line, annotation.end_line), (1, 1));
        assert!(annotation.message.len() <= MESSAGE_LIMIT);
        assert!(annotation.message.ends_with('…'));
        assert_eq!(annotation.title.unwrap().chars().count(), 253);
    }

    #[test]
    fn it_serializes_with_the_api_field_names() {
        let annotation = Annotation {
            path: "a.sql".into(),
            start_line: 3,
            end_line: 4,
            annotation_level: AnnotationLevel::Failure,
            message: "m".into(),
            title: None,
        };
        assert_eq!(
            serde_json::to_value(&annotation).unwrap(),
            serde_json::json!({"path": "a.sql", "start_line": 3, "end_line": 4,
                               "annotation_level": "failure", "message": "m"})
        );
    }
}
