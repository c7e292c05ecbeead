//! PostgreSQL for tests and benches: the machine's server
//! (`scripts/setup.sh postgres`), a schema of one's own in database `test`.

use crate::http::rt;

/// Where the tests' PostgreSQL listens.
pub const PG: &str = "127.0.0.1:5432";
/// How tests connect to it themselves (trust auth on loopback).
pub const ADMIN_URI: &str = "host=127.0.0.1 port=5432 user=postgres dbname=test";

/// A fresh schema; dropped with everything in it when the guard goes.
pub struct Schema(pub String);

impl Schema {
    /// Creates it.
    pub fn new() -> Schema {
        let name: String = weld_test_support::unique_name("todo")
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        sql(&format!("CREATE SCHEMA {name}"));
        Schema(name)
    }

    /// The link's URI: database `test`, this schema first on the path.
    pub fn uri(&self) -> String {
        format!(
            "postgres://postgres@127.0.0.1:5432/test?options=-c%20search_path%3D{}",
            self.0
        )
    }

    /// (title, done) of every row of its `todos`, by id.
    pub fn rows(&self) -> Vec<(String, bool)> {
        rt().block_on(async {
            let (client, conn) = tokio_postgres::connect(ADMIN_URI, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            client
                .query(
                    &format!("SELECT title, done FROM {}.todos ORDER BY id", self.0),
                    &[],
                )
                .await
                .unwrap()
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect()
        })
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        sql(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.0));
    }
}

/// Runs `statement` (one or more, no results) as the admin.
pub fn sql(statement: &str) {
    rt().block_on(async {
        let (client, conn) = tokio_postgres::connect(ADMIN_URI, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client.batch_execute(statement).await.unwrap();
    })
}
