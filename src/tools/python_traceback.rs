//! The failures of the Python tools, Alembic and Django, are tracebacks: the tool announces the
//! migration it starts, and the traceback's frame inside the migration file gives the line.
//!
//! Shared by both tools' modules because one walk over the log must decide, traceback by
//! traceback, whose migration raised: a Django project may run Alembic too, an announcement may
//! arrive after its traceback, and a traceback claimed by one tool is not the other's. The walk
//! tags each finding with its tool; [`failures`] keeps only the asking tool's, so each is reported
//! once.

use std::sync::LazyLock;

use regex::Regex;

use super::ToolId;
use crate::migration_errors::{Found, Line};

/// The migration the tool announced last and has not reported done.
enum Running {
    /// `Running upgrade abc -> def, message`: Alembic revision `def`.
    Alembic,
    /// `Applying app.0003_name...` without `OK`: Django app label and migration name.
    Django { app: String, name: String },
}

static FRAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^\s*File "([^"]+)", line (\d+), in (\S+)"#).expect("valid"));

/// The failures in `lines` that the walk attributes to `tool` (Alembic or Django).
pub(super) fn failures(lines: &[Line<'_>], tool: ToolId, found: &mut Vec<Found>) {
    let mut all = Vec::new();
    walk(lines, &mut all);
    found.extend(
        all.into_iter()
            .filter(|finding| finding.tool == tool.as_str()),
    );
}

fn walk(lines: &[Line<'_>], found: &mut Vec<Found>) {
    static ALEMBIC: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"Running (?:upgrade|downgrade) \S* ?-> \S+").expect("valid"));
    static DJANGO: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"Applying (\w+)\.(\w+)\.\.\.(.*)$").expect("valid"));
    let mut running: Option<Running> = None;
    // A traceback no announced migration claimed: Django's `Applying …` has no newline until it
    // succeeds, so the log driver may deliver it only after the traceback, when the task exits.
    let mut unclaimed: Option<(usize, Traceback)> = None;
    let mut index = 0;
    while index < lines.len() {
        let text = lines[index].text;
        if text.contains("Running ") && ALEMBIC.is_match(text) {
            running = Some(Running::Alembic);
        } else if text.contains("Applying ")
            && let Some(captures) = DJANGO.captures(text)
        {
            running = (!captures[3].trim_start().starts_with("OK")).then(|| Running::Django {
                app: captures[1].to_owned(),
                name: captures[2].to_owned(),
            });
            if let (Some(migration), Some((at, traceback))) = (&running, &unclaimed)
                && let Some(finding) = traceback.finding(*at, migration)
            {
                found.push(finding);
                running = None;
                unclaimed = None;
            }
        }
        if text.contains("Traceback (most recent call last):") {
            let at = lines[index].at;
            let traceback = Traceback::read(&lines[index + 1..]);
            index += traceback.length + 1;
            let migration = running.take().or_else(|| {
                let alembic = traceback
                    .frames
                    .iter()
                    .any(|frame| frame.in_alembic_revision());
                alembic
                    .then_some(Running::Alembic)
                    .or_else(|| traceback.django_migration())
            });
            match migration.and_then(|migration| traceback.finding(at, &migration)) {
                Some(finding) => found.push(finding),
                None => unclaimed = Some((at, traceback)),
            }
            continue;
        }
        index += 1;
    }
}

struct Frame {
    path: String,
    line: u32,
    function: String,
}

impl Frame {
    fn in_alembic_revision(&self) -> bool {
        self.path.contains("/versions/")
            && !third_party(&self.path)
            && matches!(self.function.as_str(), "upgrade" | "downgrade")
    }
}

/// One traceback (with its chained causes): its frames and the exception it ends with.
struct Traceback {
    frames: Vec<Frame>,
    exception: Option<String>,
    /// Lines read after the first `Traceback` line.
    length: usize,
}

/// After the exception line, how many lines may follow (the rest of a multi-line message, a
/// chained traceback's marker) before the traceback is taken as over.
const AFTER_EXCEPTION: usize = 30;

impl Traceback {
    fn read(lines: &[Line<'_>]) -> Self {
        let mut traceback = Traceback {
            frames: Vec::new(),
            exception: None,
            length: 0,
        };
        let mut awaiting_exception = true;
        let mut since_exception = 0;
        for line in lines {
            let text = line.text;
            if let Some(captures) = FRAME.captures(text) {
                traceback.frames.push(Frame {
                    path: captures[1].replace('\\', "/"),
                    line: captures[2].parse().unwrap_or(0),
                    function: captures[3].to_owned(),
                });
                awaiting_exception = true;
            } else if text.starts_with("Traceback (most recent call last):")
                || text.starts_with("The above exception was the direct cause")
                || text.starts_with("During handling of the above exception")
            {
                since_exception = 0;
            } else if awaiting_exception
                && !text.trim().is_empty()
                && !text.starts_with(char::is_whitespace)
            {
                traceback.exception = Some(text.trim().to_owned());
                awaiting_exception = false;
                since_exception = 0;
            } else if !awaiting_exception && text.trim_start().starts_with("Applying ") {
                // Django announcing the next (or, delivered late, this) migration: not ours.
                break;
            } else if !awaiting_exception {
                since_exception += 1;
                if since_exception > AFTER_EXCEPTION {
                    break;
                }
            }
            traceback.length += 1;
        }
        traceback
    }

    /// The Django migration whose code (a `RunPython` function) raised, from its frame alone:
    /// `Applying app.0003_name...` has no newline until it succeeds, so a log pipeline can lose
    /// it or deliver it after the traceback. Only when Django's migration executor is on the
    /// stack, and only a numbered file under an app's `migrations/` outside installed packages.
    fn django_migration(&self) -> Option<Running> {
        static DJANGO_FRAME: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?:^|/)([A-Za-z_]\w*)/migrations/(\d{4}_\w+)\.py$").expect("valid")
        });
        let executor = self
            .frames
            .iter()
            .any(|frame| frame.path.contains("/django/db/migrations/"));
        if !executor {
            return None;
        }
        self.frames
            .iter()
            .rev()
            .filter(|frame| !third_party(&frame.path))
            .find_map(|frame| DJANGO_FRAME.captures(&frame.path))
            .map(|captures| Running::Django {
                app: captures[1].to_owned(),
                name: captures[2].to_owned(),
            })
    }

    fn finding(&self, at: usize, running: &Running) -> Option<Found> {
        let message = self
            .exception
            .as_deref()
            .unwrap_or("the migration raised an exception");
        let frame = match running {
            Running::Alembic => self
                .frames
                .iter()
                .rev()
                .find(|frame| frame.path.contains("/versions/") && !third_party(&frame.path)),
            Running::Django { name, .. } => {
                let file = format!("/migrations/{name}.py");
                self.frames
                    .iter()
                    .rev()
                    .find(|frame| frame.path.ends_with(&file))
            }
        };
        let tool = match running {
            Running::Alembic => ToolId::Alembic.as_str(),
            Running::Django { .. } => ToolId::Django.as_str(),
        };
        match (frame, running) {
            (Some(frame), _) => Some(Found::new(at, tool, &frame.path, Some(frame.line), message)),
            (None, Running::Django { app, name }) => {
                let path = format!("{app}/migrations/{name}.py");
                Some(Found::new(at, tool, &path, None, message))
            }
            (None, Running::Alembic) => None,
        }
    }
}

fn third_party(path: &str) -> bool {
    path.contains("/site-packages/") || path.contains("/dist-packages/") || path.starts_with('<')
}
