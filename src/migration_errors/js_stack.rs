//! Node.js stack frames, shared by the JavaScript tools (knex, Sequelize/Umzug, TypeORM): the
//! frame inside the migration file gives its full path and the line.

use std::sync::LazyLock;

use regex::Regex;

use super::Line;

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
