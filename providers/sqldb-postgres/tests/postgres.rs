//! sqldb-postgres against the machine's PostgreSQL (`scripts/setup.sh
//! postgres`: 127.0.0.1:5432, database `test`, user `postgres`, trust
//! auth). Calls go through the provider's `handle`, as a host delivers an
//! actor's calls, with the generated `SqlDbSender`.

use std::collections::HashMap;
use std::sync::Arc;

use minicbor::data::Type as Cbor;
use weld_interface_sqldb::{SqlDb, SqlDbSender, Statement};
use weld_provider_sqldb_postgres::{PostgresProvider, MISSING_URI};
use weld_rpc::core::LinkDefinition;
use weld_rpc::provider::{CallsFrom, Provider, ProviderContext};
use weld_rpc::{Context, Message, RpcResult, SendOpts, Transport};
use weld_test_support::{require_service, unique_name};

const PG: &str = "127.0.0.1:5432";
const URI: &str = "postgres://postgres@127.0.0.1:5432/test";

fn provider() -> Arc<PostgresProvider> {
    Arc::new(PostgresProvider::new(ProviderContext {
        provider_id: "VSQL".into(),
        name: "sql".into(),
        link_name: "default".into(),
        config: HashMap::new(),
        data_dir: std::env::temp_dir(),
        lattice: None,
    }))
}

fn link(actor: &str, values: &[(&str, &str)]) -> LinkDefinition {
    LinkDefinition {
        actor_id: actor.into(),
        provider_id: "VSQL".into(),
        link_name: "default".into(),
        contract_id: "wasmcloud:sqldb".into(),
        values: values
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

/// A provider with one link for a fresh actor; its sender.
async fn linked(
    values: &[(&str, &str)],
) -> (
    Arc<PostgresProvider>,
    SqlDbSender<CallsFrom<PostgresProvider>>,
    String,
) {
    let p = provider();
    let id = unique_name("MSQL");
    p.put_link(&link(&id, values), Arc::new(NoActor))
        .await
        .expect("link accepted");
    let db = SqlDbSender::via(CallsFrom::actor(Arc::clone(&p), &id));
    (p, db, id)
}

/// The provider never calls the actor on this contract.
struct NoActor;

#[weld_rpc::async_trait]
impl Transport for NoActor {
    async fn send(&self, _: &Context, _: Message<'_>, _: Option<SendOpts>) -> RpcResult<Vec<u8>> {
        unreachable!("sqldb never calls its actor")
    }
}

fn stmt(sql: &str, params: Vec<Vec<u8>>) -> Statement {
    Statement {
        sql: sql.into(),
        parameters: (!params.is_empty()).then_some(params),
        database: None,
    }
}

fn cbor(f: impl FnOnce(&mut minicbor::Encoder<Vec<u8>>)) -> Vec<u8> {
    let mut e = minicbor::Encoder::new(Vec::new());
    f(&mut e);
    e.into_writer()
}

fn text(s: &str) -> Vec<u8> {
    cbor(|e| {
        e.str(s).unwrap();
    })
}

fn int(n: i64) -> Vec<u8> {
    cbor(|e| {
        e.i64(n).unwrap();
    })
}

/// A decoded cell, for assertions.
#[derive(Debug, Clone, PartialEq)]
enum V {
    Null,
    Bool(bool),
    Int(i128),
    F32(f32),
    F64(f64),
    Text(String),
    Bytes(Vec<u8>),
}

fn rows(bytes: &[u8]) -> Vec<Vec<V>> {
    let mut d = minicbor::Decoder::new(bytes);
    let n = d.array().unwrap().unwrap();
    let mut out = Vec::new();
    for _ in 0..n {
        let cols = d.array().unwrap().unwrap();
        let mut row = Vec::new();
        for _ in 0..cols {
            row.push(match d.datatype().unwrap() {
                Cbor::Null => {
                    d.skip().unwrap();
                    V::Null
                }
                Cbor::Bool => V::Bool(d.bool().unwrap()),
                Cbor::F32 => V::F32(d.f32().unwrap()),
                Cbor::F64 => V::F64(d.f64().unwrap()),
                Cbor::String => V::Text(d.str().unwrap().to_string()),
                Cbor::Bytes => V::Bytes(d.bytes().unwrap().to_vec()),
                _ => V::Int(i128::from(d.int().unwrap())),
            });
        }
        out.push(row);
    }
    assert_eq!(
        d.position(),
        bytes.len(),
        "one CBOR array, nothing after it"
    );
    out
}

/// A unique SQL identifier.
fn ident(prefix: &str) -> String {
    unique_name(prefix)
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn t(s: &str) -> V {
    V::Text(s.into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_column_type_encodes_null_included_with_parameters_bound() {
    if !require_service("PostgreSQL", PG) {
        return;
    }
    let (_p, db, _) = linked(&[("uri", URI)]).await;
    let ctx = Context::default();
    let table = ident("weld_types");
    let create = format!(
        "CREATE TABLE {table} (id int4, b bool, i2 int2, i8 int8, o oid, f4 float4, f8 float8, \
         c char(3), ch \"char\", vc varchar(10), tx text, js json, jb jsonb, by bytea, bi bit(12), \
         u uuid, d date, tm time, ts timestamp, tz timestamptz, iv interval, ip inet, net cidr, \
         n numeric(12,4), arr int4[])"
    );
    let r = db.execute(&ctx, &stmt(&create, vec![])).await.unwrap();
    assert!(r.error.is_none(), "{:?}", r.error);

    // Every value as a parameter: numbers as numbers, the rest as text
    // that the server converts (the way psql would take them).
    let insert = format!(
        "INSERT INTO {table} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
         $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)"
    );
    let params = vec![
        int(1),
        cbor(|e| {
            e.bool(true).unwrap();
        }),
        int(-32768),
        int(9_007_199_254_740_993),
        int(4_000_000_000),
        cbor(|e| {
            e.f32(1.5).unwrap();
        }),
        cbor(|e| {
            e.f64(-2.25e300).unwrap();
        }),
        text("ab"),
        text("z"),
        // bytes for a text column: accepted, as upstream decoders do
        cbor(|e| {
            e.bytes(b"bin").unwrap();
        }),
        text("héllo"),
        text(r#"{"a": 1}"#),
        text(r#"{"b": [true, null]}"#),
        cbor(|e| {
            e.bytes(&[0, 159, 255]).unwrap();
        }),
        text("101000000001"),
        text("12345678-9abc-def0-0001-020304050607"),
        text("2024-02-29"),
        text("23:59:58.25"),
        text("2024-02-29 12:34:56.789"),
        text("2024-02-29 12:34:56+02"),
        text("1 year 2 months 3 days 04:05:06.5"),
        text("10.1.2.3"),
        text("10.0.0.0/8"),
        text("-12345678.9012"),
        text("{1,2,3}"),
    ];
    let r = db.execute(&ctx, &stmt(&insert, params)).await.unwrap();
    assert_eq!((r.rows_affected, r.error), (1, None));
    // A row of NULLs (upstream panicked on the first one).
    let nulls: Vec<Vec<u8>> = std::iter::once(int(2))
        .chain((0..24).map(|_| {
            cbor(|e| {
                e.null().unwrap();
            })
        }))
        .collect();
    let r = db.execute(&ctx, &stmt(&insert, nulls)).await.unwrap();
    assert_eq!((r.rows_affected, r.error), (1, None));

    let q = db
        .query(
            &ctx,
            &stmt(
                &format!("SELECT * FROM {table} WHERE id >= $1 ORDER BY id"),
                vec![int(1)],
            ),
        )
        .await
        .unwrap();
    assert!(q.error.is_none(), "{:?}", q.error);
    assert_eq!(q.num_rows, 2);
    let names: Vec<(u32, &str, &str)> = q
        .columns
        .iter()
        .map(|c| (c.ordinal, c.name.as_str(), c.db_type.as_str()))
        .collect();
    assert_eq!(names[0], (0, "id", "int4"));
    assert_eq!(names[7], (7, "c", "bpchar"));
    assert_eq!(names[18], (18, "ts", "timestamp"));
    assert_eq!(names[24], (24, "arr", "_int4"));
    let got = rows(&q.rows);
    let expected = vec![
        V::Int(1),
        V::Bool(true),
        V::Int(-32768),
        V::Int(9_007_199_254_740_993),
        V::Int(4_000_000_000),
        V::F32(1.5),
        V::F64(-2.25e300),
        t("ab "),
        t("z"),
        t("bin"),
        t("héllo"),
        t(r#"{"a": 1}"#),
        t(r#"{"b": [true, null]}"#),
        V::Bytes(vec![0, 159, 255]),
        V::Bytes(vec![0b1010_0000, 0b0001_0000]),
        t("12345678-9abc-def0-0001-020304050607"),
        t("2024-02-29"),
        t("23:59:58.250"),
        t("2024-02-29 12:34:56.789"),
        t("2024-02-29T10:34:56Z"),
        t("1 year 2 mons 3 days 04:05:06.5"),
        t("10.1.2.3"),
        t("10.0.0.0/8"),
        t("-12345678.9012"),
    ];
    assert_eq!(&got[0][..24], &expected[..]);
    // Arrays go as their binary wire value.
    assert!(matches!(&got[0][24], V::Bytes(b) if !b.is_empty()));
    assert_eq!(got[1][0], V::Int(2));
    assert!(got[1][1..].iter().all(|v| *v == V::Null), "{:?}", got[1]);

    // No rows: upstream's shape (empty rows bytes), with the columns.
    let q = db
        .query(
            &ctx,
            &stmt(&format!("SELECT id FROM {table} WHERE id > 99"), vec![]),
        )
        .await
        .unwrap();
    assert_eq!((q.num_rows, q.rows.len(), q.columns.len()), (0, 0, 1));
    db.execute(&ctx, &stmt(&format!("DROP TABLE {table}"), vec![]))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_come_back_in_band_with_their_codes() {
    if !require_service("PostgreSQL", PG) {
        return;
    }
    let (_p, db, _) = linked(&[("uri", URI)]).await;
    let ctx = Context::default();
    let r = db.query(&ctx, &stmt("SELEC 1", vec![])).await.unwrap();
    let e = r.error.unwrap();
    assert_eq!(e.code, "db");
    assert!(e.message.contains("syntax error"), "{}", e.message);
    let r = db
        .execute(&ctx, &stmt("SELECT $1::int", vec![int(1), int(2)]))
        .await
        .unwrap();
    assert_eq!(r.error.unwrap().code, "db");
    let r = db
        .query(&ctx, &stmt("SELECT $1::int", vec![text("seven")]))
        .await
        .unwrap();
    let e = r.error.unwrap();
    assert!(e.message.contains("invalid input syntax"), "{}", e.message);
    let r = db
        .query(&ctx, &stmt("SELECT $1::int", vec![vec![0x80, 0x01]]))
        .await
        .unwrap();
    let e = r.error.unwrap();
    assert_eq!(e.code, "parameters");
    assert!(e.message.starts_with("parameter $1: "), "{}", e.message);
    // Parameters are used, not ignored (upstream ignored them).
    let r = db
        .query(
            &ctx,
            &stmt(
                "SELECT $1::int8 * 2 AS n, $2 AS s",
                vec![int(21), text("x")],
            ),
        )
        .await
        .unwrap();
    assert_eq!(rows(&r.rows), vec![vec![V::Int(42), t("x")]]);
    // Another database than the link's.
    let mut s = stmt("SELECT 1", vec![]);
    s.database = Some("other".into());
    let e = db.query(&ctx, &s).await.unwrap().error.unwrap();
    assert_eq!(e.code, "database");
    assert!(e.message.contains("\"test\""), "{}", e.message);
    s.database = Some("test".into());
    assert!(db.query(&ctx, &s).await.unwrap().error.is_none());
    assert!(db.ping(&ctx).await.unwrap().error.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_pool_and_link_lifecycle() {
    if !require_service("PostgreSQL", PG) {
        return;
    }
    let p = provider();
    let err = p
        .put_link(&link("MNOURI", &[]), Arc::new(NoActor))
        .await
        .unwrap_err();
    assert!(err.to_string().contains(MISSING_URI), "{err}");
    let err = p
        .put_link(
            &link("MBAD", &[("uri", "postgres://x:y@127.0.0.1:notaport/db")]),
            Arc::new(NoActor),
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("not a PostgreSQL connection string"),
        "{err}"
    );
    // The password is not in the error.
    assert!(!err.to_string().contains(":y@"), "{err}");
    let err = p
        .put_link(
            &link("MBAD", &[("uri", "host=db user=u password=hunter2 port=x")]),
            Arc::new(NoActor),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("password=[REDACTED]"), "{err}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    // A bad pool names the JSON setting it is in, not the uri.
    let err = p
        .put_link(
            &link(
                "MBAD",
                &[
                    ("uri", "postgres://postgres@127.0.0.1:5432/test"),
                    ("config_json", r#"{"pool": {"max_connections": 0}}"#),
                ],
            ),
            Arc::new(NoActor),
        )
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("config_json") && text.contains("pool.max_connections"),
        "{text}"
    );

    // JSON settings; the plain uri overrides the JSON's; the pool is
    // bounded by max_connections and waits connection_timeout_millis.
    let app = ident("weldpool");
    let json = r#"{"uri": "postgres://nobody@127.0.0.1:1/none", "pool": {"max_connections": 2, "connection_timeout_millis": 300, "min_idle": 1}}"#;
    let uri = format!("{URI}?application_name={app}");
    let (p, db, id) = linked(&[("config_json", json), ("uri", &uri)]).await;
    let ctx = Context::default();
    let count =
        format!("SELECT count(*)::int4 FROM pg_stat_activity WHERE application_name = '{app}'");
    let sleep = stmt("SELECT pg_sleep(0.8)", vec![]);
    let (a, b, c) = tokio::join!(db.query(&ctx, &sleep), db.query(&ctx, &sleep), async {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        db.query(&ctx, &stmt("SELECT 1", vec![])).await
    });
    assert!(a.unwrap().error.is_none() && b.unwrap().error.is_none());
    let e = c.unwrap_err().to_string();
    assert!(e.contains("failed to get connection from pool"), "{e}");
    // Two connections open (a third was never made), seen by the server.
    let (_q, watcher, _) = linked(&[("uri", URI)]).await;
    let open = |r: weld_interface_sqldb::QueryResult| rows(&r.rows)[0][0].clone();
    assert_eq!(
        open(watcher.query(&ctx, &stmt(&count, vec![])).await.unwrap()),
        V::Int(2)
    );
    // Deleting the link closes them.
    p.delete_link(&link(&id, &[])).await;
    let mut n = V::Null;
    for _ in 0..50 {
        n = open(watcher.query(&ctx, &stmt(&count, vec![])).await.unwrap());
        if n == V::Int(0) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(n, V::Int(0));
    // And the actor is no longer linked (upstream's text).
    let e = db.ping(&ctx).await.unwrap_err().to_string();
    assert!(e.contains("actor not linked"), "{e}");

    // A database that is down: the link is kept, calls say why in band.
    let (_d, down, _) = linked(&[
        ("uri", "postgres://postgres@127.0.0.1:1/test"),
        (
            "config_json",
            r#"{"pool":{"connection_timeout_millis":200}}"#,
        ),
    ])
    .await;
    let e = down.ping(&ctx).await.unwrap().error.unwrap();
    assert!(
        e.message.contains("failed to get connection from pool"),
        "{}",
        e.message
    );
}
