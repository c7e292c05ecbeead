//! NATS subjects and KV keys of a wasmCloud 0.x lattice, in one place
//! (`shared/spec/lattice.md` sections 1 and 3).

use sha2::{Digest, Sha256};

/// Control interface prefix, as upstream (`WASMCLOUD_CTL_TOPIC_PREFIX`).
pub const CTL_PREFIX: &str = "wasmbus.ctl";

/// `wasmbus.rpc.{lattice}.{actor_key}`: calls to an actor (queue group =
/// the subject itself).
pub fn actor_rpc(lattice: &str, actor_key: &str) -> String {
    format!("wasmbus.rpc.{lattice}.{actor_key}")
}

/// `wasmbus.rpc.{lattice}.{provider_key}.{link_name}`: calls to a provider
/// (queue group `rpc`).
pub fn provider_rpc(lattice: &str, provider_key: &str, link_name: &str) -> String {
    format!("wasmbus.rpc.{lattice}.{provider_key}.{link_name}")
}

/// `….linkdefs.put` of a provider.
pub fn linkdefs_put(lattice: &str, provider_key: &str, link_name: &str) -> String {
    format!(
        "{}.linkdefs.put",
        provider_rpc(lattice, provider_key, link_name)
    )
}

/// `….linkdefs.del` of a provider.
pub fn linkdefs_del(lattice: &str, provider_key: &str, link_name: &str) -> String {
    format!(
        "{}.linkdefs.del",
        provider_rpc(lattice, provider_key, link_name)
    )
}

/// `….health` of a provider.
pub fn provider_health(lattice: &str, provider_key: &str, link_name: &str) -> String {
    format!("{}.health", provider_rpc(lattice, provider_key, link_name))
}

/// `….shutdown` of a provider.
pub fn provider_shutdown(lattice: &str, provider_key: &str, link_name: &str) -> String {
    format!(
        "{}.shutdown",
        provider_rpc(lattice, provider_key, link_name)
    )
}

/// `wasmbus.ctl.{lattice}.{suffix}`.
pub fn ctl(lattice: &str, suffix: &str) -> String {
    format!("{CTL_PREFIX}.{lattice}.{suffix}")
}

/// `wasmbus.ctl.{lattice}.cmd.{host}.{verb}`: a command to one host
/// (`la`, `sa`, `scale`, `upd`, `lp`, `sp`, `stop`).
pub fn ctl_cmd(lattice: &str, host_id: &str, verb: &str) -> String {
    ctl(lattice, &format!("cmd.{host_id}.{verb}"))
}

/// `wasmbus.ctl.{lattice}.get.{host}.inv`: one host's inventory.
pub fn ctl_inventory(lattice: &str, host_id: &str) -> String {
    ctl(lattice, &format!("get.{host_id}.inv"))
}

/// The queue group of the control subjects only one host answers
/// (`get.links`, `get.claims`, `linkdefs.put|del`).
pub fn ctl_queue(lattice: &str) -> String {
    format!("{CTL_PREFIX}.{lattice}")
}

/// `wasmbus.evt.{lattice}`: CloudEvents.
pub fn events(lattice: &str) -> String {
    format!("wasmbus.evt.{lattice}")
}

/// `wasmbus.rpcevt.{lattice}`: invocation succeeded/failed events.
pub fn rpc_events(lattice: &str) -> String {
    format!("wasmbus.rpcevt.{lattice}")
}

/// The metadata KV bucket `LATTICEDATA_{lattice}`.
pub fn kv_bucket(lattice: &str) -> String {
    format!("LATTICEDATA_{lattice}")
}

/// KV key of a link: `LINKDEF_{HEX-UPPER sha256(actor_id ‖ contract_id ‖ link_name)}`.
pub fn linkdef_key(actor_id: &str, contract_id: &str, link_name: &str) -> String {
    let mut h = Sha256::new();
    h.update(actor_id.as_bytes());
    h.update(contract_id.as_bytes());
    h.update(link_name.as_bytes());
    let digest = h.finalize();
    let mut key = String::with_capacity(8 + 64);
    key.push_str("LINKDEF_");
    for b in digest {
        key.push_str(&format!("{b:02X}"));
    }
    key
}

/// KV key of an entity's claims: `CLAIMS_{public_key}`.
pub fn claims_key(public_key: &str) -> String {
    format!("CLAIMS_{public_key}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_have_upstream_shape() {
        assert_eq!(actor_rpc("default", "MA"), "wasmbus.rpc.default.MA");
        assert_eq!(
            linkdefs_put("l", "VP", "default"),
            "wasmbus.rpc.l.VP.default.linkdefs.put"
        );
        assert_eq!(ctl("l", "ping.hosts"), "wasmbus.ctl.l.ping.hosts");
        assert_eq!(events("l"), "wasmbus.evt.l");
        assert_eq!(ctl_cmd("l", "NH", "la"), "wasmbus.ctl.l.cmd.NH.la");
        assert_eq!(ctl_inventory("l", "NH"), "wasmbus.ctl.l.get.NH.inv");
        assert_eq!(kv_bucket("l"), "LATTICEDATA_l");
    }

    #[test]
    fn linkdef_key_is_upper_hex_sha256_of_the_concatenation() {
        // sha256("abc") = ba7816bf…: the three parts are concatenated with
        // no separator.
        assert_eq!(
            linkdef_key("a", "b", "c"),
            "LINKDEF_BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"
        );
    }
}
