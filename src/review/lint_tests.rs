use super::*;

fn rules(findings: &[Finding]) -> Vec<(String, u32)> {
    findings.iter().map(|f| (f.rule.clone(), f.line)).collect()
}

fn has(found: &[(String, u32)], rule: &str, line: u32) -> bool {
    found.iter().any(|(r, l)| r == rule && *l == line)
}

#[test]
fn an_index_without_concurrently_is_found_at_its_line_with_the_fix() {
    let sql = "-- add an index\nALTER TABLE widgets ADD COLUMN sku text;\n\
               CREATE INDEX widgets_sku ON widgets (sku);\n";
    let findings = lint_sql(sql, &LintOptions::default());
    let index = findings
        .iter()
        .find(|f| f.rule == "require-concurrent-index-creation")
        .unwrap_or_else(|| panic!("{findings:#?}"));
    assert_eq!((index.line, index.column), (3, 1));
    let help = index.help.as_deref().unwrap_or_default();
    assert!(help.to_lowercase().contains("concurrently"), "{index:#?}");
    let concurrently = "CREATE INDEX CONCURRENTLY widgets_sku ON widgets (sku);\n";
    let found = rules(&lint_sql(concurrently, &LintOptions::default()));
    assert!(
        !has(&found, "require-concurrent-index-creation", 1),
        "{found:?}"
    );
}

#[test]
fn lock_taking_ddl_is_named_rule_by_rule() {
    let sql = "ALTER TABLE orders ADD CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id);\n\
               ALTER TABLE orders ALTER COLUMN total TYPE numeric;\n\
               ALTER TABLE orders ALTER COLUMN note SET NOT NULL;\n\
               ALTER TABLE orders RENAME COLUMN note TO notes;\n\
               ALTER TABLE orders DROP COLUMN legacy;\n";
    let found = rules(&lint_sql(sql, &LintOptions::default()));
    for expected in [
        ("constraint-missing-not-valid", 1),
        ("changing-column-type", 2),
        ("adding-not-nullable-field", 3),
        ("renaming-column", 4),
        ("ban-drop-column", 5),
    ] {
        assert!(
            has(&found, expected.0, expected.1),
            "{expected:?} not in {found:?}"
        );
    }
}

#[test]
fn an_ignore_comment_and_the_config_s_exclude_silence_their_rule() {
    let sql = "-- squawk-ignore ban-drop-column\nALTER TABLE t DROP COLUMN c;\n\
               ALTER TABLE t RENAME COLUMN a TO b;\n";
    let found = rules(&lint_sql(sql, &LintOptions::default()));
    assert!(
        !found.iter().any(|(rule, _)| rule == "ban-drop-column"),
        "{found:?}"
    );
    assert!(has(&found, "renaming-column", 3), "{found:?}");
    let options = LintOptions {
        exclude: vec!["renaming-column".into()],
        ..LintOptions::default()
    };
    let found = rules(&lint_sql(sql, &options));
    assert!(
        !found.iter().any(|(rule, _)| rule == "renaming-column"),
        "{found:?}"
    );
}

#[test]
fn sql_that_does_not_parse_is_one_finding_at_its_line() {
    let sql = "CREATE TABLE ok (id int);\n\nALTER TABLE widgets ADD COLUMN price numeric(10,;\n";
    let findings = lint_sql(sql, &LintOptions::default());
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].rule, SYNTAX_ERROR);
    assert_eq!(findings[0].line, 3, "{findings:#?}");
    assert!(findings[0].message.starts_with("this SQL does not parse: "));
}

#[test]
fn options_name_an_unknown_rule_or_version() {
    assert_eq!(check_options(&LintOptions::default()), Ok(()));
    let unknown = LintOptions {
        exclude: vec!["no-such-rule".into()],
        ..LintOptions::default()
    };
    assert!(
        check_options(&unknown)
            .unwrap_err()
            .contains("\"no-such-rule\" is not a lint rule")
    );
    let version = LintOptions {
        pg_version: "fifteen".into(),
        ..LintOptions::default()
    };
    assert!(
        check_options(&version)
            .unwrap_err()
            .contains("\"fifteen\" is not a PostgreSQL version")
    );
}

#[test]
fn positions_count_lines_and_characters_from_one() {
    let index = LineIndex::new("ab\ncé d\n\nx");
    assert_eq!(index.position(0), (1, 1));
    assert_eq!(index.position(3), (2, 1));
    assert_eq!(index.position(7), (2, 4)); // after "cé " (é is two bytes)
    assert_eq!(index.position(10), (4, 1));
    assert_eq!(index.position(99), (4, 2));
}
