//! Real tools: knex, sequelize-cli, TypeORM and dbmate (the node image) and sqlx-cli (the
//! compiled image), each a small app in tests/apps/<tool> whose broken migration fails the way
//! a person would see it: the expected file and line are what the tool's own output names.

use super::{ToolApp, exercise};

/// The columns of `widgets` in order, and how many indexes are on its `name`: what the two
/// good migrations of every app here create.
const WIDGETS_COLUMNS: &str = "select string_agg(column_name, ',' order by ordinal_position) \
     || ' idx=' || (select count(*) from pg_indexes \
                    where tablename = 'widgets' and indexdef like '%(name)') \
     from information_schema.columns where table_name = 'widgets'";

#[test]
fn knex_applies_reruns_and_names_the_broken_migration() {
    exercise(&ToolApp {
        app: "knex",
        image_env: "ECS_MIGRATE_TEST_IMAGE_NODE",
        applied: &["Batch 1 run: 2 migrations"],
        check_sql: (
            WIDGETS_COLUMNS,
            "id,name,created_at,updated_at,price_cents idx=1",
        ),
        // knex prints `migration file "20240103120000_backfill_widget_prices.js" failed`,
        // relative to the knexfile's migrations directory; the SQL error has no line.
        failed_file: "migrations/20240103120000_backfill_widget_prices.js",
        failed_line: None,
        migrations: &[
            "20240101120000_create_widgets.js",
            "20240102120000_add_price_to_widgets.js",
        ],
    });
}

#[test]
fn sequelize_applies_reruns_and_names_the_broken_migration() {
    exercise(&ToolApp {
        app: "sequelize",
        image_env: "ECS_MIGRATE_TEST_IMAGE_NODE",
        applied: &[
            "== 20240101120000-create-widgets: migrated",
            "== 20240102120000-add-price-to-widgets: migrated",
        ],
        check_sql: (
            WIDGETS_COLUMNS,
            "id,name,created_at,updated_at,price_cents idx=1",
        ),
        // `== 20240103120000-backfill-widget-prices: migrating =======` left unfinished, then
        // `ERROR: column "list_price" does not exist`: no line.
        failed_file: "migrations/20240103120000-backfill-widget-prices.js",
        failed_line: None,
        migrations: &[
            "20240101120000-create-widgets",
            "20240102120000-add-price-to-widgets",
        ],
    });
}

#[test]
fn typeorm_applies_reruns_and_names_the_broken_migration() {
    exercise(&ToolApp {
        app: "typeorm",
        image_env: "ECS_MIGRATE_TEST_IMAGE_NODE",
        applied: &[
            "Migration CreateWidgets1704110400000 has been  executed successfully.",
            "Migration AddPriceToWidgets1704196800000 has been  executed successfully.",
        ],
        check_sql: (WIDGETS_COLUMNS, "id,name,created_at,price_cents idx=1"),
        // The QueryFailedError's stack: `at async BackfillWidgetPrices1704283200000.up
        // (/app/migrations/1704283200000-BackfillWidgetPrices.js:6:5)`.
        failed_file: "migrations/1704283200000-BackfillWidgetPrices.js",
        failed_line: Some(6),
        migrations: &[
            "CreateWidgets1704110400000",
            "AddPriceToWidgets1704196800000",
        ],
    });
}

#[test]
fn dbmate_applies_reruns_and_names_the_broken_migration() {
    exercise(&ToolApp {
        app: "dbmate",
        image_env: "ECS_MIGRATE_TEST_IMAGE_NODE",
        applied: &[
            "Applied: 20240101120000_create_widgets.sql",
            "Applied: 20240102120000_add_price_to_widgets.sql",
        ],
        check_sql: (WIDGETS_COLUMNS, "id,name,created_at,price_cents idx=1"),
        // `Applying: 20240103120000_backfill_widget_prices.sql`, then
        // `Error: line: 5, column: 8, position: 161: pq: column "list_price" does not exist`.
        failed_file: "db/migrations/20240103120000_backfill_widget_prices.sql",
        failed_line: Some(5),
        migrations: &[
            "20240101120000_create_widgets.sql",
            "20240102120000_add_price_to_widgets.sql",
        ],
    });
}

#[test]
fn sqlx_applies_reruns_and_names_the_broken_migration() {
    exercise(&ToolApp {
        app: "sqlx",
        image_env: "ECS_MIGRATE_TEST_IMAGE_COMPILED",
        applied: &[
            "Applied 20240101120000/migrate create widgets",
            "Applied 20240102120000/migrate add price to widgets",
        ],
        check_sql: (WIDGETS_COLUMNS, "id,name,created_at,price_cents idx=1"),
        // `error: while executing migration 20240103120000: error returned from database:
        // column "list_price" does not exist`: the version only, no line; of the reversible
        // pair it names, the up file is the one that ran.
        failed_file: "migrations/20240103120000_backfill_widget_prices.up.sql",
        failed_line: None,
        migrations: &["20240101120000", "20240102120000"],
    });
}
