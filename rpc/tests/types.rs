//! Timestamp, Document, the org.wasmcloud.core/model types on the wire, the
//! error texts, and (feature `provider`) the provider helpers.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use weld_rpc::common::{deserialize, serialize};
use weld_rpc::core::{HostData, Invocation, InvocationResponse, LinkDefinition, WasmCloudEntity};
use weld_rpc::{Document, Number, RpcError, Timestamp};

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

#[test]
fn timestamp_msgpack_is_a_sec_nsec_map() {
    let t = Timestamp {
        sec: 1_600_000_000,
        nsec: 5,
    };
    let wire = serialize(&t).unwrap();
    assert_eq!(hex::encode(&wire), "82a3736563ce5f5e1000a46e73656305");
    assert_eq!(deserialize::<Timestamp>(&wire).unwrap(), t);
    // positional form and negative seconds
    assert_eq!(
        deserialize::<Timestamp>(&unhex("92 ff 00")).unwrap(),
        Timestamp { sec: -1, nsec: 0 }
    );
    // nsec must stay below one second
    assert!(deserialize::<Timestamp>(&unhex("82 a3736563 00 a46e736563 ce3b9aca00")).is_err());
    assert!(deserialize::<Timestamp>(&unhex("82 a3736563 00 a46e736563 ce3b9ac9ff")).is_ok());
    assert!(Timestamp::new(0, 1_000_000_000).is_err());
    assert!(matches!(
        Timestamp::new(0, 1_000_000_000),
        Err(RpcError::InvalidParameter(_))
    ));
}

#[test]
fn timestamp_converts_to_and_from_system_time() {
    let t: Timestamp = (UNIX_EPOCH + Duration::new(10, 20)).into();
    assert_eq!(t, Timestamp { sec: 10, nsec: 20 });
    let before: Timestamp = (UNIX_EPOCH - Duration::new(1, 250_000_000)).into();
    assert_eq!(
        before,
        Timestamp {
            sec: -2,
            nsec: 750_000_000
        }
    );
    assert_eq!(
        SystemTime::from(before),
        UNIX_EPOCH - Duration::new(1, 250_000_000)
    );
    assert_eq!(before.as_millis(), -1250);
    let now = Timestamp::now();
    assert!(now.sec > 1_700_000_000);
    assert!(now.nsec < 1_000_000_000);
}

#[test]
fn document_round_trips_through_json_and_msgpack() {
    let json = r#"{"b":[1,-2,2.5,"s",true,null,{"x":{}}],"a":18446744073709551615}"#;
    let doc: Document = serde_json::from_str(json).unwrap();
    let obj = doc.as_object().unwrap();
    assert_eq!(obj["a"].as_number(), Some(Number::PosInt(u64::MAX)));
    assert_eq!(
        obj["b"].as_array().unwrap()[1]
            .as_number()
            .unwrap()
            .as_i64(),
        Some(-2)
    );
    let wire = serialize(&doc).unwrap();
    // keys sorted, natural msgpack values
    assert_eq!(&wire[..3], &unhex("82 a1 61")[..]);
    assert_eq!(deserialize::<Document>(&wire).unwrap(), doc);
    assert_eq!(
        serde_json::to_string(&doc).unwrap(),
        r#"{"a":18446744073709551615,"b":[1,-2,2.5,"s",true,null,{"x":{}}]}"#
    );
    // msgpack bin becomes a list of byte values
    assert_eq!(
        deserialize::<Document>(&unhex("c4020102")).unwrap(),
        Document::from(vec![1u64, 2])
    );
    // a map key must be a string
    assert!(deserialize::<Document>(&unhex("81 01 02")).is_err());
}

#[test]
fn link_definition_wire_names_and_case_insensitive_values() {
    let mut values = HashMap::new();
    values.insert("url".to_string(), "redis://127.0.0.1:6379/".to_string());
    let ld = LinkDefinition {
        actor_id: "MA".into(),
        provider_id: "VP".into(),
        link_name: "default".into(),
        contract_id: "wasmcloud:keyvalue".into(),
        values,
    };
    let wire = serialize(&ld).unwrap();
    assert_eq!(
        hex::encode(&wire),
        "85a86163746f725f6964a24d41ab70726f76696465725f6964a25650a96c696e6b5f6e616d65a764656661756c74ab636f6e74726163745f6964b2776173\
6d636c6f75643a6b657976616c7565a676616c75657381a375726cb7726564697\
33a2f2f3132372e302e302e313a363337392f"
    );
    assert_eq!(deserialize::<LinkDefinition>(&wire).unwrap(), ld);
    assert_eq!(ld.value("URL"), Some("redis://127.0.0.1:6379/"));
    assert_eq!(ld.value("Url"), Some("redis://127.0.0.1:6379/"));
    assert_eq!(ld.value("port"), None);
    // `values` is required
    assert!(deserialize::<LinkDefinition>(&unhex("81 a8 6163746f725f6964 a0")).is_err());
}

#[test]
fn host_data_json_uses_snake_case_keys() {
    let json = r#"{
        "host_id": "NHOST", "lattice_rpc_prefix": "default", "link_name": "default",
        "lattice_rpc_user_jwt": "", "lattice_rpc_user_seed": "", "lattice_rpc_url": "nats://127.0.0.1:4222",
        "provider_key": "VPROV", "invocation_seed": "SC", "env_values": {"A": "1"},
        "instance_id": "i-1", "link_definitions": [{"actor_id": "MA", "provider_id": "VPROV",
        "link_name": "default", "contract_id": "wasmcloud:httpserver", "values": {"port": "8080"}}],
        "cluster_issuers": ["CISSUER"], "default_rpc_timeout_ms": 2000, "structured_logging": false,
        "unknown_future_field": 1
    }"#;
    let hd: HostData = serde_json::from_str(json).unwrap();
    assert_eq!(hd.host_id, "NHOST");
    assert_eq!(hd.env_values["A"], "1");
    assert_eq!(hd.link_definitions[0].value("PORT"), Some("8080"));
    assert_eq!(hd.default_rpc_timeout_ms, Some(2000));
    assert_eq!(hd.config_json, None);
    let out = serde_json::to_value(&hd).unwrap();
    let keys: Vec<&str> = out
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    for k in [
        "host_id",
        "lattice_rpc_prefix",
        "provider_key",
        "env_values",
        "link_definitions",
        "cluster_issuers",
        "structured_logging",
    ] {
        assert!(keys.contains(&k), "{k} missing from {keys:?}");
    }
    assert!(!keys.contains(&"config_json"), "None is left out");
}

#[test]
fn invocation_keys_and_blob_encoding() {
    let mut tc = HashMap::new();
    tc.insert("traceparent".to_string(), "00-x".to_string());
    let inv = Invocation {
        origin: WasmCloudEntity {
            public_key: "MA".into(),
            ..Default::default()
        },
        target: WasmCloudEntity {
            public_key: "VP".into(),
            link_name: "default".into(),
            contract_id: "wasmcloud:keyvalue".into(),
        },
        operation: "KeyValue.Increment".into(),
        msg: vec![1, 2, 3],
        id: "uuid".into(),
        encoded_claims: "jwt".into(),
        host_id: "NH".into(),
        content_length: None,
        trace_context: Some(tc),
    };
    let wire = serialize(&inv).unwrap();
    let doc: Document = deserialize(&wire).unwrap();
    let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "encoded_claims",
            "host_id",
            "id",
            "msg",
            "operation",
            "origin",
            "target",
            "traceContext"
        ]
    );
    // msg is msgpack bin: c4 03 01 02 03
    assert!(hex::encode(&wire).contains("a36d7367c403010203"));
    assert_eq!(deserialize::<Invocation>(&wire).unwrap(), inv);
    let resp = InvocationResponse {
        msg: vec![],
        invocation_id: "uuid".into(),
        error: Some("boom".into()),
        content_length: None,
    };
    assert_eq!(
        deserialize::<InvocationResponse>(&serialize(&resp).unwrap()).unwrap(),
        resp
    );
}

#[test]
fn error_texts_match_upstream() {
    assert_eq!(
        RpcError::MethodNotHandled("X.Y".into()).to_string(),
        "method not handled X.Y"
    );
    assert_eq!(
        RpcError::HostError("nope".into()).to_string(),
        "Host send error nope"
    );
    assert_eq!(
        RpcError::Deser("x".into()).to_string(),
        "deserialization: x"
    );
    assert_eq!(RpcError::Ser("x".into()).to_string(), "serialization: x");
    assert_eq!(RpcError::Timeout("x".into()).to_string(), "timeout: x");
    assert_eq!(RpcError::ActorHandler("x".into()).to_string(), "actor: x");
    assert_eq!(
        RpcError::InvalidParameter("x".into()).to_string(),
        "invalid parameter: x"
    );
    assert_eq!(
        RpcError::ProviderInit("x".into()).to_string(),
        "provider initialization or put-link: x"
    );
    assert_eq!(RpcError::Nats("x".into()).to_string(), "nats: x");
    assert_eq!(RpcError::Rpc("x".into()).to_string(), "rpc: x");
    assert_eq!(RpcError::Other("x".into()).to_string(), "x");
    assert_eq!(
        RpcError::NotImplemented.to_string(),
        "method not implemented"
    );
    assert_eq!(RpcError::from("plain"), RpcError::Other("plain".into()));
}

#[cfg(feature = "provider")]
mod provider {
    use super::*;
    use weld_rpc::provider::{encode_host_data, parse_host_data, read_host_data, with_timeout};

    #[test]
    fn host_data_line_round_trips() {
        let hd = HostData {
            host_id: "NH".into(),
            provider_key: "VP".into(),
            ..Default::default()
        };
        let line = encode_host_data(&hd).unwrap();
        assert!(line.ends_with('\n') && !line.trim_end().contains('\n'));
        assert_eq!(parse_host_data(&line).unwrap(), hd);
        assert_eq!(read_host_data(line.as_bytes()).unwrap(), hd);
    }

    #[test]
    fn bad_host_data_is_a_provider_init_error() {
        for bad in ["%%%", "eyJ4IjoxfQ==", ""] {
            assert!(
                matches!(parse_host_data(bad), Err(RpcError::ProviderInit(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            read_host_data(&b""[..]),
            Err(RpcError::ProviderInit(_))
        ));
    }

    #[tokio::test]
    async fn timeouts_become_rpc_timeout_errors() {
        let slow = async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok(1)
        };
        let e = with_timeout(Duration::from_millis(20), "KeyValue.Get", slow)
            .await
            .unwrap_err();
        assert_eq!(e, RpcError::Timeout("KeyValue.Get after 20 ms".into()));
        let fast = async { Ok(2) };
        assert_eq!(
            with_timeout(Duration::from_secs(5), "x", fast)
                .await
                .unwrap(),
            2
        );
    }
}

/// Issue 11: `Debug` of start-up data and links must not print seeds, the
/// NATS user JWT, passwords or URL credentials (they end up in logs).
#[test]
fn debug_output_redacts_seeds_and_secret_values() {
    let link = LinkDefinition {
        actor_id: "MA".into(),
        values: [
            (
                "URL".to_string(),
                "redis://user:hunter2@db:6379".to_string(),
            ),
            ("password".to_string(), "hunter3".to_string()),
            ("port".to_string(), "8080".to_string()),
        ]
        .into_iter()
        .collect(),
        ..Default::default()
    };
    let hd = HostData {
        host_id: "NH".into(),
        invocation_seed: "SNSEEDSECRET".into(),
        lattice_rpc_user_seed: "SUSEEDSECRET".into(),
        lattice_rpc_user_jwt: "eyJWTSECRET".into(),
        lattice_rpc_url: "nats://u:natspw@localhost:4222".into(),
        env_values: [("API_TOKEN".to_string(), "tok-secret".to_string())]
            .into_iter()
            .collect(),
        link_definitions: vec![link.clone()],
        ..Default::default()
    };
    let shown = format!("{hd:?} {link:?}");
    for secret in [
        "SNSEEDSECRET",
        "SUSEEDSECRET",
        "eyJWTSECRET",
        "natspw",
        "tok-secret",
        "hunter2",
        "hunter3",
    ] {
        assert!(!shown.contains(secret), "{secret} shown in {shown}");
    }
    assert!(shown.contains("NH") && shown.contains("8080"), "{shown}");
    let listed = link.redacted();
    assert_eq!(listed.values["password"], weld_rpc::redact::REDACTED);
    assert_eq!(listed.values["URL"], "redis://[REDACTED]@db:6379");
    assert_eq!(listed.values["port"], "8080");
}
