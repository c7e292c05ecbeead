//! Smithy `timestamp`: seconds and nanoseconds since the Unix epoch (UTC).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize};

use crate::cbor::{self, CborDecode, CborEncode, Decoder, Encoder, Type};
use crate::error::{RpcError, RpcResult};

const NANOS_PER_SEC: u32 = 1_000_000_000;

/// A point in time: whole seconds since 1970-01-01T00:00:00Z and the
/// nanoseconds within that second (`0..1_000_000_000`).
///
/// MessagePack form (as upstream): a struct `{sec, nsec}`. CBOR form: the
/// array `[sec, nsec]`; the map form and a tag-1 epoch number are read too.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Timestamp {
    /// Seconds since the epoch (negative before 1970).
    pub sec: i64,
    /// Nanoseconds within the second, always below one billion.
    pub nsec: u32,
}

impl Timestamp {
    /// Builds a timestamp, refusing `nsec` of one second or more.
    pub fn new(sec: i64, nsec: u32) -> RpcResult<Self> {
        if nsec >= NANOS_PER_SEC {
            return Err(RpcError::InvalidParameter(format!(
                "timestamp nanoseconds {nsec} must be below {NANOS_PER_SEC}"
            )));
        }
        Ok(Timestamp { sec, nsec })
    }

    /// The current time. Not available in a wasm32 guest, which has no clock
    /// of its own (ask the host, e.g. through a provider).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn now() -> Self {
        SystemTime::now().into()
    }

    /// Milliseconds since the epoch (saturating).
    pub fn as_millis(&self) -> i64 {
        self.sec
            .saturating_mul(1000)
            .saturating_add(i64::from(self.nsec / 1_000_000))
    }
}

impl From<SystemTime> for Timestamp {
    fn from(t: SystemTime) -> Self {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => Timestamp {
                sec: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                nsec: d.subsec_nanos(),
            },
            Err(e) => {
                // Before the epoch: floor to the whole second below.
                let d = e.duration();
                let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                match d.subsec_nanos() {
                    0 => Timestamp {
                        sec: -secs,
                        nsec: 0,
                    },
                    n => Timestamp {
                        sec: -secs - 1,
                        nsec: NANOS_PER_SEC - n,
                    },
                }
            }
        }
    }
}

impl From<Timestamp> for SystemTime {
    fn from(t: Timestamp) -> SystemTime {
        if t.sec >= 0 {
            UNIX_EPOCH + Duration::new(t.sec as u64, t.nsec)
        } else {
            UNIX_EPOCH - Duration::from_secs(t.sec.unsigned_abs())
                + Duration::from_nanos(u64::from(t.nsec))
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Same shape as the derive, plus the range check on `nsec`.
        #[derive(Deserialize)]
        #[serde(rename = "Timestamp")]
        struct Raw {
            sec: i64,
            nsec: u32,
        }
        let raw = Raw::deserialize(deserializer)?;
        Timestamp::new(raw.sec, raw.nsec).map_err(serde::de::Error::custom)
    }
}

impl CborEncode for Timestamp {
    fn encode_cbor(&self, e: &mut Encoder) -> RpcResult<()> {
        e.array(2)?.i64(self.sec)?.u32(self.nsec)?;
        Ok(())
    }
}

impl CborDecode for Timestamp {
    fn decode_cbor(d: &mut Decoder<'_>) -> RpcResult<Self> {
        if d.datatype()? == Type::Tag {
            // RFC 8949 tag 1: epoch seconds as an integer or a float.
            d.tag()?;
            return match d.datatype()? {
                Type::F16 | Type::F32 | Type::F64 => {
                    let f = f64::decode_cbor(d)?;
                    if !f.is_finite() || f.abs() > 9.0e15 {
                        return Err(RpcError::Deser(format!("timestamp {f} out of range")));
                    }
                    let sec = f.floor();
                    let nsec = ((f - sec) * f64::from(NANOS_PER_SEC)) as u32;
                    Timestamp::new(sec as i64, nsec.min(NANOS_PER_SEC - 1))
                }
                _ => Ok(Timestamp {
                    sec: d.i64()?,
                    nsec: 0,
                }),
            };
        }
        let (mut sec, mut nsec) = (None, None);
        cbor::decode_struct(d, "Timestamp", &[("sec", 0), ("nsec", 1)], |f, d| {
            match f {
                0 => sec = Some(d.i64()?),
                _ => nsec = Some(d.u32()?),
            }
            Ok(())
        })?;
        Timestamp::new(
            cbor::required(sec, "Timestamp", "sec")?,
            cbor::required(nsec, "Timestamp", "nsec")?,
        )
        .map_err(|e| RpcError::Deser(e.to_string()))
    }
}
