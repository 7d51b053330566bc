//! Who a request is for. Every engine entry point takes a tenant, so multi-tenant hosting
//! adds policy (quotas, isolation of models) rather than plumbing.

use crate::EngineError;

/// A tenant: a Telegram user, an API key, or the local user of the CLI.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tenant {
    id: String,
}

impl Tenant {
    /// The tenant of the command line.
    pub fn local() -> Self {
        Tenant { id: "local".into() }
    }

    /// A tenant id is 1–64 characters of `[A-Za-z0-9_.-]`, so it is safe in file names and
    /// keys; it never comes from free user text unchecked.
    pub fn new(id: &str) -> Result<Self, EngineError> {
        let ok = !id.is_empty()
            && id.len() <= 64
            && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            && !id.starts_with('.');
        if ok {
            Ok(Tenant { id: id.to_string() })
        } else {
            Err(EngineError::InvalidTenant(id.chars().take(80).collect()))
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids_are_checked() {
        assert!(Tenant::new("tg-12345").is_ok());
        assert!(Tenant::new("../etc").is_err());
        assert!(Tenant::new("").is_err());
        assert!(Tenant::new(&"a".repeat(65)).is_err());
    }
}
