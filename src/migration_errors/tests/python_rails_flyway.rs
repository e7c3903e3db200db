//! Rails, Alembic, Django and Flyway.

use super::*;

// internetee/registry#210: `rake db:migrate` on Rails 4, the header, the database error and the
// backtrace frame in the migration file (an absolute container path).
const RAILS_FAILED: &str = "== 20161004101419 AdduuidIndexToEppLogs: migrating ============================
rake aborted!
StandardError: An error has occurred, this and all later migrations canceled:

PG::UndefinedColumn: ERROR:  column \"uuid\" does not exist
: CREATE INDEX CONCURRENTLY epp_logs_uuid  ON epp_logs  USING btree (uuid);/media/sf_registry/db/migrate/20161004101419_adduuid_index_to_epp_logs.rb:3:in `change'
/home/artur/.rbenv/versions/2.2.2/bin/bundle:23:in `load'
/home/artur/.rbenv/versions/2.2.2/bin/bundle:23:in `<main>'
ActiveRecord::StatementInvalid: PG::UndefinedColumn: ERROR:  column \"uuid\" does not exist
/media/sf_registry/db/migrate/20161004101419_adduuid_index_to_epp_logs.rb:3:in `change'
Tasks: TOP => db:migrate
(See full trace by running task with --trace)";

#[test]
fn rails_takes_the_backtrace_frame_in_db_migrate_and_maps_it() {
    assert_eq!(
        scan_with(&[("/media/sf_registry", ".")], RAILS_FAILED),
        vec![error(
            "rails",
            "db/migrate/20161004101419_adduuid_index_to_epp_logs.rb",
            Some(3),
            "PG::UndefinedColumn: ERROR:  column \"uuid\" does not exist"
        )]
    );
}

#[test]
fn older_rails_wording_and_relative_frames_are_recognised_too() {
    // ncbo/bioportal_web_ui#191: "all later migrations canceled" and a relative frame.
    let log = "== 2 CreateMappings: migrating ==============================\n\
               rake aborted!\n\
               StandardError: An error has occurred, all later migrations canceled:\n\
               \n\
               you can't define an already defined column 'source_ont'.\n\
               db/migrate/002_create_mappings.rb:5:in `block in up'";
    assert_eq!(
        scan(log),
        vec![error(
            "rails",
            "db/migrate/002_create_mappings.rb",
            Some(5),
            "you can't define an already defined column 'source_ont'."
        )]
    );
}

#[test]
fn rails_without_a_backtrace_frame_names_the_version_it_was_migrating() {
    // zendesk/samson#1820's migration line; the trace here holds only gem frames.
    let log = "== 20160901175936 Prevent3StateBooleans: migrating ============================\n\
               rake aborted!\n\
               StandardError: An error has occurred, this and all later migrations canceled:\n\
               \n\
               PG::UndefinedColumn: ERROR:  column stages.comment_on_zendesk_tickets does not exist\n\
               /usr/local/bundle/gems/activerecord-5.0.1/lib/active_record/migration.rb:598:in \
               `async_exec'";
    let found = scan(log);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].path, "db/migrate/20160901175936_*.rb");
    assert_eq!(found[0].line, None);
}

// jamesmeneghello/pynab#208: Alembic's "Running upgrade" log line, then the traceback; its
// upgrade() frame is in the revision file under versions/ (the issue's trace is cut before it,
// so that frame is written the way Python prints every frame).
const ALEMBIC_FAILED: &str = r#"INFO  [alembic.migration] Context impl PostgresqlImpl.
INFO  [alembic.migration] Will assume transactional DDL.
INFO  [alembic.migration] Running upgrade 54672c4d904 -> 41996f6d756, change uniques to sha1 keys
Traceback (most recent call last):
  File "/usr/local/bin/alembic", line 9, in <module>
    load_entry_point('alembic==0.7.6', 'console_scripts', 'alembic')()
  File "/usr/local/lib/python3.4/dist-packages/alembic/config.py", line 439, in main
    CommandLine(prog=prog).main(argv=argv)
  File "/usr/local/lib/python3.4/dist-packages/alembic/script.py", line 397, in run_env
    util.load_python_file(self.dir, 'env.py')
  File "/opt/pynab/alembic/versions/41996f6d756_change_uniques_to_sha1_keys.py", line 31, in upgrade
    release.uniqhash = hashlib.sha1(r.uniqhash.encode()).hexdigest()
AttributeError: 'result' object has no attribute 'uniqhash'"#;

#[test]
fn alembic_takes_the_frame_in_the_revision_file() {
    assert_eq!(
        scan_with(&[("/opt/pynab", ".")], ALEMBIC_FAILED),
        vec![error(
            "alembic",
            "alembic/versions/41996f6d756_change_uniques_to_sha1_keys.py",
            Some(31),
            "AttributeError: 'result' object has no attribute 'uniqhash'"
        )]
    );
}

// allegro/ralph#2750: "Applying <app>.<migration>..." with the traceback on the same line; the
// failing SQL ran in Django's own code, so no frame is in the migration file.
const DJANGO_SCHEMA_FAILED: &str = r#"Running migrations:
  Applying assets.0019_auto_20160719_1443... OK
  Applying assets.0020_auto_20160803_0712...Traceback (most recent call last):
  File "/usr/local/lib/python3.5/site-packages/django/db/backends/utils.py", line 64, in execute
    return self.cursor.execute(sql, params)
  File "/usr/local/lib/python3.5/site-packages/MySQLdb/connections.py", line 280, in query
    _mysql.connection.query(self, query)
_mysql_exceptions.ProgrammingError: (1146, "Table 'ralph_3.django_content_type' doesn't exist")

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/usr/local/lib/python3.5/site-packages/django/db/backends/utils.py", line 64, in execute
    return self.cursor.execute(sql, params)
django.db.utils.ProgrammingError: (1146, "Table 'ralph_3.django_content_type' doesn't exist")"#;

#[test]
fn django_names_the_migration_it_was_applying() {
    assert_eq!(
        scan(DJANGO_SCHEMA_FAILED),
        vec![error(
            "django",
            "assets/migrations/0020_auto_20160803_0712.py",
            None,
            "django.db.utils.ProgrammingError: (1146, \"Table 'ralph_3.django_content_type' \
             doesn't exist\")"
        )]
    );
}

#[test]
fn django_run_python_failures_point_at_the_line_even_when_applying_comes_last() {
    // django-cms/django-cms#4390: a RunPython migration raising; here the unterminated
    // "Applying …" line reaches the log only when the task exits, after the traceback.
    let log = r#"Traceback (most recent call last):
  File "/app/manage.py", line 22, in <module>
    execute_from_command_line(sys.argv)
  File "/app/cms/migrations/0010_migrate_use_structure.py", line 14, in forwards
    ph_ctype = ContentType.objects.get_for_model(ph_model)
RuntimeError: Error creating new content types. Please make sure contenttypes is migrated before trying to migrate apps individually.
  Applying cms.0010_migrate_use_structure..."#;
    assert_eq!(
        scan_with(&[("/app", ".")], log),
        vec![error(
            "django",
            "cms/migrations/0010_migrate_use_structure.py",
            Some(14),
            "RuntimeError: Error creating new content types. Please make sure contenttypes is \
             migrated before trying to migrate apps individually."
        )]
    );
}

// flyway/flyway#3145: the block Flyway prints for a failed SQL migration.
const FLYWAY_FAILED: &str = r#"ERROR: Migration V5.0__create_test_table.sql failed
---------------------------------------------
SQL State  : 42601
Error Code : 0
Message    : ERROR: syntax error at end of input
Location   : migrations/db2/V5.0__create_test_table.sql (/flyway/sql/migrations/db2/V5.0__create_test_table.sql)
Line       : 1
Statement  : CREATE TABLE "SOMETABLE" (
    "ID" CHAR(36) NOT NULL,
    "VALUE" CLOB(10240);"#;

#[test]
fn flyway_maps_the_absolute_location_and_keeps_the_line() {
    assert_eq!(
        scan_with(&[("/flyway/sql", "db")], FLYWAY_FAILED),
        vec![error(
            "flyway",
            "db/migrations/db2/V5.0__create_test_table.sql",
            Some(1),
            "ERROR: syntax error at end of input"
        )]
    );
}

#[test]
fn successful_runs_of_these_tools_report_nothing() {
    let rails = "== 20240101120000 AddEmailToUsers: migrating =====\n\
                 -- add_column(:users, :email, :string)\n   -> 0.0049s\n\
                 == 20240101120000 AddEmailToUsers: migrated (0.0087s) =====";
    let alembic = "INFO  [alembic.runtime.migration] Running upgrade  -> 1a2b3c4d5e6f, create \
                   users\nINFO  [alembic.runtime.migration] Running upgrade 1a2b3c4d5e6f -> \
                   2b3c4d5e6f7a, add email";
    let django = "Running migrations:\n  Applying contenttypes.0001_initial... OK\n  \
                  Applying auth.0001_initial... OK";
    let flyway = "Migrating schema \"public\" to version \"2 - add email\"\n\
                  Successfully applied 2 migrations to schema \"public\", now at version v2 \
                  (execution time 00:00.034s)";
    for log in [rails, alembic, django, flyway] {
        assert_eq!(scan(log), vec![], "for {log}");
    }
}

#[test]
fn a_traceback_outside_any_migration_is_not_blamed_on_one() {
    let log = "  Applying auth.0001_initial... OK\nTraceback (most recent call last):\n  \
               File \"/app/manage.py\", line 22, in <module>\nKeyError: 'DATABASE_URL'";
    assert_eq!(scan(log), vec![]);
}
