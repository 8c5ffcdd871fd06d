//! Whether a literal assigned to a name of a given class is a secret, and
//! of which kind: randomness, length, placeholder and shape checks.

use super::entropy::{
    is_base58, is_evm_address, is_hex, is_identifier_like, is_placeholder_loose, is_sequential,
    is_slug, looks_random, shannon_entropy, Classes,
};
use super::kind::SecretKind;
use super::names::NameClass;

/// Values that are clearly not a literal secret, whatever the name.
fn common_reject(v: &[u8]) -> bool {
    const REFS: &[&[u8]] = &[
        b"process.env",
        b"import.meta",
        b"os.environ",
        b"runtime.",
        b"env(",
        b"Deno.env",
        b"Bun.env",
    ];
    let lower = v.to_ascii_lowercase();
    v.is_empty()
        || is_placeholder_loose(v)
        || v.windows(3).any(|w| w == b"://")
        || is_evm_address(v)
        || v.starts_with(b"/")
        || v.starts_with(b"./")
        || v.starts_with(b"~/")
        || REFS.iter().any(|r| v.starts_with(r))
        || matches!(
            lower.as_slice(),
            b"true"
                | b"false"
                | b"null"
                | b"undefined"
                | b"none"
                | b"nil"
                | b"required"
                | b"optional"
        )
}

fn is_env_var_name(v: &[u8]) -> bool {
    v.first().is_some_and(u8::is_ascii_uppercase)
        && v.contains(&b'_')
        && v.iter()
            .all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// A random-looking credential of at least `min_len` bytes.
fn generic_ok(v: &[u8], min_len: usize) -> bool {
    if v.len() < min_len || v.len() > 1024 || v.iter().any(|b| b.is_ascii_whitespace()) {
        return false;
    }
    if is_identifier_like(v) || is_slug(v) || is_env_var_name(v) {
        return false;
    }
    if is_hex(v) {
        return v.len() >= 16 && looks_random(v, 3.0);
    }
    if v.iter().all(u8::is_ascii_digit) {
        return v.len() >= 16 && !is_sequential(v) && shannon_entropy(v) >= 2.9;
    }
    Classes::of(v).count() >= 2 && looks_random(v, 3.2)
}

/// Publicly known defaults that are not worth hiding (and look like code).
const PASSWORD_DEFAULTS: &[&str] = &[
    "password",
    "password1",
    "passw0rd",
    "changeme",
    "changeit",
    "secret",
    "admin",
    "root",
    "testing",
    "default",
    "postgres",
    "mysql",
    "example",
    "12345678",
    "123456789",
    "1234567890",
    "qwerty",
    "qwertyuiop",
    "letmein",
    "hunter2",
    "required",
    "optional",
    "undefined",
];

fn password_ok(v: &[u8]) -> bool {
    if v.len() < 8 || v.len() > 256 || v.iter().any(|b| b.is_ascii_whitespace()) {
        return false;
    }
    // `"challengePassword"`, `"userPassword"`: a field name, not a value.
    let names_itself = is_identifier_like(v) && {
        let lower = v.to_ascii_lowercase();
        [b"pass".as_slice(), b"pwd", b"secret"]
            .iter()
            .any(|w| lower.windows(w.len()).any(|x| x == *w))
    };
    if names_itself
        || is_env_var_name(v)
        || PASSWORD_DEFAULTS
            .iter()
            .any(|d| v.eq_ignore_ascii_case(d.as_bytes()))
        || is_sequential(v)
        || shannon_entropy(v) < 2.5
    {
        return false;
    }
    Classes::of(v).count() >= 2 || v.len() >= 12
}

fn is_mnemonic(v: &[u8]) -> bool {
    let words: Vec<&[u8]> = v.split(|&b| b == b' ').collect();
    if ![12, 15, 18, 21, 24].contains(&words.len()) {
        return false;
    }
    if !words
        .iter()
        .all(|w| (3..=8).contains(&w.len()) && w.iter().all(u8::is_ascii_lowercase))
    {
        return false;
    }
    let mut distinct: Vec<&[u8]> = words.clone();
    distinct.sort_unstable();
    distinct.dedup();
    distinct.len() * 3 >= words.len() * 2
}

/// A 64-byte array literal `[n, n, …]` at `p` (Solana keypair); returns the
/// end (after `]`).
pub(crate) fn byte_array_64(bytes: &[u8], p: usize) -> Option<usize> {
    if bytes.get(p) != Some(&b'[') {
        return None;
    }
    let limit = bytes.len().min(p + 2048);
    let mut k = p + 1;
    let mut count = 0;
    loop {
        while k < limit && bytes[k].is_ascii_whitespace() {
            k += 1;
        }
        let n = bytes[k.min(limit)..limit]
            .iter()
            .take(4)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if n == 0 || n > 3 {
            return None;
        }
        let value: u32 = bytes[k..k + n]
            .iter()
            .fold(0, |acc, &d| acc * 10 + u32::from(d - b'0'));
        if value > 255 {
            return None;
        }
        count += 1;
        k += n;
        while k < limit && bytes[k].is_ascii_whitespace() {
            k += 1;
        }
        match bytes.get(k) {
            Some(b',') if k < limit => k += 1,
            Some(b']') if k < limit => return (count == 64).then_some(k + 1),
            _ => return None,
        }
        if count > 64 {
            return None;
        }
    }
}

fn strip_0x(v: &[u8]) -> &[u8] {
    v.strip_prefix(b"0x")
        .or_else(|| v.strip_prefix(b"0X"))
        .unwrap_or(v)
}

fn is_aws_secret_shape(v: &[u8]) -> bool {
    v.len() == 40
        && v.iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+')
        && Classes::of(v).count() >= 2
        && looks_random(v, 3.0)
}

fn is_base58_len(v: &[u8], lens: std::ops::RangeInclusive<usize>) -> bool {
    lens.contains(&v.len()) && v.iter().all(|&b| is_base58(b))
}

/// Decide whether literal `v` assigned to a name of `class` is a secret.
/// Returns the kind and the sub-range of `v` to replace.
pub(crate) fn evaluate(class: NameClass, v: &[u8]) -> Option<(SecretKind, usize, usize)> {
    let whole = |k: SecretKind| Some((k, 0, v.len()));
    match class {
        NameClass::Mnemonic => {
            if v.is_empty() || v[0] == b'<' || !is_mnemonic(v) {
                return None;
            }
            return whole(SecretKind::SeedPhrase);
        }
        NameClass::Auth => {
            let schemes: [&[u8]; 4] = [b"bearer ", b"basic ", b"token ", b"bot "];
            let lower = v.to_ascii_lowercase();
            let off = schemes
                .iter()
                .find(|s| lower.starts_with(s))
                .map_or(0, |s| s.len());
            let rest = &v[off..];
            if common_reject(rest) || !generic_ok(rest, 12) {
                return None;
            }
            return Some((SecretKind::GenericSecret, off, v.len()));
        }
        _ => {}
    }
    // A 40-character AWS secret may start with `/` and look like a path to the checks below.
    if class == NameClass::AwsSecret && is_aws_secret_shape(v) && !is_placeholder_loose(v) {
        return whole(SecretKind::AwsSecretKey);
    }
    if common_reject(v) {
        return None;
    }
    match class {
        NameClass::Password => password_ok(v).then_some((SecretKind::Password, 0, v.len())),
        NameClass::AwsSecret => {
            if generic_ok(v, 16) {
                whole(SecretKind::GenericSecret)
            } else {
                None
            }
        }
        NameClass::EvmKey | NameClass::SolanaKey => {
            let hex = strip_0x(v);
            let solana = class == NameClass::SolanaKey;
            if hex.len() == 64 && is_hex(hex) && looks_random(hex, 3.0) {
                whole(if solana {
                    SecretKind::SolanaSecretKey
                } else {
                    SecretKind::EvmPrivateKey
                })
            } else if is_base58_len(v, 86..=88) && looks_random(v, 3.5) {
                whole(SecretKind::SolanaSecretKey)
            } else if generic_ok(v, 16) {
                whole(SecretKind::GenericSecret)
            } else {
                None
            }
        }
        NameClass::Twitter => {
            generic_ok(v, 16).then_some((SecretKind::TwitterCredential, 0, v.len()))
        }
        NameClass::Together => {
            generic_ok(v, 16).then_some((SecretKind::TogetherApiKey, 0, v.len()))
        }
        NameClass::NpmAuth => generic_ok(v, 16).then_some((SecretKind::NpmToken, 0, v.len())),
        // A base58 value under a `*_TOKEN` name may be a public Solana mint address, but about
        // one random alphanumeric token in twenty is base58 too: redacting a public address costs
        // less than leaking a credential.
        NameClass::Generic => generic_ok(v, 16).then_some((SecretKind::GenericSecret, 0, v.len())),
        NameClass::Mnemonic | NameClass::Auth => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays() {
        let arr: Vec<String> = (0..64).map(|k| ((k * 37 + 11) % 256).to_string()).collect();
        let text = format!("[{}]", arr.join(", "));
        assert_eq!(byte_array_64(text.as_bytes(), 0), Some(text.len()));
        assert_eq!(byte_array_64(b"[1, 2, 3]", 0), None);
        assert_eq!(byte_array_64(b"[1, 2, 300]", 0), None);
    }
}
