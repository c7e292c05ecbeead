// Hand-written additions to the generated httpserver crate, appended to its
// src/lib.rs by `weld gen` (codegen.toml: `extra_source`). The model marks
// HttpResponse `@codegenRust(noDeriveDefault: true)` because its natural
// default is status 200, not 0.

impl Default for HttpResponse {
    /// `200 OK` with no headers and an empty body.
    fn default() -> Self {
        HttpResponse {
            status_code: 200,
            header: HeaderMap::new(),
            body: Vec::new(),
        }
    }
}

impl HttpResponse {
    /// `200 OK` with `body`.
    pub fn ok(body: impl Into<Vec<u8>>) -> Self {
        HttpResponse {
            body: body.into(),
            ..Default::default()
        }
    }

    /// A response with `status_code` and `body`.
    pub fn with_status(status_code: u16, body: impl Into<Vec<u8>>) -> Self {
        HttpResponse {
            status_code,
            header: HeaderMap::new(),
            body: body.into(),
        }
    }

    /// `400 Bad Request` with a text body.
    pub fn bad_request(message: impl ToString) -> Self {
        Self::with_status(400, message.to_string())
    }

    /// `404 Not Found` with an empty body.
    pub fn not_found() -> Self {
        Self::with_status(404, Vec::new())
    }

    /// `500 Internal Server Error` with a text body.
    pub fn internal_server_error(message: impl ToString) -> Self {
        Self::with_status(500, message.to_string())
    }

    /// A response with `status_code` whose body is `payload` as JSON, with
    /// `content-type: application/json`.
    pub fn json<T: serde::Serialize>(payload: T, status_code: u16) -> weld_rpc::RpcResult<Self> {
        Self::json_with_headers(payload, status_code, std::collections::HashMap::new())
    }

    /// Like [`HttpResponse::json`], with `headers` (names lower-cased). The
    /// content type is `application/json` unless `headers` names another.
    pub fn json_with_headers<T: serde::Serialize>(
        payload: T,
        status_code: u16,
        headers: std::collections::HashMap<String, Vec<String>>,
    ) -> weld_rpc::RpcResult<Self> {
        let body = weld_rpc::common::to_json(&payload)?;
        let mut header: HeaderMap = headers
            .into_iter()
            .map(|(name, values)| (name.to_lowercase(), values))
            .collect();
        header
            .entry("content-type".to_string())
            .or_insert_with(|| vec!["application/json".to_string()]);
        Ok(HttpResponse { status_code, header, body })
    }

    /// Adds a header value (a name may carry several values).
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.header.entry(name.into()).or_default().push(value.into());
        self
    }
}

/// Request header naming the request's stream on a link with
/// `stream_body_over` (weld's body streaming, see [`HttpBody`]).
pub const STREAM_HEADER: &str = "x-weld-stream";
/// Request header whose value `streamed` says the body was left for
/// [`HttpBody::read_body`] (the request's `body` is empty).
pub const BODY_HEADER: &str = "x-weld-body";

impl HttpRequest {
    /// The stream id of this request, when its link streams bodies: the
    /// id [`HttpBody`] calls take.
    pub fn stream_id(&self) -> Option<&str> {
        self.header
            .get(STREAM_HEADER)
            .and_then(|v| v.first())
            .map(String::as_str)
    }

    /// Whether the body is to be read with [`HttpBody::read_body`] rather
    /// than found in `body`.
    pub fn body_is_streamed(&self) -> bool {
        self.header
            .get(BODY_HEADER)
            .is_some_and(|v| v.iter().any(|v| v == "streamed"))
    }
}
