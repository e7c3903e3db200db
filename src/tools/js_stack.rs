//! Node.js stack frames in failure output, shared by the JavaScript tools' modules (knex,
//! Sequelize/Umzug, TypeORM): the frame inside the migration file gives its full path and the
//! line. Shared because Node prints them, not the tool: all three tools' stacks and load errors
//! look the same, and which tool a load error belongs to is told from the stack (see
//! [`load_failures`]).

use std::sync::LazyLock;

use regex::Regex;

use super::ToolId;
use crate::migration_errors::{Found, Line};

/// One `at fn (path:line:column)` or `at path:line:column` frame.
pub(super) struct Frame {
    pub function: String,
    pub path: String,
    pub line: u32,
}

/// The frame on this line, if it is one and points into the project (not into `node_modules`,
/// Node's own modules or an anonymous script).
pub(super) fn frame(text: &str) -> Option<Frame> {
    static FRAME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^\s*at (?:async )?(?:(?P<function>[^()]*?) \((?P<path>[^()]+?):(?P<line>\d+):\d+\)|(?P<bare>[^\s()]+?):(?P<bline>\d+):\d+)\s*$",
        )
        .expect("valid")
    });
    let trimmed = text.trim_start();
    if !trimmed.starts_with("at ") {
        return None;
    }
    let captures = FRAME.captures(text)?;
    let (path, line) = match (captures.name("path"), captures.name("bare")) {
        (Some(path), _) => (path.as_str(), captures.name("line")?),
        (None, Some(path)) => (path.as_str(), captures.name("bline")?),
        _ => return None,
    };
    let path = path.strip_prefix("file://").unwrap_or(path);
    let normalised = path.replace('\\', "/");
    let outside_project = normalised.contains("/node_modules/")
        || normalised.starts_with("node:")
        || normalised.starts_with("internal/")
        || normalised.starts_with("webpack:")
        || !normalised.contains('/');
    if outside_project {
        return None;
    }
    Some(Frame {
        function: captures
            .name("function")
            .map_or("", |function| function.as_str())
            .to_owned(),
        path: path.to_owned(),
        line: line.as_str().parse().ok()?,
    })
}

/// The first project frame in `lines` (up to `limit`) whose file name is `name`, or starts with
/// it followed by a dot (`20240101_x` names `20240101_x.ts`).
pub(super) fn frame_in_file(lines: &[Line<'_>], limit: usize, name: &str) -> Option<Frame> {
    lines
        .iter()
        .take(limit)
        .filter_map(|line| frame(line.text))
        .find(|frame| file_is(&frame.path, name))
}

fn file_is(path: &str, name: &str) -> bool {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let wanted = name.rsplit(['/', '\\']).next().unwrap_or(name);
    file == wanted
        || file
            .strip_prefix(wanted)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// How many lines Node prints between the `<path>:<line>` header and the error: the source line,
/// the caret line and a blank one, with some slack.
const HEADER_TO_ERROR: usize = 6;
/// How far into the error's stack the tool's loader frames are looked for.
const LOADER_FRAMES: usize = 40;
/// How far before the header the tool's own failure line is looked for.
const ANNOUNCEMENT_WINDOW: usize = 5;

/// Loader packages in `node_modules` (first match wins), and the tool whose migrations they load.
const LOADERS: &[(&str, ToolId)] = &[
    ("knex", ToolId::Knex),
    ("typeorm", ToolId::Typeorm),
    ("sequelize-cli", ToolId::Sequelize),
    ("umzug", ToolId::Sequelize),
    ("sequelize", ToolId::Sequelize),
];

/// A migration that Node could not load: compiling it (or running its top level) threw, and Node
/// printed where as a `/app/migrations/x.js:4` header, the source line and a caret under the
/// fault, a blank line, then the error (`SyntaxError: missing ) after argument list`) and its
/// stack through the tool's loader (knex's `Migrator`, TypeORM's `ImportUtils`, Umzug or
/// sequelize-cli). Findings for `tool` are pushed: the tool is the one whose `node_modules`
/// frames are in that stack, else the one whose failure line comes just before the header.
/// Only migration files are named (a directory `migrat…`, or a name starting with a digit): a
/// broken knexfile, data source or model is not a failed migration, and no file beats a wrong one.
pub(super) fn load_failures(lines: &[Line<'_>], tool: ToolId, found: &mut Vec<Found>) {
    for (index, line) in lines.iter().enumerate() {
        let Some((path, number)) = header(line.text) else {
            continue;
        };
        let after = &lines[index + 1..];
        let Some(offset) = after
            .iter()
            .take(HEADER_TO_ERROR)
            .take_while(|line| !line.text.trim_start().starts_with("at "))
            .position(|line| is_error_line(line.text))
        else {
            continue;
        };
        let error = after[offset].text.trim();
        let start = index.saturating_sub(ANNOUNCEMENT_WINDOW);
        let owner = loader_of(&after[offset + 1..]).or_else(|| announced_by(&lines[start..index]));
        if owner == Some(tool) && is_migration_file(path) {
            found.push(Found::new(
                line.at,
                tool.as_str(),
                path,
                Some(number),
                error,
            ));
        }
    }
}

/// `/app/migrations/x.js:4` (or `C:\app\x.js:4`, `file:///app/x.mjs:4`) alone on its line: an
/// absolute path to a script outside `node_modules`, and the line.
fn header(text: &str) -> Option<(&str, u32)> {
    static HEADER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:file://)?((?:/|[A-Za-z]:[\\/])[^:]*?\.[cm]?[jt]s):(\d+)$").expect("valid")
    });
    let text = text.trim();
    if !text.contains(':') {
        return None;
    }
    let captures = HEADER.captures(text)?;
    let path = captures.get(1)?.as_str();
    if path.replace('\\', "/").contains("/node_modules/") {
        return None;
    }
    Some((path, captures[2].parse().ok()?))
}

/// `SyntaxError: …`, `ReferenceError: …`, `TypeError [ERR_X]: …`: the error Node printed.
fn is_error_line(text: &str) -> bool {
    static ERROR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^[A-Z]\w*Error(?: \[\w+\])?: ").expect("valid"));
    ERROR.is_match(text.trim_start())
}

/// The tool whose package the stack runs through.
fn loader_of(stack: &[Line<'_>]) -> Option<ToolId> {
    stack
        .iter()
        .take(LOADER_FRAMES)
        .map(|line| line.text.trim_start())
        .take_while(|text| text.starts_with("at "))
        .find_map(|text| {
            let text = text.replace('\\', "/");
            LOADERS
                .iter()
                .find(|(package, _)| text.contains(&format!("/node_modules/{package}/")))
                .map(|(_, tool)| *tool)
        })
}

/// The tool whose own failure line comes just before the header (TypeORM's `Error during
/// migration run:`, knex's `migration file "…" failed`, sequelize-cli's `== x: migrating`).
fn announced_by(before: &[Line<'_>]) -> Option<ToolId> {
    before.iter().rev().find_map(|line| {
        let text = line.text.trim();
        if text.starts_with("Error during migration run") {
            Some(ToolId::Typeorm)
        } else if text.contains("migration file \"") && text.ends_with("failed") {
            Some(ToolId::Knex)
        } else if text.starts_with("== ") && text.contains(": migrating") {
            Some(ToolId::Sequelize)
        } else {
            None
        }
    })
}

/// A migration's file: in a directory whose name starts `migrat` (`migrations`, `db/migrate`),
/// or named with a leading version (`20240101120000_add_email.js`, `1700000000000-AddEmail.ts`).
fn is_migration_file(path: &str) -> bool {
    let path = path.replace('\\', "/").to_ascii_lowercase();
    let (directories, name) = path.rsplit_once('/').unwrap_or(("", &path));
    name.starts_with(|first: char| first.is_ascii_digit())
        || directories
            .split('/')
            .any(|directory| directory.starts_with("migrat"))
}
