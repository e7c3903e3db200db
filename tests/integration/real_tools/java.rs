//! Liquibase (4.28.0, the CLI distribution on OpenJDK 17) from the stack's Java image: the app's
//! `bin/migrate` turns DATABASE_URL into Liquibase's JDBC URL and credentials, and the change
//! sets live in SQL-formatted files that the master changelog picks up with `includeAll`.
//! Liquibase names the failed change set as `<changelog file>::<id>::<author>`, with no line.

use super::{ToolApp, exercise};

const WIDGET_COLUMNS: &str = "select string_agg(column_name, ',' order by column_name) \
     from information_schema.columns where table_schema = 'public' and table_name = 'widgets'";

#[test]
fn liquibase_applies_reruns_and_names_the_broken_changeset() {
    exercise(&ToolApp {
        app: "liquibase",
        image_env: "ECS_MIGRATE_TEST_IMAGE_JAVA",
        applied: &[
            "Running Changeset: db/changelog/changes/001-create-widgets.sql::create-widgets::maria.keller",
            "Running Changeset: db/changelog/changes/002-add-price-to-widgets.sql::add-widget-price-cents::maria.keller",
            "Running Changeset: db/changelog/changes/002-add-price-to-widgets.sql::index-widget-name::maria.keller",
            "Liquibase command 'update' was executed successfully.",
        ],
        check_sql: (WIDGET_COLUMNS, "id,name,price_cents"),
        failed_file: "db/changelog/changes/003-backfill-widget-prices.sql",
        failed_line: None,
        // Change sets as Liquibase names them: `<changelog file>::<id>::<author>`.
        migrations: &[
            "db/changelog/changes/001-create-widgets.sql::create-widgets::maria.keller",
            "db/changelog/changes/002-add-price-to-widgets.sql::add-widget-price-cents::maria.keller",
            "db/changelog/changes/002-add-price-to-widgets.sql::index-widget-name::maria.keller",
        ],
    });
}
