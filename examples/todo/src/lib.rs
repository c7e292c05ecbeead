//! todo: to-do items over HTTP as JSON, kept in a SQL database through
//! `wasmcloud:sqldb` (sqldb-postgres). Every statement is parameterised.
//!
//! - `POST /todos` with `{"title": "..."}`: creates an item; 201 with it.
//! - `GET /todos`: every item, oldest first; `GET /todos/{id}`: one (404).
//! - `POST /todos/{id}/complete`: marks it done; 200 with it (404).
//! - `DELETE /todos/{id}`: removes it; 204 (404).
//!
//! An item is `{"id": 1, "title": "...", "done": false}`. A missing or
//! empty title, or a body that is not that JSON, is 400; a database error
//! is 500 with its text. The table (`todos`) is created on first use (by
//! each actor instance; `CREATE TABLE IF NOT EXISTS`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use weld_interface_httpserver::{HttpRequest, HttpResponse, HttpServer, HttpServerReceiver};
use weld_interface_sqldb::{QueryResult, SqlDb, SqlDbSender, Statement};
use weld_rpc::{async_trait, Context, RpcError, RpcResult};

/// The actor.
#[derive(Debug, Default)]
pub struct Todo;

/// One item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Its id, given by the database.
    pub id: i64,
    /// What to do.
    pub title: String,
    /// Whether it is done.
    pub done: bool,
}

#[derive(Deserialize)]
struct NewItem {
    title: String,
}

/// What a request asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Route {
    /// `POST /todos`.
    Create,
    /// `GET /todos`.
    List,
    /// `GET /todos/{id}`.
    Get(i64),
    /// `POST /todos/{id}/complete`.
    Complete(i64),
    /// `DELETE /todos/{id}`.
    Delete(i64),
}

/// The route of `method` `path`; `None` for anything else.
pub fn route(method: &str, path: &str) -> Option<Route> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let id = |s: &str| s.parse::<i64>().ok();
    Some(
        match (method.to_ascii_uppercase().as_str(), parts.as_slice()) {
            ("POST", ["todos"]) => Route::Create,
            ("GET", ["todos"]) => Route::List,
            ("GET", ["todos", n]) => Route::Get(id(n)?),
            ("POST", ["todos", n, "complete"]) => Route::Complete(id(n)?),
            ("DELETE", ["todos", n]) => Route::Delete(id(n)?),
            _ => return None,
        },
    )
}

/// A statement parameter: one CBOR value.
fn param(
    f: impl FnOnce(
        &mut minicbor::Encoder<Vec<u8>>,
    ) -> Result<(), minicbor::encode::Error<std::convert::Infallible>>,
) -> Vec<u8> {
    let mut e = minicbor::Encoder::new(Vec::new());
    // Encoding into a Vec cannot fail.
    let _ = f(&mut e);
    e.into_writer()
}

fn int(n: i64) -> Vec<u8> {
    param(|e| e.i64(n).map(|_| ()))
}

fn text(s: &str) -> Vec<u8> {
    param(|e| e.str(s).map(|_| ()))
}

fn statement(sql: &str, parameters: Vec<Vec<u8>>) -> Statement {
    Statement {
        sql: sql.to_string(),
        parameters: Some(parameters),
        database: None,
    }
}

/// Items from rows of `id, title, done`.
pub fn items(result: &QueryResult) -> RpcResult<Vec<Item>> {
    if result.num_rows == 0 {
        return Ok(Vec::new());
    }
    let bad = |e: minicbor::decode::Error| RpcError::Deser(format!("rows: {e}"));
    let mut d = minicbor::Decoder::new(&result.rows);
    let n = d.array().map_err(bad)?.unwrap_or(0);
    let mut out = Vec::with_capacity(n as usize);
    for _ in 0..n {
        d.array().map_err(bad)?;
        out.push(Item {
            id: d.i64().map_err(bad)?,
            title: d.str().map_err(bad)?.to_string(),
            done: d.bool().map_err(bad)?,
        });
    }
    Ok(out)
}

/// Runs a query; a database error becomes an `Err` with its text.
async fn query(ctx: &Context, sql: &str, parameters: Vec<Vec<u8>>) -> RpcResult<Vec<Item>> {
    let r = SqlDbSender::new()
        .query(ctx, &statement(sql, parameters))
        .await?;
    if let Some(e) = &r.error {
        return Err(RpcError::Other(format!("{}: {}", e.code, e.message)));
    }
    items(&r)
}

const COLUMNS: &str = "id, title, done";

/// Set once this instance has made sure the table exists (instances are
/// reused across requests, so the statement runs once per instance).
static TABLE_READY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

async fn ensure_table(ctx: &Context) -> RpcResult<()> {
    use std::sync::atomic::Ordering;
    if TABLE_READY.load(Ordering::Relaxed) {
        return Ok(());
    }
    let r = SqlDbSender::new()
        .execute(
            ctx,
            &statement(
                "CREATE TABLE IF NOT EXISTS todos (id bigserial PRIMARY KEY, title text NOT NULL, done boolean NOT NULL DEFAULT false)",
                Vec::new(),
            ),
        )
        .await?;
    match r.error {
        None => {
            TABLE_READY.store(true, Ordering::Relaxed);
            Ok(())
        }
        Some(e) => Err(RpcError::Other(format!("{}: {}", e.code, e.message))),
    }
}

fn json<T: Serialize>(status: u16, value: &T) -> RpcResult<HttpResponse> {
    HttpResponse::json(value, status)
}

fn error(status: u16, message: &str) -> HttpResponse {
    let mut body = HashMap::new();
    body.insert("error", message);
    HttpResponse::json(body, status).unwrap_or_else(|_| HttpResponse::with_status(status, message))
}

fn one(items: Vec<Item>) -> RpcResult<HttpResponse> {
    match items.into_iter().next() {
        Some(item) => json(200, &item),
        None => Ok(error(404, "no such item")),
    }
}

async fn serve(ctx: &Context, req: &HttpRequest) -> RpcResult<HttpResponse> {
    let Some(route) = route(&req.method, &req.path) else {
        return Ok(error(404, "unknown route"));
    };
    ensure_table(ctx).await?;
    match route {
        Route::Create => {
            let new: NewItem = match serde_json::from_slice(&req.body) {
                Ok(n) => n,
                Err(e) => return Ok(error(400, &format!("expected {{\"title\": \"...\"}}: {e}"))),
            };
            if new.title.trim().is_empty() {
                return Ok(error(400, "the title is empty"));
            }
            let sql = format!("INSERT INTO todos (title) VALUES ($1) RETURNING {COLUMNS}");
            let created = query(ctx, &sql, vec![text(&new.title)]).await?;
            match created.into_iter().next() {
                Some(item) => json(201, &item),
                None => Ok(error(500, "the insert returned no row")),
            }
        }
        Route::List => json(
            200,
            &query(
                ctx,
                &format!("SELECT {COLUMNS} FROM todos ORDER BY id"),
                vec![],
            )
            .await?,
        ),
        Route::Get(id) => one(query(
            ctx,
            &format!("SELECT {COLUMNS} FROM todos WHERE id = $1"),
            vec![int(id)],
        )
        .await?),
        Route::Complete(id) => one(query(
            ctx,
            &format!("UPDATE todos SET done = true WHERE id = $1 RETURNING {COLUMNS}"),
            vec![int(id)],
        )
        .await?),
        Route::Delete(id) => {
            let gone = query(
                ctx,
                &format!("DELETE FROM todos WHERE id = $1 RETURNING {COLUMNS}"),
                vec![int(id)],
            )
            .await?;
            Ok(if gone.is_empty() {
                error(404, "no such item")
            } else {
                HttpResponse::with_status(204, Vec::new())
            })
        }
    }
}

#[async_trait]
impl HttpServer for Todo {
    async fn handle_request(&self, ctx: &Context, req: &HttpRequest) -> RpcResult<HttpResponse> {
        Ok(serve(ctx, req)
            .await
            .unwrap_or_else(|e| error(500, &e.to_string())))
    }
}

weld_rpc::actor!(Todo: HttpServerReceiver);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(route("post", "/todos"), Some(Route::Create));
        assert_eq!(route("GET", "/todos/"), Some(Route::List));
        assert_eq!(route("GET", "/todos/7"), Some(Route::Get(7)));
        assert_eq!(route("POST", "/todos/7/complete"), Some(Route::Complete(7)));
        assert_eq!(route("DELETE", "/todos/7"), Some(Route::Delete(7)));
        assert_eq!(route("DELETE", "/todos/x"), None);
        assert_eq!(route("PUT", "/todos/1"), None);
    }

    #[test]
    fn rows_decode() {
        let mut e = minicbor::Encoder::new(Vec::new());
        e.array(1)
            .unwrap()
            .array(3)
            .unwrap()
            .i64(3)
            .unwrap()
            .str("a")
            .unwrap()
            .bool(true)
            .unwrap();
        let r = QueryResult {
            num_rows: 1,
            columns: Vec::new(),
            rows: e.into_writer(),
            error: None,
        };
        assert_eq!(
            items(&r).unwrap(),
            vec![Item {
                id: 3,
                title: "a".into(),
                done: true
            }]
        );
    }
}
