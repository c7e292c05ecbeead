//! Values between the contract and PostgreSQL: statement parameters (each
//! a CBOR value) in, result rows (a CBOR array of arrays) out.
//!
//! Parameters are sent to the server in PostgreSQL's *text* format (bytea
//! in binary), so the server parses them for whatever type the statement
//! needs: an integer parameter works for an `int2` column, a string for a
//! `timestamp` or `numeric` one, exactly as in `psql`.
//!
//! Result columns are read from the raw binary wire format, so no column
//! type can make a row undecodable (upstream panicked on NULL, CHAR,
//! TIMESTAMP and NUMERIC). Encodings, per column type:
//!
//! | PostgreSQL | CBOR |
//! |---|---|
//! | NULL (any type) | null |
//! | bool | bool |
//! | int2, int4, int8 | integer |
//! | oid | unsigned integer |
//! | float4, float8 | float (single, double) |
//! | text, varchar, char(n), name, "char", json, jsonb, xml, enums | text |
//! | bytea | bytes |
//! | bit, varbit | bytes (the bits, packed, as upstream) |
//! | uuid, inet, cidr, numeric, interval | text, as PostgreSQL prints it |
//! | date, time, timestamp, timestamptz | text: ISO 8601 (`2024-02-29`, `23:59:58.250`, `2024-02-29 12:34:56.789`; timestamptz in UTC, RFC 3339), fractions in 3, 6 or 9 digits, years before 1 as negative numbers, `infinity` / `-infinity` |
//! | anything else (arrays, ranges, geometry, ...) | bytes: the binary wire value |

use std::error::Error;

use chrono::{Duration as Span, NaiveDate, NaiveDateTime, NaiveTime};
use minicbor::data::Type as Cbor;
use tokio_postgres::types::{FromSql, IsNull, Kind, ToSql, Type};

type BoxError = Box<dyn Error + Sync + Send>;

/// One statement parameter, decoded from its CBOR encoding.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// CBOR null (or undefined): SQL NULL.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer (CBOR's whole range).
    Int(i128),
    /// A float.
    Float(f64),
    /// A text string.
    Text(String),
    /// A byte string.
    Bytes(Vec<u8>),
}

impl Param {
    /// Decodes one parameter; the error says what was found instead.
    pub fn decode(bytes: &[u8]) -> Result<Param, String> {
        let mut d = minicbor::Decoder::new(bytes);
        let bad = |e: minicbor::decode::Error| format!("not a CBOR value: {e}");
        let value = match d.datatype().map_err(bad)? {
            Cbor::Null | Cbor::Undefined => {
                d.skip().map_err(bad)?;
                Param::Null
            }
            Cbor::Bool => Param::Bool(d.bool().map_err(bad)?),
            Cbor::U8
            | Cbor::U16
            | Cbor::U32
            | Cbor::U64
            | Cbor::I8
            | Cbor::I16
            | Cbor::I32
            | Cbor::I64
            | Cbor::Int => Param::Int(i128::from(d.int().map_err(bad)?)),
            Cbor::F16 | Cbor::F32 | Cbor::F64 => Param::Float(d.f64().map_err(bad)?),
            Cbor::String | Cbor::StringIndef => {
                let mut s = String::new();
                for piece in d.str_iter().map_err(bad)? {
                    s.push_str(piece.map_err(bad)?);
                }
                Param::Text(s)
            }
            Cbor::Bytes | Cbor::BytesIndef => {
                let mut b = Vec::new();
                for piece in d.bytes_iter().map_err(bad)? {
                    b.extend_from_slice(piece.map_err(bad)?);
                }
                Param::Bytes(b)
            }
            other => {
                return Err(format!(
                    "a CBOR {other} cannot be a parameter (use null, bool, a number, text or bytes)"
                ))
            }
        };
        if d.position() != bytes.len() {
            return Err(format!(
                "{} bytes after the CBOR value",
                bytes.len() - d.position()
            ));
        }
        Ok(value)
    }

    /// PostgreSQL's text input form of this value.
    fn text(&self) -> Result<std::borrow::Cow<'_, str>, BoxError> {
        Ok(match self {
            Param::Null => "".into(),
            Param::Bool(b) => if *b { "t" } else { "f" }.into(),
            Param::Int(n) => n.to_string().into(),
            Param::Float(f) if f.is_nan() => "NaN".into(),
            Param::Float(f) if f.is_infinite() => {
                if *f > 0.0 { "Infinity" } else { "-Infinity" }.into()
            }
            Param::Float(f) => f.to_string().into(),
            Param::Text(s) => s.as_str().into(),
            // Upstream's decoders accept bytes for text; so does this.
            Param::Bytes(b) => std::str::from_utf8(b)
                .map_err(|_| "bytes that are not UTF-8 can only go to a bytea parameter")?
                .into(),
        })
    }
}

impl ToSql for Param {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut tokio_postgres::types::private::BytesMut,
    ) -> Result<IsNull, BoxError> {
        if *self == Param::Null {
            return Ok(IsNull::Yes);
        }
        if *ty == Type::BYTEA {
            match self {
                Param::Bytes(b) => out.extend_from_slice(b),
                Param::Text(s) => out.extend_from_slice(s.as_bytes()),
                _ => return Err("a bytea parameter takes bytes or text".into()),
            }
        } else {
            out.extend_from_slice(self.text()?.as_bytes());
        }
        Ok(IsNull::No)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    /// Text for everything but bytea: the server parses it for the type.
    fn encode_format(&self, ty: &Type) -> tokio_postgres::types::Format {
        if *ty == Type::BYTEA {
            tokio_postgres::types::Format::Binary
        } else {
            tokio_postgres::types::Format::Text
        }
    }

    tokio_postgres::types::to_sql_checked!();
}

/// A column value as it came off the wire (binary format), any type.
struct Raw<'a>(Option<&'a [u8]>);

impl<'a> FromSql<'a> for Raw<'a> {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(Raw(Some(raw)))
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(Raw(None))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// Why a value could not be encoded (a malformed wire value).
#[derive(Debug)]
pub struct EncodeError(pub String);

impl std::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn fixed<const N: usize>(raw: &[u8], ty: &Type) -> Result<[u8; N], EncodeError> {
    raw.try_into()
        .map_err(|_| EncodeError(format!("a {} value of {} bytes", ty.name(), raw.len())))
}

type Enc = minicbor::Encoder<Vec<u8>>;

fn text(enc: &mut Enc, s: &str) {
    // Writing to a Vec cannot fail.
    let _ = enc.str(s);
}

/// Encodes `rows` as a CBOR array of arrays (one per row, a value per
/// column).
pub fn encode_rows(rows: &[tokio_postgres::Row]) -> Result<Vec<u8>, EncodeError> {
    let mut enc = minicbor::Encoder::new(Vec::with_capacity(rows.len() * 16));
    let _ = enc.array(rows.len() as u64);
    for row in rows {
        let columns = row.columns();
        let _ = enc.array(columns.len() as u64);
        for (i, col) in columns.iter().enumerate() {
            let raw: Raw<'_> = row
                .try_get(i)
                .map_err(|e| EncodeError(format!("column {}: {e}", col.name())))?;
            encode_value(&mut enc, col.type_(), raw.0)
                .map_err(|e| EncodeError(format!("column {}: {e}", col.name())))?;
        }
    }
    Ok(enc.into_writer())
}

fn encode_value(enc: &mut Enc, ty: &Type, raw: Option<&[u8]>) -> Result<(), EncodeError> {
    let Some(raw) = raw else {
        let _ = enc.null();
        return Ok(());
    };
    match *ty {
        Type::BOOL => {
            let _ = enc.bool(fixed::<1>(raw, ty)?[0] != 0);
        }
        Type::INT2 => {
            let _ = enc.i16(i16::from_be_bytes(fixed(raw, ty)?));
        }
        Type::INT4 => {
            let _ = enc.i32(i32::from_be_bytes(fixed(raw, ty)?));
        }
        Type::INT8 => {
            let _ = enc.i64(i64::from_be_bytes(fixed(raw, ty)?));
        }
        Type::OID => {
            let _ = enc.u32(u32::from_be_bytes(fixed(raw, ty)?));
        }
        Type::FLOAT4 => {
            let _ = enc.f32(f32::from_be_bytes(fixed(raw, ty)?));
        }
        Type::FLOAT8 => {
            let _ = enc.f64(f64::from_be_bytes(fixed(raw, ty)?));
        }
        Type::CHAR => {
            // "char": one byte.
            let b = fixed::<1>(raw, ty)?[0];
            text(enc, &String::from_utf8_lossy(&[b]));
        }
        Type::TEXT
        | Type::VARCHAR
        | Type::BPCHAR
        | Type::NAME
        | Type::UNKNOWN
        | Type::JSON
        | Type::XML => text(enc, &utf8(raw, ty)?),
        Type::JSONB => match raw.split_first() {
            Some((1, json)) => text(enc, &utf8(json, ty)?),
            _ => return Err(EncodeError("a jsonb value of an unknown version".into())),
        },
        Type::BYTEA => {
            let _ = enc.bytes(raw);
        }
        Type::BIT | Type::VARBIT => {
            // Bit length, then the bits packed into bytes.
            let _ = enc.bytes(raw.get(4..).unwrap_or_default());
        }
        Type::UUID => text(enc, &uuid(&fixed::<16>(raw, ty)?)),
        Type::DATE => text(enc, &date(i32::from_be_bytes(fixed(raw, ty)?))),
        Type::TIME => text(enc, &time(i64::from_be_bytes(fixed(raw, ty)?))),
        Type::TIMESTAMP => text(enc, &timestamp(i64::from_be_bytes(fixed(raw, ty)?), false)),
        Type::TIMESTAMPTZ => text(enc, &timestamp(i64::from_be_bytes(fixed(raw, ty)?), true)),
        Type::INTERVAL => text(enc, &interval(&fixed::<16>(raw, ty)?)),
        Type::INET | Type::CIDR => text(enc, &inet(raw, *ty == Type::CIDR)?),
        Type::NUMERIC => text(enc, &numeric(raw)?),
        _ if matches!(ty.kind(), Kind::Enum(_)) => text(enc, &utf8(raw, ty)?),
        _ => {
            let _ = enc.bytes(raw);
        }
    }
    Ok(())
}

fn utf8<'a>(raw: &'a [u8], ty: &Type) -> Result<std::borrow::Cow<'a, str>, EncodeError> {
    std::str::from_utf8(raw)
        .map(Into::into)
        .map_err(|_| EncodeError(format!("a {} value that is not UTF-8", ty.name())))
}

fn uuid(b: &[u8; 16]) -> String {
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// PostgreSQL counts days and microseconds from 2000-01-01.
fn epoch() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2000, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a valid date")
}

fn date(days: i32) -> String {
    match days {
        i32::MAX => "infinity".into(),
        i32::MIN => "-infinity".into(),
        d => epoch()
            .date()
            .checked_add_signed(Span::days(d.into()))
            .map(|d| d.to_string())
            .unwrap_or_else(|| format!("{d} days from 2000-01-01")),
    }
}

fn time(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let nanos = (micros.rem_euclid(1_000_000) * 1000) as u32;
    NaiveTime::from_num_seconds_from_midnight_opt(secs as u32, nanos)
        .map(|t| t.to_string())
        // 24:00:00 is a valid PostgreSQL time.
        .unwrap_or_else(|| "24:00:00".into())
}

fn timestamp(micros: i64, utc: bool) -> String {
    match micros {
        i64::MAX => "infinity".into(),
        i64::MIN => "-infinity".into(),
        m => match epoch().checked_add_signed(Span::microseconds(m)) {
            Some(t) if utc => t
                .and_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            Some(t) => t.to_string(),
            None => format!("{m} microseconds from 2000-01-01"),
        },
    }
}

/// PostgreSQL's own output style: `1 year 2 mons 3 days 04:05:06.5`.
fn interval(b: &[u8; 16]) -> String {
    let micros = i64::from_be_bytes(b[..8].try_into().expect("8 bytes"));
    let days = i32::from_be_bytes(b[8..12].try_into().expect("4 bytes"));
    let months = i32::from_be_bytes(b[12..].try_into().expect("4 bytes"));
    let mut parts = Vec::new();
    let plural =
        |n: i32, one: &str, many: &str| format!("{n} {}", if n.abs() == 1 { one } else { many });
    if months / 12 != 0 {
        parts.push(plural(months / 12, "year", "years"));
    }
    if months % 12 != 0 {
        parts.push(plural(months % 12, "mon", "mons"));
    }
    if days != 0 {
        parts.push(plural(days, "day", "days"));
    }
    if micros != 0 || parts.is_empty() {
        let sign = if micros < 0 { "-" } else { "" };
        let m = micros.unsigned_abs();
        let (h, min, s, frac) = (
            m / 3_600_000_000,
            m / 60_000_000 % 60,
            m / 1_000_000 % 60,
            m % 1_000_000,
        );
        let mut t = format!("{sign}{h:02}:{min:02}:{s:02}");
        if frac != 0 {
            t.push_str(format!(".{frac:06}").trim_end_matches('0'));
        }
        parts.push(t);
    }
    parts.join(" ")
}

fn inet(raw: &[u8], cidr: bool) -> Result<String, EncodeError> {
    let bad = || EncodeError("a malformed inet/cidr value".into());
    let [family, bits, _is_cidr, len, addr @ ..] = raw else {
        return Err(bad());
    };
    let (ip, max): (std::net::IpAddr, u8) = match (family, len, addr.len()) {
        (2, 4, 4) => (<[u8; 4]>::try_from(addr).map_err(|_| bad())?.into(), 32),
        (3, 16, 16) => (<[u8; 16]>::try_from(addr).map_err(|_| bad())?.into(), 128),
        _ => return Err(bad()),
    };
    Ok(if !cidr && *bits == max {
        ip.to_string()
    } else {
        format!("{ip}/{bits}")
    })
}

/// NUMERIC's binary form (base-10000 digits) as its decimal text.
fn numeric(raw: &[u8]) -> Result<String, EncodeError> {
    let bad = || EncodeError("a malformed numeric value".into());
    let word = |i: usize| -> Result<u16, EncodeError> {
        Ok(u16::from_be_bytes(
            raw.get(i..i + 2)
                .ok_or_else(bad)?
                .try_into()
                .map_err(|_| bad())?,
        ))
    };
    let ndigits = word(0)? as usize;
    let weight = word(2)? as i16 as i32;
    let sign = word(4)?;
    let dscale = word(6)? as usize;
    match sign {
        0xC000 => return Ok("NaN".into()),
        0xD000 => return Ok("Infinity".into()),
        0xF000 => return Ok("-Infinity".into()),
        0x0000 | 0x4000 => {}
        _ => return Err(bad()),
    }
    let digits: Vec<u16> = (0..ndigits)
        .map(|i| word(8 + 2 * i))
        .collect::<Result<_, _>>()?;
    if digits.iter().any(|&d| d > 9999) {
        return Err(bad());
    }
    // Digit group k (from 0) stands for 10000^(weight - k).
    let group = |k: i32| -> u16 {
        if k < 0 {
            0
        } else {
            digits.get(k as usize).copied().unwrap_or(0)
        }
    };
    let mut out = String::new();
    if sign == 0x4000 {
        out.push('-');
    }
    if weight < 0 {
        out.push('0');
    } else {
        out.push_str(&group(0).to_string());
        for k in 1..=weight {
            out.push_str(&format!("{:04}", group(k)));
        }
    }
    if dscale > 0 {
        let mut frac = String::new();
        let mut k = weight + 1;
        while frac.len() < dscale {
            frac.push_str(&format!("{:04}", group(k)));
            k += 1;
        }
        frac.truncate(dscale);
        out.push('.');
        out.push_str(&frac);
    }
    if out == "-0" || (out.starts_with("-0.") && out[3..].bytes().all(|b| b == b'0')) {
        out.remove(0);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cbor(f: impl FnOnce(&mut Enc)) -> Vec<u8> {
        let mut e = minicbor::Encoder::new(Vec::new());
        f(&mut e);
        e.into_writer()
    }

    #[test]
    fn parameters_decode_from_cbor() {
        assert_eq!(
            Param::decode(&cbor(|e| {
                e.null().unwrap();
            })),
            Ok(Param::Null)
        );
        assert_eq!(
            Param::decode(&cbor(|e| {
                e.bool(true).unwrap();
            })),
            Ok(Param::Bool(true))
        );
        assert_eq!(
            Param::decode(&cbor(|e| {
                e.i64(-5).unwrap();
            })),
            Ok(Param::Int(-5))
        );
        assert_eq!(
            Param::decode(&cbor(|e| {
                e.u64(u64::MAX).unwrap();
            })),
            Ok(Param::Int(u64::MAX as i128))
        );
        assert_eq!(
            Param::decode(&cbor(|e| {
                e.f32(1.5).unwrap();
            })),
            Ok(Param::Float(1.5))
        );
        // Half precision, as ciborium and cbor-x write 1.5.
        assert_eq!(Param::decode(&[0xf9, 0x3e, 0x00]), Ok(Param::Float(1.5)));
        assert_eq!(
            Param::decode(&cbor(|e| {
                e.str("hé").unwrap();
            })),
            Ok(Param::Text("hé".into()))
        );
        assert_eq!(
            Param::decode(&cbor(|e| {
                e.bytes(&[0, 1]).unwrap();
            })),
            Ok(Param::Bytes(vec![0, 1]))
        );
        let err = Param::decode(&cbor(|e| {
            e.array(0).unwrap();
        }))
        .unwrap_err();
        assert!(err.contains("cannot be a parameter"), "{err}");
        assert!(Param::decode(&[]).is_err());
        assert!(Param::decode(&[0xf6, 0xf6])
            .unwrap_err()
            .contains("1 bytes after"));
        assert_eq!(Param::Float(f64::NEG_INFINITY).text().unwrap(), "-Infinity");
        assert_eq!(Param::Bool(false).text().unwrap(), "f");
        assert!(Param::Bytes(vec![0xff]).text().is_err());
    }

    fn num(ndigits: u16, weight: i16, sign: u16, dscale: u16, digits: &[u16]) -> String {
        let mut raw = Vec::new();
        for w in [ndigits, weight as u16, sign, dscale].iter().chain(digits) {
            raw.extend_from_slice(&w.to_be_bytes());
        }
        numeric(&raw).unwrap()
    }

    #[test]
    fn numeric_text() {
        // 12345.678 = [1, 2345, 6780], weight 1, dscale 3.
        assert_eq!(num(3, 1, 0, 3, &[1, 2345, 6780]), "12345.678");
        assert_eq!(num(3, 1, 0x4000, 3, &[1, 2345, 6780]), "-12345.678");
        // 0.0005 = [5], weight -1, dscale 4.
        assert_eq!(num(1, -1, 0, 4, &[5]), "0.0005");
        // 0.00000001 = [1], weight -2, dscale 8.
        assert_eq!(num(1, -2, 0, 8, &[1]), "0.00000001");
        // 10000 = [1], weight 1 (trailing zero groups dropped).
        assert_eq!(num(1, 1, 0, 0, &[1]), "10000");
        assert_eq!(num(0, 0, 0, 2, &[]), "0.00");
        assert_eq!(num(0, 0, 0xC000, 0, &[]), "NaN");
        assert!(numeric(&[0, 1]).is_err());
    }

    #[test]
    fn dates_times_and_addresses() {
        assert_eq!(date(0), "2000-01-01");
        assert_eq!(date(-1), "1999-12-31");
        assert_eq!(date(i32::MAX), "infinity");
        assert_eq!(time(3_723_500_000), "01:02:03.500");
        assert_eq!(
            timestamp(86_400_000_001, false),
            "2000-01-02 00:00:00.000001"
        );
        assert_eq!(timestamp(0, true), "2000-01-01T00:00:00Z");
        assert_eq!(timestamp(i64::MIN, true), "-infinity");
        let mut iv = [0u8; 16];
        iv[..8].copy_from_slice(&(3_723_500_000i64).to_be_bytes());
        iv[8..12].copy_from_slice(&3i32.to_be_bytes());
        iv[12..].copy_from_slice(&14i32.to_be_bytes());
        assert_eq!(interval(&iv), "1 year 2 mons 3 days 01:02:03.5");
        assert_eq!(interval(&[0; 16]), "00:00:00");
        assert_eq!(
            inet(&[2, 32, 0, 4, 10, 0, 0, 1], false).unwrap(),
            "10.0.0.1"
        );
        assert_eq!(
            inet(&[2, 8, 1, 4, 10, 0, 0, 0], true).unwrap(),
            "10.0.0.0/8"
        );
        assert!(inet(&[2, 32, 0, 4, 10], false).is_err());
        assert_eq!(
            uuid(&[0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0, 1, 2, 3, 4, 5, 6, 7]),
            "12345678-9abc-def0-0001-020304050607"
        );
    }
}
