//! `weld_rpc::core` is hand-written (the runtime needs it before any
//! generation runs); `generated/core` is what `weld gen` makes of
//! interfaces/core/wasmcloud-core.smithy. Both must be the same on the
//! wire: a value encoded by one decodes in the other and re-encodes to the
//! same bytes, in MessagePack and in CBOR.

use serde::de::DeserializeOwned;
use serde::Serialize;
use weld_interface_core as gen;
use weld_rpc::cbor::{CborDecode, CborEncode};
use weld_rpc::core as rt;

fn same_wire<A, B>(a: &A, what: &str)
where
    A: Serialize + DeserializeOwned + CborEncode + CborDecode,
    B: Serialize + DeserializeOwned + CborEncode + CborDecode,
{
    let m = weld_rpc::common::serialize(a).unwrap();
    let b: B = weld_rpc::common::deserialize(&m).unwrap_or_else(|e| panic!("{what}: msgpack: {e}"));
    assert_eq!(
        weld_rpc::common::serialize(&b).unwrap(),
        m,
        "{what}: msgpack bytes"
    );
    let c = weld_rpc::cbor::serialize(a).unwrap();
    let b: B = weld_rpc::common::decode(&c).unwrap_or_else(|e| panic!("{what}: cbor: {e}"));
    assert_eq!(
        weld_rpc::cbor::serialize(&b).unwrap(),
        c,
        "{what}: cbor bytes"
    );
}

fn link() -> gen::LinkDefinition {
    let mut l = gen::LinkDefinition::default();
    l.actor_id = "MACTOR".into();
    l.provider_id = "VPROV".into();
    l.link_name = "default".into();
    l.contract_id = "wasmcloud:keyvalue".into();
    l.values = [("URL".to_string(), "redis://127.0.0.1:6379/".to_string())]
        .into_iter()
        .collect();
    l
}

fn entity(k: &str) -> gen::WasmCloudEntity {
    gen::WasmCloudEntity {
        public_key: k.into(),
        link_name: "default".into(),
        contract_id: "wasmcloud:httpserver".into(),
    }
}

#[test]
fn generated_core_matches_the_runtime_core_on_the_wire() {
    let l = link();
    same_wire::<gen::LinkDefinition, rt::LinkDefinition>(&l, "LinkDefinition");

    let mut h = gen::HostData::default();
    h.host_id = "NHOST".into();
    h.lattice_rpc_prefix = "default".into();
    h.link_name = "default".into();
    h.provider_key = "VPROV".into();
    h.env_values = [("A".to_string(), "1".to_string())].into_iter().collect();
    h.instance_id = "i-1".into();
    h.link_definitions = vec![l.clone()];
    h.cluster_issuers = vec!["CISSUER".into()];
    h.config_json = Some("{}".into());
    h.default_rpc_timeout_ms = Some(2000);
    h.structured_logging = true;
    h.log_level = Some(gen::LogLevel::Debug);
    same_wire::<gen::HostData, rt::HostData>(&h, "HostData");

    let ok = gen::HealthCheckResponse {
        healthy: true,
        message: Some("fine".into()),
    };
    same_wire::<gen::HealthCheckResponse, rt::HealthCheckResponse>(&ok, "HealthCheckResponse");
    same_wire::<gen::WasmCloudEntity, rt::WasmCloudEntity>(&entity("MA"), "WasmCloudEntity");

    let mut inv = gen::Invocation::default();
    inv.origin = entity("MA");
    inv.target = entity("VB");
    inv.operation = "HttpServer.HandleRequest".into();
    inv.msg = vec![0x80, 0xff];
    inv.id = "id-1".into();
    inv.encoded_claims = "jwt".into();
    inv.host_id = "NHOST".into();
    inv.content_length = Some(2);
    inv.trace_context = Some(
        [("traceparent".to_string(), "00-1".to_string())]
            .into_iter()
            .collect(),
    );
    same_wire::<gen::Invocation, rt::Invocation>(&inv, "Invocation");

    let mut r = gen::InvocationResponse::default();
    r.msg = vec![1, 2, 3];
    r.invocation_id = "id-1".into();
    r.error = Some("boom".into());
    r.content_length = Some(3);
    same_wire::<gen::InvocationResponse, rt::InvocationResponse>(&r, "InvocationResponse");
}

/// Issue 11: `@sensitive` (here the core model's `Secret` strings: seeds and
/// the NATS user JWT) makes the generator write `Debug` out by hand and
/// redact those fields; the derive printed them.
#[test]
fn generated_host_data_debug_redacts_secrets() {
    let mut h = gen::HostData::default();
    h.host_id = "NHOST".into();
    h.invocation_seed = "SCSEEDSECRET".into();
    h.lattice_rpc_user_seed = "SUSEEDSECRET".into();
    h.lattice_rpc_user_jwt = "eyJWTSECRET".into();
    let shown = format!("{h:?}");
    for secret in ["SCSEEDSECRET", "SUSEEDSECRET", "eyJWTSECRET"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(
        shown.contains("NHOST") && shown.contains("[REDACTED]"),
        "{shown}"
    );
}
