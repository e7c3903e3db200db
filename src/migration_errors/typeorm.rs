//! TypeORM (`typeorm migration:run`, or `migrationsRun` at start-up): 0.3 prints
//! `Migration "AddEmail1700000000000" failed, error: <database error>` and the error's stack, whose
//! `AddEmail1700000000000.up (/app/dist/migrations/1700000000000-AddEmail.js:9:9)` frame gives the
//! file and line; 0.2 prints only `Error during migration run:` and the stack. Without that frame
//! the file is taken from TypeORM's generator layout, `<timestamp>-<Name>.*`. A migration that does
//! not compile (while the data source loads) is named by Node's `<path>:<line>` header.

use std::sync::LazyLock;

use regex::Regex;

use super::js_stack::{self, Frame};
use super::{Found, Line};

const TOOL: &str = "typeorm";

/// How far after the failure line the stack is read.
const STACK_WINDOW: usize = 300;

pub(super) fn scan(lines: &[Line<'_>], found: &mut Vec<Found>) {
    static FAILED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"Migration "([^"]+)" failed(?:, error: (.*))?"#).expect("valid")
    });
    let mut named_any = false;
    for (index, line) in lines.iter().enumerate() {
        if !line.text.contains("Migration \"") {
            continue;
        }
        let Some(captures) = FAILED.captures(line.text) else {
            continue;
        };
        let name = &captures[1];
        let message = captures.get(2).map_or("migration failed", |m| m.as_str());
        let frame = migration_frames(&lines[index + 1..]).find(|frame| frame_is_of(frame, name));
        let finding = match frame {
            Some(frame) => Found::new(line.at, TOOL, &frame.path, Some(frame.line), message),
            None => match generated_file_name(name) {
                Some(path) => Found::new(line.at, TOOL, &path, None, message),
                None => continue,
            },
        };
        found.push(finding);
        named_any = true;
    }
    if !named_any {
        without_failure_line(lines, found);
    }
    js_stack::load_failures(lines, TOOL, found);
}

/// 0.2 and `migrationsRun`: the failure shows only in the stack after `Error during migration
/// run:` (or an unhandled `QueryFailedError`), through a migration class's `up`/`down` frame.
fn without_failure_line(lines: &[Line<'_>], found: &mut Vec<Found>) {
    let mut index = 0;
    while index < lines.len() {
        let text = lines[index].text.trim_start();
        let starts = text.starts_with("Error during migration run")
            || text.starts_with("QueryFailedError:")
            || text.starts_with("{ QueryFailedError:");
        if !starts {
            index += 1;
            continue;
        }
        let rest = &lines[index + 1..];
        if let Some(frame) = migration_frames(rest).find(is_migration_class) {
            let message = error_line(&lines[index..]).unwrap_or("migration failed");
            found.push(Found::new(
                lines[index].at,
                TOOL,
                &frame.path,
                Some(frame.line),
                message,
            ));
            return;
        }
        index += 1;
    }
}

fn migration_frames<'a>(lines: &'a [Line<'_>]) -> impl Iterator<Item = Frame> + 'a {
    lines
        .iter()
        .take(STACK_WINDOW)
        .filter_map(|line| js_stack::frame(line.text))
}

/// `AddEmail1700000000000.up` for the migration `AddEmail1700000000000`.
fn frame_is_of(frame: &Frame, name: &str) -> bool {
    frame
        .function
        .strip_prefix(name)
        .is_some_and(|rest| matches!(rest, ".up" | ".down"))
}

/// A migration class's `up`/`down`: a class name that ends in a (millisecond) timestamp.
fn is_migration_class(frame: &Frame) -> bool {
    let Some((class, method)) = frame.function.rsplit_once('.') else {
        return false;
    };
    let digits = class.bytes().rev().take_while(u8::is_ascii_digit).count();
    matches!(method, "up" | "down") && digits >= 10 && class.len() > digits
}

/// `AddEmail1700000000000` → `1700000000000-AddEmail.*`, the name `typeorm migration:create`
/// and `migration:generate` give the file.
fn generated_file_name(name: &str) -> Option<String> {
    let digits = name.bytes().rev().take_while(u8::is_ascii_digit).count();
    if digits < 10 || digits == name.len() {
        return None;
    }
    let (class, timestamp) = name.split_at(name.len() - digits);
    Some(format!("{timestamp}-{class}.*"))
}

/// The error's first line: the text after `Error during migration run:` or the error itself.
fn error_line<'a>(lines: &[Line<'a>]) -> Option<&'a str> {
    lines
        .iter()
        .take(10)
        .map(|line| line.text.trim())
        .map(|text| {
            text.strip_prefix("Error during migration run:")
                .unwrap_or(text)
        })
        .map(str::trim)
        .find(|text| !text.is_empty())
}
