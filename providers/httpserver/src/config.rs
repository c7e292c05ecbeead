//! Upstream's JSON settings (`config_json`, `config_b64`: `address`,
//! `timeout_ms`, `max_content_len`, `cache_control`, `readonly_mode`,
//! `tls{cert_file,priv_key_file}`, `cors{allowed_origins,allowed_headers,
//! allowed_methods,exposed_headers,max_age_secs}`), CORS and TLS.

use std::path::PathBuf;
use std::sync::Arc;

use hyper::header::{HeaderMap, HeaderValue};
use serde::Deserialize;
use weld_rpc::provider::lifecycle::Setting;

/// CORS policy of a link (upstream's defaults when none is given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cors {
    /// Allowed origins, lower case; empty: any.
    pub allowed_origins: Vec<String>,
    /// Allowed request headers, lower case.
    pub allowed_headers: Vec<String>,
    /// Allowed methods, upper case.
    pub allowed_methods: Vec<String>,
    /// Response headers a browser may read.
    pub exposed_headers: Vec<String>,
    /// How long a browser may cache a preflight answer.
    pub max_age_secs: u64,
}

impl Default for Cors {
    fn default() -> Self {
        let list = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        Cors {
            allowed_origins: Vec::new(),
            allowed_headers: list(&[
                "accept",
                "accept-language",
                "content-type",
                "content-language",
            ]),
            allowed_methods: list(&["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"]),
            exposed_headers: Vec::new(),
            max_age_secs: 300,
        }
    }
}

/// What CORS says of one request.
#[derive(Debug, PartialEq, Eq)]
pub enum CorsVerdict {
    /// No `Origin`: not a cross-origin request.
    NotCors,
    /// A preflight that is allowed: answer it with these headers.
    Preflight(HeaderMap),
    /// An allowed request: add these headers to the actor's answer.
    Allowed(HeaderMap),
    /// Refused (403), with why.
    Forbidden(&'static str),
}

impl Cors {
    fn origin_allowed(&self, origin: &str) -> bool {
        self.allowed_origins.is_empty()
            || self
                .allowed_origins
                .iter()
                .any(|o| o == "*" || o.eq_ignore_ascii_case(origin))
    }

    fn allow_origin(&self, origin: &HeaderValue, h: &mut HeaderMap) {
        let any = self.allowed_origins.is_empty() || self.allowed_origins.iter().any(|o| o == "*");
        let value = if any {
            HeaderValue::from_static("*")
        } else {
            origin.clone()
        };
        h.insert("access-control-allow-origin", value);
        if !any {
            h.append("vary", HeaderValue::from_static("origin"));
        }
    }

    /// Judges a request from its method and headers.
    pub fn judge(&self, method: &hyper::Method, headers: &HeaderMap) -> CorsVerdict {
        let Some(origin) = headers.get("origin") else {
            return CorsVerdict::NotCors;
        };
        if !self.origin_allowed(origin.to_str().unwrap_or("")) {
            return CorsVerdict::Forbidden("origin not allowed");
        }
        let mut out = HeaderMap::new();
        self.allow_origin(origin, &mut out);
        let requested = headers.get("access-control-request-method");
        if method == hyper::Method::OPTIONS && requested.is_some() {
            let wanted = requested.and_then(|m| m.to_str().ok()).unwrap_or("");
            if !self
                .allowed_methods
                .iter()
                .any(|m| m.eq_ignore_ascii_case(wanted))
            {
                return CorsVerdict::Forbidden("method not allowed");
            }
            let asked = headers
                .get_all("access-control-request-headers")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty());
            for h in asked {
                if !self.allowed_headers.contains(&h) {
                    return CorsVerdict::Forbidden("header not allowed");
                }
            }
            let join = |v: &[String]| HeaderValue::from_str(&v.join(", ")).ok();
            if let Some(v) = join(&self.allowed_methods) {
                out.insert("access-control-allow-methods", v);
            }
            if let Some(v) = join(&self.allowed_headers) {
                out.insert("access-control-allow-headers", v);
            }
            out.insert(
                "access-control-max-age",
                HeaderValue::from(self.max_age_secs),
            );
            return CorsVerdict::Preflight(out);
        }
        if !self.exposed_headers.is_empty() {
            if let Ok(v) = HeaderValue::from_str(&self.exposed_headers.join(", ")) {
                out.insert("access-control-expose-headers", v);
            }
        }
        CorsVerdict::Allowed(out)
    }
}

/// Certificate chain and key files of a TLS listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// PEM certificate chain.
    pub cert_file: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub priv_key_file: PathBuf,
}

impl TlsFiles {
    /// A rustls server configuration from the files (HTTP/1.1 by ALPN).
    pub fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, String> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let certs = CertificateDer::pem_file_iter(&self.cert_file)
            .and_then(|it| it.collect::<Result<Vec<_>, _>>())
            .map_err(|e| {
                format!(
                    "cannot read certificates from {}: {e}",
                    self.cert_file.display()
                )
            })?;
        if certs.is_empty() {
            return Err(format!("no certificate in {}", self.cert_file.display()));
        }
        let key = PrivateKeyDer::from_pem_file(&self.priv_key_file).map_err(|e| {
            format!(
                "cannot read a private key from {}: {e}",
                self.priv_key_file.display()
            )
        })?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| format!("certificate and key do not make a TLS identity: {e}"))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

/// Upstream's JSON settings; every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonSettings {
    pub address: Option<String>,
    pub timeout_ms: Option<u64>,
    pub max_content_len: Option<SizeValue>,
    pub cache_control: Option<String>,
    pub readonly_mode: Option<bool>,
    pub tls: Option<JsonTls>,
    pub cors: Option<JsonCors>,
    /// Upstream's log level: accepted, not used (the host's log decides).
    pub log: Option<serde_json::Value>,
}

/// A size as a number of bytes or a string with a unit.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum SizeValue {
    Bytes(u64),
    Text(String),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonTls {
    pub cert_file: Option<String>,
    pub priv_key_file: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonCors {
    pub allowed_origins: Option<Vec<String>>,
    pub allowed_headers: Option<Vec<String>>,
    pub allowed_methods: Option<Vec<String>>,
    pub exposed_headers: Option<Vec<String>>,
    pub max_age_secs: Option<u64>,
}

impl JsonSettings {
    /// Parses `config_json` or `config_b64` (see [`Setting::json`]).
    pub fn parse(setting: &Setting) -> Result<JsonSettings, String> {
        setting
            .json()
            .map_err(|e| format!("Invalid httpserver settings: {e}"))
    }
}

impl JsonTls {
    /// Both files, or upstream's error.
    pub fn files(&self) -> Result<TlsFiles, String> {
        match (&self.cert_file, &self.priv_key_file) {
            (Some(c), Some(k)) if !c.is_empty() && !k.is_empty() => Ok(TlsFiles {
                cert_file: c.into(),
                priv_key_file: k.into(),
            }),
            _ => Err("Invalid httpserver settings: for tls, both 'cert_file' and 'priv_key_file' must be set".into()),
        }
    }
}

impl JsonCors {
    /// `base` with the fields given here replaced.
    pub fn over(self, mut base: Cors) -> Cors {
        let lower = |v: Vec<String>| {
            v.into_iter()
                .map(|s| s.trim().to_ascii_lowercase())
                .collect()
        };
        if let Some(v) = self.allowed_origins {
            base.allowed_origins = lower(v);
        }
        if let Some(v) = self.allowed_headers {
            base.allowed_headers = lower(v);
        }
        if let Some(v) = self.allowed_methods {
            base.allowed_methods = v
                .into_iter()
                .map(|s| s.trim().to_ascii_uppercase())
                .collect();
        }
        if let Some(v) = self.exposed_headers {
            base.exposed_headers = v;
        }
        if let Some(v) = self.max_age_secs {
            base.max_age_secs = v;
        }
        base
    }
}
