//! Tolerant parsing of Together's responses: a field of an unexpected type reads as absent instead
//! of failing the whole response, and enums keep values they do not know.
//!
//! Together's public spec lags its servers (a job once reported the status `model_downloading`,
//! which was in no enum, and strict clients crashed on it), so every response field is optional
//! and every enum is open.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// For `#[serde(default, deserialize_with = "lenient")]` on an `Option<T>` field: any JSON value
/// that does not read as a `T` (a string where a number was expected, an object where a list was)
/// becomes `None`.
pub fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = Value::deserialize(deserializer)?;
    Ok(read_value(value))
}

/// A list whose items are each read leniently: items that do not parse are skipped, and a value
/// that is not a list reads as empty.
pub fn lenient_list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = Value::deserialize(deserializer)?;
    Ok(match value {
        Value::Array(items) => items.into_iter().filter_map(read_value).collect(),
        _ => Vec::new(),
    })
}

/// A number that may come as an integer, a float or a numeric string (money fields have come in
/// all three shapes across API versions).
pub fn lenient_f64<'de, D>(deserializer: D) -> Result<Option<f64>, D::Error>
where
    D: Deserializer<'de>,
{
    let value = Value::deserialize(deserializer)?;
    Ok(number(&value))
}

/// A whole number that may come as an integer, a float with no fraction or a numeric string.
pub fn lenient_i64<'de, D>(deserializer: D) -> Result<Option<i64>, D::Error>
where
    D: Deserializer<'de>,
{
    let value = Value::deserialize(deserializer)?;
    Ok(match &value {
        Value::Number(n) => n.as_i64().or_else(|| whole(n.as_f64())),
        Value::String(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .or_else(|| whole(text.trim().parse().ok())),
        _ => None,
    })
}

/// A timestamp that may come as ISO-8601 text or as seconds since the epoch: kept as text.
pub fn lenient_text<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    let value = Value::deserialize(deserializer)?;
    Ok(match value {
        Value::String(text) => Some(text),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

fn read_value<T: DeserializeOwned>(value: Value) -> Option<T> {
    if value.is_null() {
        return None;
    }
    serde_json::from_value(value).ok()
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(text) => text.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        _ => None,
    }
}

fn whole(n: Option<f64>) -> Option<i64> {
    n.filter(|n| n.is_finite() && n.fract() == 0.0 && n.abs() < 9.0e15)
        .map(|n| n as i64)
}

/// An enum of known string values plus `Other(String)` for any value the server sends that this
/// version does not know. It serializes as the plain string in both directions.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value missing from the published enum, kept as the server sent it.
            Other(String),
        }

        impl $name {
            /// Every value this version knows.
            pub const KNOWN: &'static [&'static str] = &[$($text),+];

            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::Other(text) => text.as_str(),
                }
            }

            /// False for a value kept as `Other`.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $( $text => $name::$variant, )+
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Ok($name::from(text.as_str()))
            }
        }
    };
}

pub(crate) use open_enum;
