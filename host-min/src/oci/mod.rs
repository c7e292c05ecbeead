//! Actors and provider archives in OCI registries, wasmCloud's way
//! (`shared/spec/lattice.md` section 7), over the `oci-client` crate.
//!
//! An artifact is one layer and a config blob (`{}`), with the media types
//! wasmCloud 0.x uses, so what `wash` pushes a host here can pull and what
//! is pushed here upstream's hosts can pull:
//!
//! | kind | layer | config |
//! |---|---|---|
//! | actor | [`ACTOR_LAYER`] | [`ACTOR_CONFIG`] |
//! | provider archive | [`PROVIDER_LAYER`] | [`PROVIDER_CONFIG`] |
//!
//! A pull also accepts plain OCI tar layers ([`OCI_TAR_LAYER`], layers
//! concatenated), as upstream; anything else, such as a container image, is
//! refused with its media type. A reference without a tag, or with
//! `latest`, is refused unless allowed (a tag that moves under a running
//! lattice; upstream's `WASMCLOUD_OCI_ALLOW_LATEST`); `REF@sha256:...` pins
//! the manifest, and a registry that answers with another one is refused,
//! as is a layer whose bytes do not hash to the digest its manifest lists.

pub mod cache;
pub mod cli;

use std::fmt;

use oci_client::client::{ClientConfig, ClientProtocol, Config, ImageLayer};
use oci_client::errors::{DigestError, OciDistributionError, OciErrorCode};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};

/// Layer media type of an actor module.
pub const ACTOR_LAYER: &str = "application/vnd.module.wasm.content.layer.v1+wasm";
/// Config media type of an actor.
pub const ACTOR_CONFIG: &str = "application/vnd.wasmcloud.actor.archive.config";
/// Layer media type of a provider archive (`.par.gz`).
pub const PROVIDER_LAYER: &str = "application/vnd.wasmcloud.provider.archive.layer.v1+par";
/// Config media type of a provider archive.
pub const PROVIDER_CONFIG: &str = "application/vnd.wasmcloud.provider.archive.config";
/// A plain OCI tar layer, which a pull accepts too.
pub const OCI_TAR_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";

/// What an artifact holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArtifactKind {
    /// A wasm actor module.
    Actor,
    /// A provider archive.
    Provider,
}

impl ArtifactKind {
    /// The layer media type it is pushed with.
    pub fn layer_media_type(self) -> &'static str {
        match self {
            ArtifactKind::Actor => ACTOR_LAYER,
            ArtifactKind::Provider => PROVIDER_LAYER,
        }
    }

    /// The config media type it is pushed with.
    pub fn config_media_type(self) -> &'static str {
        match self {
            ArtifactKind::Actor => ACTOR_CONFIG,
            ArtifactKind::Provider => PROVIDER_CONFIG,
        }
    }

    /// The kind of `bytes` by their first bytes: a wasm module (`\0asm`),
    /// or a provider archive (gzip, or a tar).
    pub fn sniff(bytes: &[u8]) -> Option<ArtifactKind> {
        if bytes.starts_with(b"\0asm") {
            Some(ArtifactKind::Actor)
        } else if bytes.starts_with(&[0x1f, 0x8b])
            || bytes.get(257..262) == Some(b"ustar".as_slice())
        {
            Some(ArtifactKind::Provider)
        } else {
            None
        }
    }

    /// A file name suffix for it.
    pub fn extension(self) -> &'static str {
        match self {
            ArtifactKind::Actor => "wasm",
            ArtifactKind::Provider => "par.gz",
        }
    }
}

impl fmt::Display for ArtifactKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ArtifactKind::Actor => "actor",
            ArtifactKind::Provider => "provider archive",
        })
    }
}

/// How to authenticate to a registry.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Credentials {
    /// No credentials.
    #[default]
    Anonymous,
    /// A user name and password (HTTP basic, or exchanged for a token).
    Basic {
        /// The user.
        username: String,
        /// The password.
        password: String,
    },
    /// A bearer token.
    Token(String),
}

/// Secrets stay out of logs.
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Anonymous => f.write_str("Anonymous"),
            Credentials::Basic { username, .. } => {
                write!(f, "Basic({username}, <redacted>)")
            }
            Credentials::Token(_) => f.write_str("Token(<redacted>)"),
        }
    }
}

impl Credentials {
    fn auth(&self) -> RegistryAuth {
        match self {
            Credentials::Anonymous => RegistryAuth::Anonymous,
            Credentials::Basic { username, password } => {
                RegistryAuth::Basic(username.clone(), password.clone())
            }
            Credentials::Token(t) => RegistryAuth::Bearer(t.clone()),
        }
    }
}

/// How to reach registries.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// Credentials for the registry of the reference.
    pub credentials: Credentials,
    /// Registries (`host[:port]`) spoken to over plain HTTP; any other is
    /// HTTPS (upstream's `WASMCLOUD_OCI_ALLOWED_INSECURE`).
    pub insecure: Vec<String>,
    /// Whether a pull may name `latest` (or no tag).
    pub allow_latest: bool,
}

impl RegistryOptions {
    /// Upstream's environment: `WASMCLOUD_OCI_ALLOWED_INSECURE` (registries,
    /// comma-separated), `WASMCLOUD_OCI_ALLOW_LATEST` (`true`/`1`) and
    /// `OCI_REGISTRY_USER` with `OCI_REGISTRY_PASSWORD`.
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        RegistryOptions {
            credentials: match (var("OCI_REGISTRY_USER"), var("OCI_REGISTRY_PASSWORD")) {
                (Some(username), Some(password)) => Credentials::Basic { username, password },
                _ => Credentials::Anonymous,
            },
            insecure: var("WASMCLOUD_OCI_ALLOWED_INSECURE")
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            allow_latest: var("WASMCLOUD_OCI_ALLOW_LATEST")
                .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1"),
        }
    }
}

/// Why a push or a pull failed. Each says what to do in one line.
#[derive(Debug, thiserror::Error)]
pub enum OciError {
    /// The reference does not parse.
    #[error("`{reference}` is not an OCI reference ({reason}); write REGISTRY/REPOSITORY:TAG or REGISTRY/REPOSITORY@sha256:DIGEST")]
    BadReference {
        /// What was given.
        reference: String,
        /// Why it is not one.
        reason: String,
    },
    /// `latest` (or no tag) without permission.
    #[error("`{reference}` names the tag `latest`, which can change under a running lattice; name a version or a digest, or allow latest")]
    Latest {
        /// The reference.
        reference: String,
    },
    /// The registry could not be reached.
    #[error("cannot reach registry {registry}: {detail}")]
    Unreachable {
        /// `host[:port]`.
        registry: String,
        /// What failed.
        detail: String,
    },
    /// 401: no or wrong credentials.
    #[error("registry {registry} refused access to {reference} (401 Unauthorized): give a user and password, or a token")]
    Unauthorized {
        /// `host[:port]`.
        registry: String,
        /// The reference.
        reference: String,
    },
    /// No such repository or tag.
    #[error("{reference}: not found in registry {registry}")]
    NotFound {
        /// `host[:port]`.
        registry: String,
        /// The reference.
        reference: String,
    },
    /// The artifact is something else (e.g. a container image).
    #[error("{reference} is not a wasmCloud actor or provider archive: its layer is {media_type}")]
    WrongMediaType {
        /// The reference.
        reference: String,
        /// The media type found.
        media_type: String,
    },
    /// What the registry sent does not hash to the digest that names it:
    /// a manifest pinned by `@sha256:...`, or a layer its manifest lists.
    /// Nothing of it is kept.
    #[error("{reference}: digest mismatch: expected {expected}, the registry sent content hashing to {actual}")]
    DigestMismatch {
        /// The reference.
        reference: String,
        /// The digest asked for (pinned, or listed in the manifest).
        expected: String,
        /// The digest of what came.
        actual: String,
    },
    /// The file to push is neither a wasm module nor a provider archive.
    #[error("{what} is neither a wasm module nor a provider archive (.par.gz)")]
    UnknownKind {
        /// The file.
        what: String,
    },
    /// Anything else the registry said.
    #[error("registry {registry}: {detail}")]
    Registry {
        /// `host[:port]`.
        registry: String,
        /// What it said.
        detail: String,
    },
}

/// What a pull brought.
#[derive(Debug, Clone)]
pub struct Pulled {
    /// What it is.
    pub kind: ArtifactKind,
    /// The module or the archive.
    pub bytes: Vec<u8>,
    /// The manifest's digest (`sha256:...`).
    pub digest: String,
}

/// What a push made.
#[derive(Debug, Clone)]
pub struct Pushed {
    /// The manifest's digest (`sha256:...`).
    pub digest: String,
    /// Where the manifest is.
    pub manifest_url: String,
}

/// Parses `reference` (an `oci://` prefix is allowed).
pub fn parse_reference(reference: &str) -> Result<Reference, OciError> {
    let text = reference.strip_prefix("oci://").unwrap_or(reference);
    text.parse::<Reference>()
        .map_err(|e| OciError::BadReference {
            reference: reference.to_string(),
            reason: e.to_string(),
        })
}

/// Whether `reference` asks for `latest`: its tag, or no tag and no digest.
pub fn is_latest(r: &Reference) -> bool {
    r.digest().is_none() && r.tag().is_none_or(|t| t == "latest")
}

fn client(opts: &RegistryOptions) -> Client {
    // rustls with ring, as everywhere in weld (no C toolchain for aws-lc).
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::new(ClientConfig {
        protocol: ClientProtocol::HttpsExcept(opts.insecure.clone()),
        ..ClientConfig::default()
    })
}

/// A registry error as one of ours.
fn classify(r: &Reference, text: &str, e: OciDistributionError) -> OciError {
    let registry = r.resolve_registry().to_string();
    let reference = text.to_string();
    let other = |detail: String| OciError::Registry {
        registry: registry.clone(),
        detail,
    };
    match e {
        OciDistributionError::UnauthorizedError { .. }
        | OciDistributionError::AuthenticationFailure(_) => OciError::Unauthorized {
            registry,
            reference,
        },
        OciDistributionError::ImageManifestNotFoundError(_) => OciError::NotFound {
            registry,
            reference,
        },
        OciDistributionError::IncompatibleLayerMediaTypeError(media_type)
        | OciDistributionError::UnsupportedMediaTypeError(media_type) => OciError::WrongMediaType {
            reference,
            media_type,
        },
        OciDistributionError::RegistryError { ref envelope, .. } => {
            let codes: Vec<&OciErrorCode> = envelope.errors.iter().map(|e| &e.code).collect();
            if codes.iter().any(|c| {
                matches!(
                    c,
                    OciErrorCode::ManifestUnknown
                        | OciErrorCode::NameUnknown
                        | OciErrorCode::BlobUnknown
                )
            }) {
                OciError::NotFound {
                    registry,
                    reference,
                }
            } else if codes
                .iter()
                .any(|c| matches!(c, OciErrorCode::Unauthorized | OciErrorCode::Denied))
            {
                OciError::Unauthorized {
                    registry,
                    reference,
                }
            } else {
                other(e.to_string())
            }
        }
        OciDistributionError::ServerError { code: 401, .. } => OciError::Unauthorized {
            registry,
            reference,
        },
        OciDistributionError::ServerError { code: 404, .. } => OciError::NotFound {
            registry,
            reference,
        },
        // oci-client hashes manifests and layers as they arrive and compares
        // them with the pinned digest, the registry's Docker-Content-Digest
        // header and the manifest's layer digests.
        OciDistributionError::DigestError(DigestError::VerificationError { expected, actual }) => {
            OciError::DigestMismatch {
                reference,
                expected,
                actual,
            }
        }
        OciDistributionError::RequestError(ref re) if re.is_connect() || re.is_timeout() => {
            let mut detail = re.to_string();
            let mut source = std::error::Error::source(re);
            while let Some(s) = source {
                detail = format!("{detail}: {s}");
                source = s.source();
            }
            if detail.contains("corrupt message") || detail.contains("InvalidContentType") {
                // TLS spoken to a plain-HTTP registry.
                detail.push_str(" (if the registry speaks plain HTTP, allow it as insecure)");
            }
            OciError::Unreachable { registry, detail }
        }
        other_error => other(other_error.to_string()),
    }
}

/// Pushes `bytes` (of `kind`) to `reference`.
pub async fn push(
    reference: &str,
    bytes: Vec<u8>,
    kind: ArtifactKind,
    opts: &RegistryOptions,
) -> Result<Pushed, OciError> {
    push_layer(
        reference,
        bytes,
        kind.layer_media_type(),
        kind.config_media_type(),
        opts,
    )
    .await
}

/// Pushes `bytes` as the one layer of an artifact with these media types
/// (and `{}` as its config). [`push`] is this with wasmCloud's types.
pub async fn push_layer(
    reference: &str,
    bytes: Vec<u8>,
    layer_media_type: &str,
    config_media_type: &str,
    opts: &RegistryOptions,
) -> Result<Pushed, OciError> {
    let r = parse_reference(reference)?;
    let client = client(opts);
    let auth = opts.credentials.auth();
    let layers = [ImageLayer::new(bytes, layer_media_type.to_string(), None)];
    let config = Config::new(b"{}".to_vec(), config_media_type.to_string(), None);
    let pushed = client
        .push(&r, &layers, config, &auth, None)
        .await
        .map_err(|e| classify(&r, reference, e))?;
    let digest = client
        .fetch_manifest_digest(&r, &auth)
        .await
        .map_err(|e| classify(&r, reference, e))?;
    Ok(Pushed {
        digest,
        manifest_url: pushed.manifest_url,
    })
}

/// Pulls the actor or provider archive at `reference`.
pub async fn pull(reference: &str, opts: &RegistryOptions) -> Result<Pulled, OciError> {
    let r = parse_reference(reference)?;
    if !opts.allow_latest && is_latest(&r) {
        return Err(OciError::Latest {
            reference: reference.to_string(),
        });
    }
    let client = client(opts);
    let image = client
        .pull(
            &r,
            &opts.credentials.auth(),
            vec![ACTOR_LAYER, PROVIDER_LAYER, OCI_TAR_LAYER],
        )
        .await
        .map_err(|e| classify(&r, reference, e))?;
    let digest = image.digest.clone().unwrap_or_default();
    if let Some(pinned) = r.digest() {
        if pinned != digest {
            return Err(OciError::DigestMismatch {
                reference: reference.to_string(),
                expected: pinned.to_string(),
                actual: digest,
            });
        }
    }
    let by_config = match image.config.media_type.as_str() {
        ACTOR_CONFIG => Some(ArtifactKind::Actor),
        PROVIDER_CONFIG => Some(ArtifactKind::Provider),
        _ => None,
    };
    let by_layer = image
        .layers
        .iter()
        .find_map(|l| match l.media_type.as_str() {
            ACTOR_LAYER => Some(ArtifactKind::Actor),
            PROVIDER_LAYER => Some(ArtifactKind::Provider),
            _ => None,
        });
    let bytes: Vec<u8> = image
        .layers
        .iter()
        .flat_map(|l| l.data.iter().copied())
        .collect();
    let kind = by_layer
        .or(by_config)
        .or_else(|| ArtifactKind::sniff(&bytes))
        .ok_or_else(|| OciError::WrongMediaType {
            reference: reference.to_string(),
            media_type: image
                .layers
                .first()
                .map_or_else(|| "(no layer)".to_string(), |l| l.media_type.clone()),
        })?;
    Ok(Pulled {
        kind,
        bytes,
        digest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_sniffed() {
        assert_eq!(
            ArtifactKind::sniff(b"\0asm\x01\0\0\0"),
            Some(ArtifactKind::Actor)
        );
        assert_eq!(
            ArtifactKind::sniff(&[0x1f, 0x8b, 8, 0]),
            Some(ArtifactKind::Provider)
        );
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(ArtifactKind::sniff(&tar), Some(ArtifactKind::Provider));
        assert_eq!(ArtifactKind::sniff(b"#!/bin/sh"), None);
    }

    #[test]
    fn latest_is_a_tag_named_latest_or_none() {
        let latest = |s: &str| is_latest(&parse_reference(s).unwrap());
        assert!(latest("localhost:5000/kv"));
        assert!(latest("oci://localhost:5000/kv:latest"));
        assert!(!latest("localhost:5000/kv:0.1.0"));
        assert!(!latest(
            "localhost:5000/kv@sha256:0123456789012345678901234567890123456789012345678901234567890123"
        ));
        let e = parse_reference("Not A Ref").unwrap_err();
        assert!(e.to_string().contains("not an OCI reference"), "{e}");
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let c = Credentials::Basic {
            username: "u".into(),
            password: "hunter2".into(),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
        assert!(!format!("{:?}", Credentials::Token("tok".into())).contains("tok"));
    }
}
