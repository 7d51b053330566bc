//! Conversation state per tenant in SQLite, so a restart resumes every conversation where
//! it was. Each state change is one transaction; sessions idle longer than the TTL are
//! removed by [`SessionStore::cleanup`].

use std::path::Path;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Serialize, de::DeserializeOwned};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("The conversation database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("A stored conversation state is unreadable ({0}); it was reset")]
    Corrupt(String),
}

pub struct SessionStore {
    conn: Mutex<Connection>,
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

impl SessionStore {
    /// Opens (creating) the database file; WAL mode so readers never block the writer.
    pub fn open(path: &Path) -> Result<SessionStore, StoreError> {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS sessions (
                tenant TEXT PRIMARY KEY,
                state TEXT NOT NULL,
                updated_at INTEGER NOT NULL
            );",
        )?;
        Ok(SessionStore { conn: Mutex::new(conn) })
    }

    /// An in-memory store (tests, and when no data directory exists).
    pub fn in_memory() -> Result<SessionStore, StoreError> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch(
            "CREATE TABLE sessions (tenant TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at INTEGER NOT NULL);",
        )?;
        Ok(SessionStore { conn: Mutex::new(conn) })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The tenant's state, or `None` for a new conversation.
    pub fn load<S: DeserializeOwned>(&self, tenant: &str) -> Result<Option<S>, StoreError> {
        let text: Option<String> = self
            .conn()
            .query_row("SELECT state FROM sessions WHERE tenant = ?1", params![tenant], |r| r.get(0))
            .optional()?;
        match text {
            None => Ok(None),
            Some(t) => serde_json::from_str(&t).map(Some).map_err(|e| StoreError::Corrupt(e.to_string())),
        }
    }

    /// Replaces the tenant's state in one transaction.
    pub fn save<S: Serialize>(&self, tenant: &str, state: &S) -> Result<(), StoreError> {
        let text = serde_json::to_string(state).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO sessions (tenant, state, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(tenant) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            params![tenant, text, now()],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn remove(&self, tenant: &str) -> Result<(), StoreError> {
        self.conn().execute("DELETE FROM sessions WHERE tenant = ?1", params![tenant])?;
        Ok(())
    }

    /// Removes sessions idle for more than `ttl_secs`; returns how many.
    pub fn cleanup(&self, ttl_secs: u64) -> Result<usize, StoreError> {
        let cutoff = now() - ttl_secs as i64;
        Ok(self.conn().execute("DELETE FROM sessions WHERE updated_at < ?1", params![cutoff])?)
    }

    pub fn count(&self) -> Result<usize, StoreError> {
        Ok(self.conn().query_row("SELECT COUNT(*) FROM sessions", [], |r| r.get::<_, i64>(0))? as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum State {
        Idle,
        Wizard { step: u32, target: Option<String> },
    }

    #[test]
    fn states_survive_reopening_and_tenants_are_separate() {
        let dir = std::env::temp_dir().join(format!("statbox-sessions-{}", std::process::id()));
        let path = dir.join("sessions.sqlite");
        {
            let s = SessionStore::open(&path).unwrap();
            s.save("alice", &State::Wizard { step: 3, target: Some("price".into()) }).unwrap();
            s.save("bob", &State::Idle).unwrap();
        }
        let s = SessionStore::open(&path).unwrap();
        assert_eq!(s.load::<State>("alice").unwrap(), Some(State::Wizard { step: 3, target: Some("price".into()) }));
        assert_eq!(s.load::<State>("bob").unwrap(), Some(State::Idle));
        assert_eq!(s.load::<State>("carol").unwrap(), None);
        assert_eq!(s.cleanup(3600).unwrap(), 0);
        assert_eq!(s.cleanup(0).unwrap(), 0, "updated this second, not older than 0 s");
        s.remove("bob").unwrap();
        assert_eq!(s.count().unwrap(), 1);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_corrupt_state_is_reported() {
        let s = SessionStore::in_memory().unwrap();
        s.conn().execute("INSERT INTO sessions VALUES ('x', 'not json', 0)", []).unwrap();
        assert!(matches!(s.load::<State>("x"), Err(StoreError::Corrupt(_))));
        assert_eq!(s.cleanup(10).unwrap(), 1, "updated_at 0 is long past");
    }
}
