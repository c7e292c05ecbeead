//! The link table: which actor may use which provider, under which link name,
//! with which settings. Keyed by (actor id, contract id, link name).

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use crate::types::LinkDefinition;

/// Thread-safe link table. Lookups are on the hot path of every call
/// between an actor and a provider, so they allocate nothing: links are
/// grouped by actor (a `BTreeMap` looked up by `&str`), an actor has a few
/// links at most, and a found link is shared (`Arc`), not copied with its
/// values. The lock is a plain `RwLock`, never held across an await.
#[derive(Debug, Default)]
pub struct LinkTable {
    /// Actor id -> its links, ordered by (contract id, link name).
    by_actor: RwLock<BTreeMap<String, Vec<Arc<LinkDefinition>>>>,
}

fn same_key(l: &LinkDefinition, contract_id: &str, link_name: &str) -> bool {
    l.contract_id == contract_id && l.link_name == link_name
}

impl LinkTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Vec<Arc<LinkDefinition>>>> {
        self.by_actor.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, Vec<Arc<LinkDefinition>>>> {
        self.by_actor.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Inserts or replaces a link; returns the one it replaced.
    pub fn put(&self, ld: LinkDefinition) -> Option<LinkDefinition> {
        let mut table = self.write();
        let links = table.entry(ld.actor_id.clone()).or_default();
        let key = (ld.contract_id.as_str(), ld.link_name.as_str());
        match links.binary_search_by(|l| (l.contract_id.as_str(), l.link_name.as_str()).cmp(&key)) {
            Ok(i) => Some(Arc::unwrap_or_clone(std::mem::replace(
                &mut links[i],
                Arc::new(ld),
            ))),
            Err(i) => {
                links.insert(i, Arc::new(ld));
                None
            }
        }
    }

    /// Removes a link; returns it if it existed.
    pub fn delete(
        &self,
        actor_id: &str,
        contract_id: &str,
        link_name: &str,
    ) -> Option<LinkDefinition> {
        let mut table = self.write();
        let links = table.get_mut(actor_id)?;
        let i = links
            .iter()
            .position(|l| same_key(l, contract_id, link_name))?;
        let old = links.remove(i);
        if links.is_empty() {
            table.remove(actor_id);
        }
        Some(Arc::unwrap_or_clone(old))
    }

    /// Looks a link up.
    pub fn get(
        &self,
        actor_id: &str,
        contract_id: &str,
        link_name: &str,
    ) -> Option<Arc<LinkDefinition>> {
        self.read()
            .get(actor_id)?
            .iter()
            .find(|l| same_key(l, contract_id, link_name))
            .cloned()
    }

    /// True when the link exists.
    pub fn contains(&self, actor_id: &str, contract_id: &str, link_name: &str) -> bool {
        self.read()
            .get(actor_id)
            .is_some_and(|links| links.iter().any(|l| same_key(l, contract_id, link_name)))
    }

    /// All links, ordered by (actor, contract, link name).
    pub fn list(&self) -> Vec<LinkDefinition> {
        self.read()
            .values()
            .flatten()
            .map(|l| LinkDefinition::clone(l))
            .collect()
    }

    /// The links naming provider `provider_id`.
    pub fn for_provider(&self, provider_id: &str) -> Vec<LinkDefinition> {
        self.read()
            .values()
            .flatten()
            .filter(|l| l.provider_id == provider_id)
            .map(|l| LinkDefinition::clone(l))
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

    #[test]
    fn list_is_ordered_by_actor_contract_and_link_name() {
        let t = LinkTable::new();
        for (a, c, n) in [
            ("b", "x:one", "default"),
            ("a", "x:two", "default"),
            ("a", "x:one", "zeta"),
            ("a", "x:one", "alpha"),
        ] {
            t.put(ld(a, c, n, "p"));
        }
        let keys: Vec<String> = t
            .list()
            .iter()
            .map(|l| format!("{} {} {}", l.actor_id, l.contract_id, l.link_name))
            .collect();
        assert_eq!(
            keys,
            [
                "a x:one alpha",
                "a x:one zeta",
                "a x:two default",
                "b x:one default"
            ]
        );
        // Deleting an actor's last link forgets the actor.
        t.delete("b", "x:one", "default").unwrap();
        assert!(!t.contains("b", "x:one", "default"));
        assert_eq!(t.list().len(), 3);
    }
}
