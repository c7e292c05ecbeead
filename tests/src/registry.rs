//! A real OCI registry for a test: Debian's `docker-registry` (distribution
//! 2.8, `scripts/setup.sh registry` installs it) on a free loopback port,
//! with temporary storage, open, with htpasswd auth, or with token auth
//! backed by a small token server run in the test process. Stopped when
//! dropped.
//!
//! The token server speaks the Docker token protocol the way Docker Hub's
//! and Harbor's do: `GET /token?service=S&scope=repository:NAME:pull,push`
//! with HTTP basic credentials answers `{"token": JWT, ...}`, the JWT
//! signed (ES256) by a key whose self-signed certificate is the registry's
//! `rootcertbundle` and rides in the token's `x5c` header. The registry
//! checks what distribution's `registry/auth/token` checks: issuer,
//! audience (the service), `exp`/`nbf`, the signature through the `x5c`
//! chain, and that `access` grants the repository and action asked for.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};

use crate::{free_addr, in_ci};

/// The user and password of a registry started with auth (htpasswd, or
/// the token server's only account).
pub const USER: &str = "weld";
/// See [`USER`].
pub const PASSWORD: &str = "weld-registry-pw";
/// The `service` a token-auth registry names in its challenge, and the
/// audience its tokens must carry.
pub const SERVICE: &str = "weld-test-registry";
/// The issuer the registry trusts.
const ISSUER: &str = "weld-test-token-server";

/// How a registry lets clients in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// Anyone may push and pull.
    Open,
    /// HTTP basic, checked against an htpasswd file ([`USER`], [`PASSWORD`]).
    Htpasswd,
    /// Bearer tokens from [`TokenServer`], which wants [`USER`], [`PASSWORD`].
    Token,
}

/// A running registry.
pub struct Registry {
    child: Child,
    addr: SocketAddr,
    dir: tempfile::TempDir,
    /// Its token server, when it uses token auth (stopped after the
    /// registry: `drop` kills the process before fields are dropped).
    tokens: Option<TokenServer>,
}

fn binary(name: &str) -> Option<PathBuf> {
    ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/bin"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}

impl Registry {
    /// Starts one; `auth` turns on htpasswd auth ([`USER`], [`PASSWORD`]).
    /// `None` (skip) when the registry is not installed, except under CI,
    /// where that panics.
    pub fn start(auth: bool) -> Option<Registry> {
        Self::start_with(if auth { Auth::Htpasswd } else { Auth::Open })
    }

    /// Starts one that lets clients in as `auth` says; see [`Registry::start`].
    pub fn start_with(auth: Auth) -> Option<Registry> {
        let Some(bin) = binary("docker-registry") else {
            let msg = "docker-registry is not installed (scripts/setup.sh registry)";
            if in_ci() {
                panic!("{msg}; required under CI=true");
            }
            eprintln!("skipping: {msg}");
            return None;
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let addr = free_addr();
        let mut config = format!(
            "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {addr}\n",
            dir.path().join("data").display()
        );
        let mut tokens = None;
        match auth {
            Auth::Open => {}
            Auth::Htpasswd => {
                let htpasswd = binary("htpasswd").expect("htpasswd (apache2-utils) is installed");
                let out = Command::new(htpasswd)
                    .args(["-Bbn", USER, PASSWORD])
                    .output()
                    .expect("run htpasswd");
                assert!(out.status.success(), "htpasswd failed");
                let file = dir.path().join("htpasswd");
                std::fs::write(&file, &out.stdout).unwrap();
                config.push_str(&format!(
                    "auth:\n  htpasswd:\n    realm: weld-test\n    path: {}\n",
                    file.display()
                ));
            }
            Auth::Token => {
                let server = TokenServer::start();
                let bundle = dir.path().join("token-signer.pem");
                std::fs::write(&bundle, &server.cert_pem).unwrap();
                config.push_str(&format!(
                    "auth:\n  token:\n    realm: {}\n    service: {SERVICE}\n    issuer: {ISSUER}\n    rootcertbundle: {}\n",
                    server.realm(),
                    bundle.display()
                ));
                tokens = Some(server);
            }
        }
        let config_file = dir.path().join("config.yml");
        std::fs::write(&config_file, config).unwrap();
        let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
        let child = Command::new(bin)
            .arg("serve")
            .arg(&config_file)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start docker-registry");
        let reg = Registry {
            child,
            addr,
            dir,
            tokens,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(addr).is_err() {
            assert!(
                Instant::now() < deadline,
                "the registry did not listen on {addr}: {}",
                reg.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(reg)
    }

    /// `127.0.0.1:PORT`, the registry part of references.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// What it logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    /// Its token server; panics unless started with [`Auth::Token`].
    pub fn token_server(&self) -> &TokenServer {
        self.tokens
            .as_ref()
            .expect("the registry was started with token auth")
    }

    /// Where the filesystem driver keeps what was pushed.
    fn storage(&self) -> PathBuf {
        self.dir.path().join("data/docker/registry/v2")
    }

    /// The file holding blob `digest` (`sha256:HEX`) in the registry's
    /// storage: distribution 2.8's filesystem layout,
    /// `blobs/sha256/HE/HEX/data`.
    pub fn blob_file(&self, digest: &str) -> PathBuf {
        let hex = digest
            .strip_prefix("sha256:")
            .unwrap_or_else(|| panic!("not a sha256 digest: {digest}"));
        self.storage()
            .join("blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }

    /// Whether anything was ever pushed to `repository` (e.g. `weld/x`):
    /// the registry makes its folder on the first blob upload.
    pub fn has_repository(&self, repository: &str) -> bool {
        self.storage()
            .join("repositories")
            .join(repository)
            .exists()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Docker token server on a loopback port, serving one request at a time
/// on its own thread (clients here ask for a token per operation, so there
/// is nothing to gain from more). Stopped when dropped.
pub struct TokenServer {
    addr: SocketAddr,
    cert_pem: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// The key tokens are signed with, and its certificate for `x5c`.
struct Signer {
    key: EcdsaKeyPair,
    rng: SystemRandom,
    /// The DER certificate, standard base64 (as `x5c` wants it).
    cert_b64: String,
    /// Makes each token's `jti` unique.
    issued: AtomicU64,
}

impl Signer {
    /// A fresh P-256 key with a self-signed certificate; also the PEM of
    /// that certificate, the registry's trust root.
    fn generate() -> (Signer, String) {
        let made = rcgen::generate_simple_self_signed(vec![ISSUER.to_string()])
            .expect("a self-signed certificate");
        let rng = SystemRandom::new();
        // rcgen signs certificates with ASN.1 ECDSA signatures; a JWS wants
        // the fixed r||s form, so the token signer is ring's own key from
        // the same PKCS#8 bytes.
        let key = EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            &made.signing_key.serialize_der(),
            &rng,
        )
        .expect("rcgen's P-256 key in PKCS#8");
        let signer = Signer {
            key,
            rng,
            cert_b64: STANDARD.encode(made.cert.der()),
            issued: AtomicU64::new(0),
        };
        (signer, made.cert.pem())
    }

    /// A JWT for `subject` granting `access` (distribution's
    /// `ResourceActions` list), valid for five minutes.
    fn token(&self, subject: &str, access: serde_json::Value) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_secs();
        let header = serde_json::json!({
            "typ": "JWT",
            "alg": "ES256",
            "x5c": [self.cert_b64],
        });
        let claims = serde_json::json!({
            "iss": ISSUER,
            "sub": subject,
            "aud": SERVICE,
            "iat": now,
            "nbf": now,
            "exp": now + 300,
            "jti": format!("weld-{now}-{}", self.issued.fetch_add(1, Ordering::Relaxed)),
            "access": access,
        });
        let signed = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self
            .key
            .sign(&self.rng, signed.as_bytes())
            .expect("ECDSA signing");
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
    }
}

/// `%XX` and `+` in a query component, decoded.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], escaped) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One HTTP answer: status line, JSON body, then the connection closes.
fn respond(stream: &mut TcpStream, status: &str, extra: &str, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

impl TokenServer {
    fn start() -> TokenServer {
        let (signer, cert_pem) = Signer::generate();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the token server");
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::Acquire) {
                        break;
                    }
                    if let Ok(mut stream) = conn {
                        serve(&signer, &mut stream);
                    }
                }
            })
        };
        TokenServer {
            addr,
            cert_pem,
            stop,
            thread: Some(thread),
        }
    }

    /// The realm the registry sends clients to.
    pub fn realm(&self) -> String {
        format!("http://{}/token", self.addr)
    }

    /// A token for `scope` (`repository:NAME:pull,push`), asked over HTTP
    /// as a client would, with [`USER`] and [`PASSWORD`].
    pub fn token(&self, scope: &str) -> String {
        let basic = STANDARD.encode(format!("{USER}:{PASSWORD}"));
        let scope: String = scope
            .bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        let req = format!(
            "GET /token?service={SERVICE}&scope={scope} HTTP/1.1\r\nHost: {}\r\nAuthorization: Basic {basic}\r\nConnection: close\r\n\r\n",
            self.addr
        );
        let raw = crate::http::raw_exchange(self.addr, req.as_bytes(), Duration::from_secs(5))
            .expect("ask the token server");
        let text = String::from_utf8_lossy(&raw);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        assert!(head.starts_with("HTTP/1.1 200"), "token server: {text}");
        let answer: serde_json::Value =
            serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
        answer["token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token in {answer}"))
            .to_string()
    }
}

impl Drop for TokenServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        // Wakes the blocking accept so that the thread sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Answers one token request.
fn serve(signer: &Signer, stream: &mut TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut raw = Vec::new();
    let mut buf = [0u8; 2048];
    // A GET has no body: the request ends with its headers.
    while !raw.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
        if raw.len() > 64 * 1024 {
            return respond(stream, "431 Request Header Fields Too Large", "", "{}");
        }
    }
    let text = String::from_utf8_lossy(&raw);
    let mut lines = text.split("\r\n");
    let target = lines
        .next()
        .and_then(|l| l.strip_prefix("GET "))
        .and_then(|l| l.split(' ').next())
        .unwrap_or("");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != "/token" {
        return respond(stream, "404 Not Found", "", r#"{"details":"not found"}"#);
    }
    let credentials = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("authorization"))
        .and_then(|(_, v)| v.trim().strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    if credentials.as_deref() != Some(&format!("{USER}:{PASSWORD}")) {
        // As Docker Hub: no or wrong credentials get 401, not an anonymous
        // token, so a client cannot mistake them for accepted ones.
        return respond(
            stream,
            "401 Unauthorized",
            "WWW-Authenticate: Basic realm=\"weld-token\"\r\n",
            r#"{"details":"incorrect username or password"}"#,
        );
    }
    let mut access = Vec::new();
    for (key, value) in query.split('&').filter_map(|kv| kv.split_once('=')) {
        let value = percent_decode(value);
        match key {
            "service" if value != SERVICE => {
                return respond(
                    stream,
                    "400 Bad Request",
                    "",
                    r#"{"details":"unknown service"}"#,
                );
            }
            // `repository:NAME:ACTIONS`; NAME has no `:` (a port is not
            // part of a repository name), so the last `:` splits.
            "scope" => {
                if let Some((kind_name, actions)) = value.rsplit_once(':') {
                    if let Some((kind, name)) = kind_name.split_once(':') {
                        // USER owns every repository: grant what is asked.
                        let actions: Vec<&str> = actions.split(',').collect();
                        access.push(serde_json::json!({
                            "type": kind, "name": name, "actions": actions,
                        }));
                    }
                }
            }
            _ => {}
        }
    }
    let token = signer.token(USER, serde_json::Value::Array(access));
    let body = serde_json::json!({
        "token": token,
        "access_token": token,
        "expires_in": 300,
    });
    respond(stream, "200 OK", "", &body.to_string());
}
