//! The link table: which actor may use which provider, under which link name,
//! with which settings. Keyed by (actor id, contract id, link name).

use std::collections::BTreeMap;
use std::sync::RwLock;

use crate::types::LinkDefinition;

/// Key of a link definition.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LinkKey {
    /// Actor id.
    pub actor_id: String,
    /// Contract id.
    pub contract_id: String,
    /// Link name.
    pub link_name: String,
}

impl LinkKey {
    /// The key of `ld`.
    pub fn of(ld: &LinkDefinition) -> Self {
        LinkKey {
            actor_id: ld.actor_id.clone(),
            contract_id: ld.contract_id.clone(),
            link_name: ld.link_name.clone(),
        }
    }
}

/// Thread-safe link table. Lookups are on the hot path of every provider
/// call, so it is a plain `RwLock` read, never held across an await.
#[derive(Debug, Default)]
pub struct LinkTable {
    links: RwLock<BTreeMap<LinkKey, LinkDefinition>>,
}

impl LinkTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Inserts or replaces a link; returns the one it replaced.
    pub fn put(&self, ld: LinkDefinition) -> Option<LinkDefinition> {
        self.links
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(LinkKey::of(&ld), ld)
    }

    /// Removes a link; returns it if it existed.
    pub fn delete(
        &self,
        actor_id: &str,
        contract_id: &str,
        link_name: &str,
    ) -> Option<LinkDefinition> {
        let key = LinkKey {
            actor_id: actor_id.to_string(),
            contract_id: contract_id.to_string(),
            link_name: link_name.to_string(),
        };
        self.links
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&key)
    }

    /// Looks a link up.
    pub fn get(
        &self,
        actor_id: &str,
        contract_id: &str,
        link_name: &str,
    ) -> Option<LinkDefinition> {
        let links = self.links.read().unwrap_or_else(|p| p.into_inner());
        // BTreeMap lookups need an owned key; a linear scan would be O(n).
        let key = LinkKey {
            actor_id: actor_id.to_string(),
            contract_id: contract_id.to_string(),
            link_name: link_name.to_string(),
        };
        links.get(&key).cloned()
    }

    /// True when the link exists.
    pub fn contains(&self, actor_id: &str, contract_id: &str, link_name: &str) -> bool {
        self.get(actor_id, contract_id, link_name).is_some()
    }

    /// All links, ordered by key.
    pub fn list(&self) -> Vec<LinkDefinition> {
        self.links
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// The links naming provider `provider_id`.
    pub fn for_provider(&self, provider_id: &str) -> Vec<LinkDefinition> {
        self.links
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .filter(|l| l.provider_id == provider_id)
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ld(actor: &str, contract: &str, name: &str, provider: &str) -> LinkDefinition {
        LinkDefinition {
            actor_id: actor.into(),
            provider_id: provider.into(),
            link_name: name.into(),
            contract_id: contract.into(),
            values: Default::default(),
        }
    }

    #[test]
    fn put_get_replace_delete() {
        let t = LinkTable::new();
        assert!(t
            .put(ld("a", "wasmcloud:keyvalue", "default", "p1"))
            .is_none());
        assert_eq!(
            t.get("a", "wasmcloud:keyvalue", "default")
                .unwrap()
                .provider_id,
            "p1"
        );
        assert!(t.get("a", "wasmcloud:keyvalue", "other").is_none());
        assert!(t.get("b", "wasmcloud:keyvalue", "default").is_none());
        let old = t
            .put(ld("a", "wasmcloud:keyvalue", "default", "p2"))
            .unwrap();
        assert_eq!(old.provider_id, "p1");
        t.put(ld("a", "wasmcloud:httpserver", "default", "p3"));
        assert_eq!(t.list().len(), 2);
        assert_eq!(t.for_provider("p2").len(), 1);
        assert_eq!(
            t.delete("a", "wasmcloud:keyvalue", "default")
                .unwrap()
                .provider_id,
            "p2"
        );
        assert!(t.delete("a", "wasmcloud:keyvalue", "default").is_none());
        assert!(!t.contains("a", "wasmcloud:keyvalue", "default"));
    }
}
