//! The stack's PostgreSQL (tests/stack/postgres.sh): one fresh database per test, and queries
//! that check what a migration really did.

use std::process::Command;

/// A database of its own for one test, on the stack's server.
pub struct Database {
    pub name: String,
    server: String,
}

impl Database {
    /// Creates `<prefix>_<unique>`; names are lower-case letters, digits and `_`.
    pub fn create(prefix: &str) -> Self {
        let server = std::env::var("ECS_MIGRATE_TEST_PG_URL")
            .expect("ECS_MIGRATE_TEST_PG_URL (the stack's PostgreSQL; run tests/run.sh)");
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let prefix: String = prefix
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        let name = format!("{prefix}_{:x}", nanos ^ u128::from(std::process::id()));
        let database = Database { name, server };
        database.psql("postgres", &format!("CREATE DATABASE {}", database.name));
        database
    }

    /// The URL a task connects with (host networking: 127.0.0.1 is the stack's server).
    pub fn url(&self) -> String {
        format!("{}/{}?sslmode=disable", self.server, self.name)
    }

    /// The single value `sql` returns, as psql prints it unaligned.
    pub fn value(&self, sql: &str) -> String {
        self.psql(&self.name, sql)
    }

    fn psql(&self, database: &str, sql: &str) -> String {
        let output = Command::new("psql")
            .args(["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d"])
            .arg(format!("{}/{database}", self.server))
            .args(["-c", sql])
            .output()
            .expect("run psql (package postgresql-client)");
        assert!(
            output.status.success(),
            "psql {sql:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args(["-X", "-q", "-d"])
            .arg(format!("{}/postgres", self.server))
            .args([
                "-c",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            ])
            .output();
    }
}
