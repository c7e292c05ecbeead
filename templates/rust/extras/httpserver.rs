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

    /// Adds a header value (a name may carry several values).
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.header.entry(name.into()).or_default().push(value.into());
        self
    }
}
