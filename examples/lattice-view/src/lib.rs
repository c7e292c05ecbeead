//! lattice-view: what runs on a lattice, as JSON over HTTP, read through
//! `wasmcloud:latticecontrol` (the lattice-controller provider).
//!
//! - `GET /` (or `/hosts`): every host that answers, each with its
//!   labels, uptime, actors (id, name, image, instance count) and providers
//!   (id, name, link name, image), sorted by host id.
//! - `GET /links`: the lattice's link definitions.
//!
//! `?lattice=ID` picks the lattice; without it, the provider's host's own.
//! Any other path is 404, any other method 405; a failed control request
//! is 502 with its text.

use serde_json::{json, Value};
use weld_interface_httpserver::{HttpRequest, HttpResponse, HttpServer, HttpServerReceiver};
use weld_interface_lattice_control::{
    GetHostInventoryRequest, Host, HostInventory, LatticeController, LatticeControllerSender,
};
use weld_rpc::{async_trait, Context, RpcResult};

/// The actor.
#[derive(Debug, Default)]
pub struct LatticeView;

/// What a request asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Route {
    /// Hosts and what they run.
    Hosts,
    /// Link definitions.
    Links,
}

/// The route of `path`; `None` for anything else.
pub fn route(path: &str) -> Option<Route> {
    match path.trim_end_matches('/') {
        "" | "/hosts" => Some(Route::Hosts),
        "/links" => Some(Route::Links),
        _ => None,
    }
}

/// The `lattice` parameter of a query string (percent-decoded), empty when
/// absent.
pub fn lattice_param(query: &str) -> String {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "lattice")
        .map(|(_, v)| percent_decode(v))
        .unwrap_or_default()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One host as shown: its description with what it runs.
pub fn host_view(host: &Host, inv: &HostInventory) -> Value {
    let mut actors: Vec<Value> = inv
        .actors
        .iter()
        .map(|a| {
            json!({
                "id": a.id,
                "name": a.name,
                "imageRef": a.image_ref,
                "instances": a.instances.len(),
            })
        })
        .collect();
    actors.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    let mut providers: Vec<Value> = inv
        .providers
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "name": p.name,
                "linkName": p.link_name,
                "imageRef": p.image_ref,
            })
        })
        .collect();
    providers.sort_by(|a, b| {
        (a["id"].as_str(), a["linkName"].as_str()).cmp(&(b["id"].as_str(), b["linkName"].as_str()))
    });
    json!({
        "id": host.id,
        "uptimeSeconds": host.uptime_seconds,
        "version": host.version,
        "labels": inv.labels,
        "actors": actors,
        "providers": providers,
    })
}

async fn hosts(ctx: &Context, lattice: &str) -> RpcResult<Value> {
    let control = LatticeControllerSender::new();
    let mut hosts = control.get_hosts(ctx, lattice).await?;
    hosts.sort_by(|a, b| a.id.cmp(&b.id));
    let mut out = Vec::with_capacity(hosts.len());
    for h in &hosts {
        let inv = control
            .get_host_inventory(
                ctx,
                &GetHostInventoryRequest {
                    lattice_id: lattice.to_string(),
                    host_id: h.id.clone(),
                },
            )
            .await?;
        out.push(host_view(h, &inv));
    }
    // Asked for the host's own lattice: its hosts say which it is.
    let name = match hosts.first().and_then(|h| h.lattice_prefix.clone()) {
        Some(prefix) if lattice.is_empty() => prefix,
        _ => lattice.to_string(),
    };
    Ok(json!({ "lattice": name, "hosts": out }))
}

async fn links(ctx: &Context, lattice: &str) -> RpcResult<Value> {
    let mut list = LatticeControllerSender::new()
        .get_links(ctx, lattice)
        .await?
        .links;
    list.sort_by(|a, b| {
        (&a.actor_id, &a.contract_id, &a.link_name).cmp(&(&b.actor_id, &b.contract_id, &b.link_name))
    });
    let links: Vec<Value> = list
        .iter()
        .map(|l| {
            json!({
                "actorId": l.actor_id,
                "providerId": l.provider_id,
                "contractId": l.contract_id,
                "linkName": l.link_name,
                "values": l.values,
            })
        })
        .collect();
    // Null when not named: links do not say which lattice they are on.
    let name = (!lattice.is_empty()).then_some(lattice);
    Ok(json!({ "lattice": name, "links": links }))
}

#[async_trait]
impl HttpServer for LatticeView {
    async fn handle_request(&self, ctx: &Context, req: &HttpRequest) -> RpcResult<HttpResponse> {
        let Some(route) = route(&req.path) else {
            return HttpResponse::json(json!({"error": "not found"}), 404);
        };
        if !req.method.eq_ignore_ascii_case("GET") {
            return HttpResponse::json(json!({"error": "only GET"}), 405);
        }
        let lattice = lattice_param(&req.query_string);
        let answer = match route {
            Route::Hosts => hosts(ctx, &lattice).await,
            Route::Links => links(ctx, &lattice).await,
        };
        match answer {
            Ok(v) => HttpResponse::json(v, 200),
            Err(e) => HttpResponse::json(json!({"error": e.to_string()}), 502),
        }
    }
}

weld_rpc::actor!(LatticeView: HttpServerReceiver);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_and_params() {
        assert_eq!(route("/"), Some(Route::Hosts));
        assert_eq!(route("/hosts/"), Some(Route::Hosts));
        assert_eq!(route("/links"), Some(Route::Links));
        assert_eq!(route("/x"), None);
        assert_eq!(lattice_param("a=1&lattice=my%2Dlattice"), "my-lattice");
        assert_eq!(lattice_param("lattice=x%"), "x%");
        assert_eq!(lattice_param("a=1"), "");
    }
}
