//! Secrets with a shape rather than a fixed prefix: JWTs, Discord bot
//! tokens, Telegram bot tokens, PEM private key blocks, and URLs (passwords
//! in the authority, Slack and Discord webhooks).

use super::entropy::{decode_base64, is_placeholder_strict, looks_random, Charset};
use super::kind::SecretKind;
use super::Hit;

const JWT_MAX_HEADER: usize = 512;
const JWT_MAX_PAYLOAD: usize = 16 * 1024;
const JWT_MAX_SIGNATURE: usize = 1024;

/// A JWT starting at `i` (`eyJ` at a word start): three base64url segments,
/// the payload also starting with `ey` (a JSON object), and a signature of
/// at least 16 bytes (unsigned tokens carry no secret). Returns the end.
pub(crate) fn jwt_at(bytes: &[u8], i: usize) -> Option<usize> {
    let seg1 = Charset::Base64Url.run(bytes, i, JWT_MAX_HEADER);
    if seg1 > JWT_MAX_HEADER {
        return None;
    }
    if seg1 < 10 {
        return None;
    }
    let mut p = i + seg1;
    if bytes.get(p) != Some(&b'.') {
        return None;
    }
    p += 1;
    if !bytes.get(p..)?.starts_with(b"ey") {
        return None;
    }
    let seg2 = Charset::Base64Url.run(bytes, p, JWT_MAX_PAYLOAD);
    if !(10..=JWT_MAX_PAYLOAD).contains(&seg2) {
        return None;
    }
    p += seg2;
    if bytes.get(p) != Some(&b'.') {
        return None;
    }
    p += 1;
    let seg3 = Charset::Base64Url.run(bytes, p, JWT_MAX_SIGNATURE);
    if !(16..=JWT_MAX_SIGNATURE).contains(&seg3) || !looks_random(&bytes[p..p + seg3], 3.0) {
        return None;
    }
    Some(p + seg3)
}

/// A Discord bot token at `i` (`M`, `N` or `O` at a word start): base64 of
/// the bot's numeric id (23-28 chars), `.`, a 6-7 char timestamp, `.`, and a
/// 27-40 char HMAC. The first segment must decode to 17-20 ASCII digits.
pub(crate) fn discord_bot_at(bytes: &[u8], i: usize) -> Option<usize> {
    let s1 = Charset::Base64Url.run(bytes, i, 28);
    if !(23..=28).contains(&s1) {
        return None;
    }
    let mut p = i + s1;
    if bytes.get(p) != Some(&b'.') {
        return None;
    }
    p += 1;
    let s2 = Charset::Base64Url.run(bytes, p, 7);
    if !(6..=7).contains(&s2) {
        return None;
    }
    p += s2;
    if bytes.get(p) != Some(&b'.') {
        return None;
    }
    p += 1;
    let s3 = Charset::Base64Url.run(bytes, p, 40);
    if !(27..=40).contains(&s3) || !looks_random(&bytes[p..p + s3], 3.0) {
        return None;
    }
    let id = decode_base64(&bytes[i..i + s1])?;
    if !(17..=20).contains(&id.len()) || !id.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(p + s3)
}

/// A Telegram bot token at `i` (a digit at a word start or right after
/// `bot` as in `api.telegram.org/bot<token>`): 8-10 digit bot id, `:`, then
/// 35 base64url chars starting with `AA`.
pub(crate) fn telegram_at(bytes: &[u8], i: usize) -> Option<usize> {
    let digits = bytes
        .get(i..)?
        .iter()
        .take(11)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if !(8..=10).contains(&digits) {
        return None;
    }
    let colon = i + digits;
    if bytes.get(colon) != Some(&b':') || !bytes.get(colon + 1..)?.starts_with(b"AA") {
        return None;
    }
    let body = Charset::Base64Url.run(bytes, colon + 1, 35);
    if body != 35 || !looks_random(&bytes[colon + 1..colon + 1 + body], 3.0) {
        return None;
    }
    Some(colon + 1 + body)
}

const PEM_BEGIN: &[u8] = b"-----BEGIN ";
const PEM_END: &[u8] = b"-----END ";
/// Shortest base64 run that counts as key material.
const PEM_MIN_RUN: usize = 32;
/// A block longer than this is treated as unterminated.
const PEM_MAX_BLOCK: usize = 64 * 1024;

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = *needle.first()?;
    let mut k = from;
    while k + needle.len() <= hay.len() {
        match hay[k..].iter().position(|&b| b == first) {
            None => return None,
            Some(off) => {
                k += off;
                if hay[k..].starts_with(needle) {
                    return Some(k);
                }
                k += 1;
            }
        }
    }
    None
}

/// Remembers where the next `-----END ` is, so that many `BEGIN` lines do
/// not each rescan the rest of the input (no quadratic blow-up).
#[derive(Debug, Default)]
pub(crate) struct PemState {
    next_end: Option<usize>,
    none_after: Option<usize>,
}

impl PemState {
    fn find_end(&mut self, bytes: &[u8], from: usize) -> Option<usize> {
        if let Some(e) = self.next_end {
            if e >= from {
                return Some(e);
            }
        }
        if let Some(na) = self.none_after {
            if from >= na {
                return None;
            }
        }
        let found = find(bytes, PEM_END, from);
        match found {
            Some(e) => self.next_end = Some(e),
            None => self.none_after = Some(from),
        }
        found
    }
}

/// A PEM private key block starting at `i` (`-----BEGIN `). Returns the end
/// of the `-----END …-----` line, or for a truncated block the end of the
/// base64 body that follows the header.
pub(crate) fn pem_at(bytes: &[u8], i: usize, state: &mut PemState) -> Option<usize> {
    let label_start = i + PEM_BEGIN.len();
    let rest = bytes.get(label_start..)?;
    let window = &rest[..rest.len().min(80)];
    let label_len = find(window, b"-----", 0)?;
    let label = &window[..label_len];
    if label.contains(&b'\n') || !label.windows(11).any(|w| w == b"PRIVATE KEY") {
        return None;
    }
    let header_end = label_start + label_len + 5;
    if let Some(e) = state.find_end(bytes, header_end) {
        if e - header_end <= PEM_MAX_BLOCK {
            if !has_key_material(&bytes[header_end..e]) {
                return None;
            }
            let after = e + PEM_END.len();
            let tail = &bytes[after..bytes.len().min(after + 80)];
            return Some(match find(tail, b"-----", 0) {
                Some(k) if !tail[..k].contains(&b'\n') => after + k + 5,
                _ => after,
            });
        }
    }
    let end = unterminated_end(bytes, header_end);
    has_key_material(&bytes[header_end..end]).then_some(end)
}

/// A real key body has long base64 runs; documentation shows `...` or a
/// few characters, and code mentions only the header line.
fn has_key_material(body: &[u8]) -> bool {
    let mut run = 0;
    for &b in body {
        if b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=') {
            run += 1;
            if run >= PEM_MIN_RUN {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// End of a truncated PEM body: base64 (or `\n`-escaped) bytes on the
/// header line, then every following line that is base64 or a `Key: value`
/// header.
fn unterminated_end(bytes: &[u8], header_end: usize) -> usize {
    let is_b64 = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'\\');
    let mut end = header_end
        + bytes[header_end..]
            .iter()
            .take_while(|&&b| is_b64(b))
            .count();
    loop {
        let line_start = match bytes.get(end) {
            Some(b'\n') => end + 1,
            Some(b'\r') if bytes.get(end + 1) == Some(&b'\n') => end + 2,
            _ => return end,
        };
        let line_len = bytes[line_start..]
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(bytes.len() - line_start);
        let line = &bytes[line_start..line_start + line_len];
        let trimmed = line.strip_suffix(b"\r").unwrap_or(line);
        let trimmed_start = trimmed
            .iter()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count();
        let content = &trimmed[trimmed_start..];
        let ok = !content.is_empty()
            && (content.iter().all(|&b| is_b64(b))
                || (content.contains(&b':') && !content.starts_with(b"-----")));
        if !ok {
            return end;
        }
        end = line_start + trimmed.len();
    }
}

#[inline]
fn is_scheme_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-')
}

#[inline]
fn ends_authority(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b'"' | b'\'' | b'`' | b'/' | b'?' | b'#' | b'<' | b'>' | b'\\' | b'|' | b'^'
        )
}

/// Publicly known default passwords and placeholders in connection strings.
const URL_PASSWORD_DEFAULTS: &[&str] = &[
    "password", "passwd", "secret", "changeme", "postgres", "root", "admin", "example", "test",
    "user", "guest", "mysql", "redis", "mongo", "mongodb", "token", "pass", "foobar", "default",
];

/// Shorter passwords are documentation (`a:b@`, `foo:bar@`), not credentials.
const URL_PASSWORD_MIN: usize = 4;

fn url_password_is_placeholder(pass: &[u8]) -> bool {
    if pass.len() < URL_PASSWORD_MIN
        || matches!(
            pass[0],
            b'$' | b'{' | b'<' | b'%' | b'*' | b'[' | b':' | b'@'
        )
        || is_placeholder_strict(pass)
    {
        return true;
    }
    let lower = pass.to_ascii_lowercase();
    if lower.windows(3).any(|w| w == b"xxx") || lower.windows(2).any(|w| w == b"{{") {
        return true;
    }
    URL_PASSWORD_DEFAULTS
        .iter()
        .any(|d| d.as_bytes() == lower.as_slice())
        || lower.starts_with(b"your")
        || lower.starts_with(b"my_")
        || lower.starts_with(b"my-")
}

const SLACK_HOOK_PATHS: &[&[u8]] = &[b"/services/", b"/workflows/", b"/triggers/"];
const DISCORD_HOSTS: &[&[u8]] = &[
    b"discord.com",
    b"discordapp.com",
    b"ptb.discord.com",
    b"canary.discord.com",
];

/// Handle a `://` whose `:` is at `colon`: a password in the authority
/// (`scheme://user:PASSWORD@host`), a Slack webhook or a Discord webhook.
pub(crate) fn url_at(bytes: &[u8], colon: usize, hits: &mut Vec<Hit>) {
    let mut scheme_start = colon;
    while scheme_start > 0 && colon - scheme_start < 32 && is_scheme_byte(bytes[scheme_start - 1]) {
        scheme_start -= 1;
    }
    while scheme_start < colon && !bytes[scheme_start].is_ascii_alphabetic() {
        scheme_start += 1;
    }
    if scheme_start == colon {
        return;
    }
    let auth_start = colon + 3;
    let limit = bytes.len().min(auth_start + 512);
    let auth_end = auth_start
        + bytes[auth_start.min(limit)..limit]
            .iter()
            .take_while(|&&b| !ends_authority(b))
            .count();
    let authority = &bytes[auth_start..auth_end];
    let mut host_start = auth_start;
    if let Some(at) = authority.iter().rposition(|&b| b == b'@') {
        let userinfo = &authority[..at];
        if let Some(c) = userinfo.iter().position(|&b| b == b':') {
            let pass = &userinfo[c + 1..];
            if !url_password_is_placeholder(pass) {
                hits.push(Hit::new(
                    auth_start + c + 1,
                    auth_start + at,
                    SecretKind::UrlPassword,
                ));
            }
        }
        host_start = auth_start + at + 1;
    }
    let host_full = &bytes[host_start..auth_end];
    let host = host_full
        .iter()
        .position(|&b| b == b':')
        .map_or(host_full, |p| &host_full[..p]);
    let path = &bytes[auth_end..];
    if host.eq_ignore_ascii_case(b"hooks.slack.com") {
        if let Some(prefix) = SLACK_HOOK_PATHS.iter().find(|p| path.starts_with(p)) {
            let body_start = auth_end + prefix.len();
            let body_len = bytes[body_start..]
                .iter()
                .take(256)
                .take_while(|&&b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'+' | b'-')
                })
                .count();
            let body = &bytes[body_start..body_start + body_len];
            if body_len >= 20 && !is_placeholder_strict(body) && looks_random(body, 3.0) {
                hits.push(Hit::new(
                    scheme_start,
                    body_start + body_len,
                    SecretKind::SlackWebhook,
                ));
            }
        }
    } else if DISCORD_HOSTS.iter().any(|h| host.eq_ignore_ascii_case(h)) {
        const HOOK: &[u8] = b"/api/webhooks/";
        if path.starts_with(HOOK) {
            let id_start = auth_end + HOOK.len();
            let id_len = bytes[id_start..]
                .iter()
                .take(22)
                .take_while(|b| b.is_ascii_digit())
                .count();
            let slash = id_start + id_len;
            if (15..=21).contains(&id_len) && bytes.get(slash) == Some(&b'/') {
                let tok_len = Charset::Base64Url.run(bytes, slash + 1, 100);
                let tok = &bytes[slash + 1..slash + 1 + tok_len];
                if (40..=100).contains(&tok_len)
                    && !is_placeholder_strict(tok)
                    && looks_random(tok, 3.0)
                {
                    hits.push(Hit::new(
                        scheme_start,
                        slash + 1 + tok_len,
                        SecretKind::DiscordWebhook,
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_state_is_linear() {
        let mut text = Vec::new();
        for _ in 0..2000 {
            text.extend_from_slice(PEM_BEGIN);
            text.extend_from_slice(b"RSA PRIVATE KEY-----\n");
        }
        let mut state = PemState::default();
        let mut i = 0;
        let mut blocks = 0;
        while let Some(k) = find(&text, PEM_BEGIN, i) {
            // Headers only, no key material: nothing is redacted, and every
            // header reuses the memoised END search.
            assert_eq!(pem_at(&text, k, &mut state), None);
            blocks += 1;
            i = k + 1;
        }
        assert_eq!(blocks, 2000);
    }

    #[test]
    fn url_placeholder_passwords() {
        assert!(url_password_is_placeholder(b"password"));
        assert!(url_password_is_placeholder(b"${DB_PASS}"));
        assert!(url_password_is_placeholder(b"<password>"));
        assert!(!url_password_is_placeholder(b"q7Zk2pLx9vB4"));
    }
}
