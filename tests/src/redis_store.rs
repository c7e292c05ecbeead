//! Direct access to the Redis server the tests use, to read what a host
//! stored and to delete the keys a test created.

use std::time::Duration;

/// The Redis server for tests: `WELD_TEST_REDIS_URL`, else the local one.
pub fn redis_url() -> String {
    std::env::var("WELD_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into())
}

/// `host:port` of [`redis_url`], for [`crate::require_service`].
pub fn redis_addr() -> String {
    let url = redis_url();
    let rest = url.split("://").nth(1).unwrap_or("127.0.0.1:6379");
    let hostport = rest.split('/').next().unwrap_or("127.0.0.1:6379");
    let hostport = hostport.rsplit('@').next().unwrap_or(hostport);
    if hostport.contains(':') {
        hostport.to_string()
    } else {
        format!("{hostport}:6379")
    }
}

/// True when Redis is reachable (skip otherwise; a failure under CI).
pub fn require_redis() -> bool {
    crate::require_service("Redis", &redis_addr())
}

fn connection() -> redis::Connection {
    let client = redis::Client::open(redis_url()).expect("valid Redis URL");
    client
        .get_connection_with_timeout(Duration::from_secs(5))
        .expect("connect to Redis")
}

/// The integer stored at `key` (`None` when it does not exist).
pub fn get_int(key: &str) -> Option<i64> {
    redis::cmd("GET")
        .arg(key)
        .query::<Option<i64>>(&mut connection())
        .expect("Redis GET")
}

/// Deletes keys when dropped, so a test leaves nothing behind even when
/// it fails.
#[derive(Debug, Default)]
pub struct Cleanup {
    keys: Vec<String>,
}

impl Cleanup {
    /// Deletes `key` now (a leftover from an earlier run) and on drop.
    pub fn key(&mut self, key: impl Into<String>) -> &mut Self {
        let key = key.into();
        let _: Result<i64, _> = redis::cmd("DEL").arg(&key).query(&mut connection());
        self.keys.push(key);
        self
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if self.keys.is_empty() {
            return;
        }
        if let Ok(client) = redis::Client::open(redis_url()) {
            if let Ok(mut c) = client.get_connection_with_timeout(Duration::from_secs(5)) {
                let _: Result<i64, _> = redis::cmd("DEL").arg(&self.keys).query(&mut c);
            }
        }
    }
}
