//! [`ClaimsPolicy`]: the router's capability checks, from verified claims.
//!
//! Rules (wasmCloud 0.x): an actor may call a provider or a builtin only if
//! its `caps` list the contract id (the router also requires a link for
//! providers), and may receive a call from a provider only if its `caps` list
//! that provider's contract id. An actor the policy was never told about is
//! refused everything: the policy fails closed.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::SystemTime;

use super::{verify, Claims, ClaimsError};
use crate::router::Policy;

/// The refusal text for a missing capability claim (upstream's wording).
pub fn missing_claim_message(contract_id: &str) -> String {
    format!("Invocation not authorized: missing capability claim for {contract_id}")
}

/// What an actor is allowed.
#[derive(Debug, Clone)]
enum Grant {
    /// Verified claims: exactly their `caps`.
    Signed(Box<Claims>),
    /// An unsigned actor on a host with `allow_unsigned`: everything.
    Unsigned,
}

/// The result of admitting a module: the identity it runs under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdmittedActor {
    /// The actor id: the claims subject (`M...`), or the fallback id for an
    /// unsigned actor admitted under `allow_unsigned`.
    pub id: String,
    /// The verified claims (`None` for an unsigned actor).
    pub claims: Option<Claims>,
}

impl AdmittedActor {
    /// The call alias from the claims, for actor-to-actor calls.
    pub fn call_alias(&self) -> Option<&str> {
        self.claims.as_ref()?.wascap.call_alias.as_deref()
    }

    /// The claimed capabilities (`None` when unsigned: everything allowed).
    pub fn caps(&self) -> Option<&[String]> {
        self.claims.as_ref().map(|c| c.caps())
    }
}

/// Capability policy backed by each actor's verified claims.
#[derive(Debug)]
pub struct ClaimsPolicy {
    allow_unsigned: bool,
    grants: RwLock<HashMap<String, Grant>>,
}

impl Default for ClaimsPolicy {
    fn default() -> Self {
        Self::enforcing()
    }
}

impl ClaimsPolicy {
    /// The production policy: every actor must carry valid claims.
    pub fn enforcing() -> ClaimsPolicy {
        ClaimsPolicy {
            allow_unsigned: false,
            grants: RwLock::default(),
        }
    }

    /// DEVELOPMENT ONLY: unsigned actors are admitted with every
    /// capability. Signed actors are still verified and held to their caps,
    /// and a module with invalid claims is still refused.
    pub fn allow_unsigned() -> ClaimsPolicy {
        ClaimsPolicy {
            allow_unsigned: true,
            grants: RwLock::default(),
        }
    }

    /// True when unsigned actors are admitted.
    pub fn allows_unsigned(&self) -> bool {
        self.allow_unsigned
    }

    /// Verifies `module` now and says which id it runs under. An unsigned
    /// module is refused ([`ClaimsError::Unsigned`]) unless this policy
    /// allows unsigned actors, in which case it gets `fallback_id`. Does not
    /// grant anything yet: call [`ClaimsPolicy::grant`].
    pub fn admit(&self, module: &[u8], fallback_id: &str) -> Result<AdmittedActor, ClaimsError> {
        self.admit_at(module, fallback_id, SystemTime::now())
    }

    /// [`ClaimsPolicy::admit`] at time `now`.
    pub fn admit_at(
        &self,
        module: &[u8],
        fallback_id: &str,
        now: SystemTime,
    ) -> Result<AdmittedActor, ClaimsError> {
        match verify(module, now) {
            Ok(claims) => Ok(AdmittedActor {
                id: claims.subject.clone(),
                claims: Some(claims),
            }),
            Err(ClaimsError::Unsigned) if self.allow_unsigned => {
                tracing::warn!(
                    actor = fallback_id,
                    "running an UNSIGNED actor with every capability (allow_unsigned is a development setting)"
                );
                Ok(AdmittedActor {
                    id: fallback_id.to_string(),
                    claims: None,
                })
            }
            Err(e) => Err(e),
        }
    }

    /// Grants an admitted actor its capabilities (replacing earlier grants
    /// for the same id).
    pub fn grant(&self, actor: &AdmittedActor) {
        let grant = match &actor.claims {
            Some(c) => Grant::Signed(Box::new(c.clone())),
            None => Grant::Unsigned,
        };
        self.grants
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(actor.id.clone(), grant);
    }

    /// Removes an actor's grants (it stopped or failed to start).
    pub fn revoke(&self, actor_id: &str) {
        self.grants
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(actor_id);
    }

    /// The verified claims of a granted actor.
    pub fn claims(&self, actor_id: &str) -> Option<Claims> {
        match self
            .grants
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(actor_id)
        {
            Some(Grant::Signed(c)) => Some((**c).clone()),
            _ => None,
        }
    }

    /// The decision for `actor_id` using `contract_id`, with the refusal
    /// text when refused.
    pub fn check(&self, actor_id: &str, contract_id: &str) -> Result<(), String> {
        let allowed = match self
            .grants
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(actor_id)
        {
            Some(Grant::Signed(c)) => c.wascap.has_capability(contract_id),
            Some(Grant::Unsigned) => true,
            None => false,
        };
        if allowed {
            Ok(())
        } else {
            Err(missing_claim_message(contract_id))
        }
    }
}

/// The router admits, grants and revokes through this (see
/// [`crate::router::Router::start_actor`], the one way to start an actor).
impl Policy for ClaimsPolicy {
    fn admit_actor(&self, wasm: &[u8], fallback_id: &str) -> Result<AdmittedActor, ClaimsError> {
        self.admit(wasm, fallback_id)
    }

    fn grant(&self, actor: &AdmittedActor) {
        ClaimsPolicy::grant(self, actor)
    }

    fn revoke(&self, actor_id: &str) {
        ClaimsPolicy::revoke(self, actor_id)
    }

    fn actor_may_call(&self, actor_id: &str, contract_id: &str) -> bool {
        self.check(actor_id, contract_id).is_ok()
    }

    fn actor_may_receive(&self, actor_id: &str, contract_id: &str) -> bool {
        self.check(actor_id, contract_id).is_ok()
    }

    fn claims(&self, actor_id: &str) -> Option<crate::claims::jwt::Claims> {
        ClaimsPolicy::claims(self, actor_id)
    }
}
