//! Alembic, Django and Rails from the stack's Python and Ruby images: their real output must
//! name the broken migration's file (and line, where the tool prints one).

use super::{ToolApp, exercise};

const WIDGET_COLUMNS: &str = "select string_agg(column_name, ',' order by column_name) \
     from information_schema.columns where table_schema = 'public' and table_name = 'widgets'";

#[test]
fn alembic_applies_reruns_and_names_the_broken_revision() {
    exercise(&ToolApp {
        app: "alembic",
        image_env: "ECS_MIGRATE_TEST_IMAGE_PYTHON",
        applied: &[
            "Running upgrade  -> 0001, create widgets",
            "Running upgrade 0001 -> 0002, add price to widgets",
        ],
        check_sql: (WIDGET_COLUMNS, "id,name,price_cents"),
        failed_file: "alembic/versions/0003_backfill_widget_sku.py",
        failed_line: Some(19),
        migrations: &["0001", "0002"],
    });
}

#[test]
fn django_applies_reruns_and_names_the_broken_data_migration() {
    exercise(&ToolApp {
        app: "django",
        image_env: "ECS_MIGRATE_TEST_IMAGE_PYTHON",
        applied: &[
            "Applying inventory.0001_initial... OK",
            "Applying inventory.0002_widget_price_cents... OK",
        ],
        check_sql: (WIDGET_COLUMNS, "created_at,id,name,price_cents"),
        failed_file: "inventory/migrations/0003_backfill_widget_names.py",
        failed_line: Some(6),
        // The plan of `showmigrations --plan`: Django's own apps first.
        migrations: &[
            "contenttypes.0001_initial",
            "contenttypes.0002_remove_content_type_name",
            "auth.0001_initial",
            "auth.0002_alter_permission_name_max_length",
            "auth.0003_alter_user_email_max_length",
            "auth.0004_alter_user_username_opts",
            "auth.0005_alter_user_last_login_null",
            "auth.0006_require_contenttypes_0002",
            "auth.0007_alter_validators_add_error_messages",
            "auth.0008_alter_user_username_max_length",
            "auth.0009_alter_user_last_name_max_length",
            "auth.0010_alter_group_name_max_length",
            "auth.0011_update_proxy_permissions",
            "auth.0012_alter_user_first_name_max_length",
            "inventory.0001_initial",
            "inventory.0002_widget_price_cents",
        ],
    });
}

#[test]
fn rails_applies_reruns_and_names_the_broken_migration() {
    exercise(&ToolApp {
        app: "rails",
        image_env: "ECS_MIGRATE_TEST_IMAGE_RUBY",
        applied: &[
            "== 20240502101240 CreateWidgets: migrated",
            "== 20240509160311 AddPriceCentsToWidgets: migrated",
        ],
        check_sql: (WIDGET_COLUMNS, "created_at,id,name,price_cents,updated_at"),
        failed_file: "db/migrate/20240521094702_backfill_widget_skus.rb",
        failed_line: Some(4),
        migrations: &["20240502101240", "20240509160311"],
    });
}
