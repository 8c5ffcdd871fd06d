//! The single pass over the input. `skip::skip_plain` jumps to the next
//! position where some detector may start (so plain code costs a few table
//! look-ups per byte and almost no mispredicted branches); a byte-class
//! table then decides which detector to try there. Every detector reads a
//! bounded window, which keeps the whole scan linear.

use super::entropy::{at_word_start, is_placeholder_strict, looks_random};
use super::rules::{PrefixRule, BY_FIRST_BYTE};
use super::skip::{skip_plain, starts_token, DISCORD_FIRST, JWT_START};
use super::structured::{discord_bot_at, jwt_at, pem_at, telegram_at, url_at, PemState};
use super::{assign, pii, Context, Hit};

const T_NONE: u8 = 0;
const T_WORD: u8 = 1; // letter that may start a token
const T_DIGIT: u8 = 2;
const T_EQ: u8 = 3;
const T_COLON: u8 = 4;
const T_AT: u8 = 5;
const T_DASH: u8 = 6;
const T_PLUS: u8 = 7;
const T_PAREN: u8 = 8;

/// Detector kind of each byte.
static TRIGGERS: [u8; 256] = triggers();

const fn triggers() -> [u8; 256] {
    let mut t = [T_NONE; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_digit() {
            t[b] = T_DIGIT;
        } else if starts_token(c) {
            t[b] = T_WORD;
        }
        b += 1;
    }
    t[b'=' as usize] = T_EQ;
    t[b':' as usize] = T_COLON;
    t[b'@' as usize] = T_AT;
    t[b'-' as usize] = T_DASH;
    t[b'+' as usize] = T_PLUS;
    t[b'(' as usize] = T_PAREN;
    t
}

/// A provider token starting at `i` (a word start): the first rule whose
/// prefix matches decides. Returns `(end, rule)`.
fn prefix_at(bytes: &[u8], i: usize) -> Option<(usize, &'static PrefixRule)> {
    let rest = &bytes[i..];
    let rule = BY_FIRST_BYTE
        .rules(bytes[i])
        .find(|r| rest.starts_with(r.prefix.as_bytes()))?;
    let body_start = i + rule.prefix.len();
    let len = rule.charset.run(bytes, body_start, rule.max_len);
    if len < rule.min_len || len > rule.max_len {
        return None;
    }
    let body = &bytes[body_start..body_start + len];
    if rule.needs_digit && !body.iter().any(u8::is_ascii_digit) {
        return None;
    }
    if !rule.dot_segments.is_empty()
        && !body
            .split(|&b| b == b'.')
            .map(<[u8]>::len)
            .eq(rule.dot_segments.iter().copied())
    {
        return None;
    }
    if is_placeholder_strict(body) || !looks_random(body, rule.min_entropy) {
        return None;
    }
    Some((body_start + len, rule))
}

/// Run every detector over `bytes`, appending raw (possibly overlapping) hits.
pub(crate) fn scan(bytes: &[u8], ctx: &Context, hits: &mut Vec<Hit>) {
    let n = bytes.len();
    let mut pem = PemState::default();
    // `=`/`:` before this offset are inside a bare value already read.
    let mut assign_resume = 0;
    let mut i = 0;
    loop {
        i = skip_plain(bytes, i);
        if i >= n {
            break;
        }
        match TRIGGERS[usize::from(bytes[i])] {
            T_WORD | T_DIGIT if at_word_start(bytes, i) => {
                if let Some(end) = word_at(bytes, i, ctx, hits) {
                    i = end;
                    continue;
                }
            }
            // `api.telegram.org/bot<id>:<token>`
            T_DIGIT if bytes[..i].ends_with(b"bot") => {
                let token = telegram_at(bytes, i);
                if let Some(end) = push(hits, i, token, super::SecretKind::TelegramBotToken) {
                    i = end;
                    continue;
                }
            }
            T_COLON if bytes[i + 1..].starts_with(b"//") => url_at(bytes, i, hits),
            T_EQ | T_COLON if i >= assign_resume => {
                if let Some(end) = assign::assignment_at(bytes, i, ctx.file, hits) {
                    assign_resume = end;
                }
            }
            T_AT if ctx.emails => {
                if let Some((s, e)) = pii::email_at(bytes, i) {
                    hits.push(Hit::new(s, e, super::SecretKind::Email));
                }
            }
            T_DASH if bytes[i..].starts_with(b"-----BEGIN ") => {
                if let Some(end) = pem_at(bytes, i, &mut pem) {
                    hits.push(Hit::new(i, end, super::SecretKind::PrivateKey));
                    i = end.max(i + 1);
                    continue;
                }
            }
            T_DASH if bytes.get(i + 1) == Some(&b'-') && prev(bytes, i) != Some(b'-') => {
                assign::flag_at(bytes, i, hits);
            }
            T_PLUS if ctx.phones && pii::phone_may_follow(prev(bytes, i)) => {
                if let Some(end) = pii::international_phone_at(bytes, i) {
                    hits.push(Hit::new(i, end, super::SecretKind::PhoneNumber));
                    i = end;
                    continue;
                }
            }
            T_PAREN => {
                assign::call_at(bytes, i, hits);
                if ctx.phones && !prev(bytes, i).is_some_and(|p| p.is_ascii_alphanumeric()) {
                    if let Some(end) = pii::nanp_phone_at(bytes, i) {
                        hits.push(Hit::new(i, end, super::SecretKind::PhoneNumber));
                        i = end;
                        continue;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
}

#[inline]
fn prev(bytes: &[u8], i: usize) -> Option<u8> {
    i.checked_sub(1).map(|k| bytes[k])
}

/// Detectors that start on a letter or digit at a word start. Returns the
/// end of a match so the scan can skip over it.
fn word_at(bytes: &[u8], i: usize, ctx: &Context, hits: &mut Vec<Hit>) -> Option<usize> {
    let b = bytes[i];
    if BY_FIRST_BYTE.any(b) {
        if let Some((end, rule)) = prefix_at(bytes, i) {
            hits.push(Hit::new(i, end, rule.kind));
            return Some(end);
        }
    }
    match b {
        _ if bytes[i..].starts_with(JWT_START) => {
            push(hits, i, jwt_at(bytes, i), super::SecretKind::Jwt)
        }
        _ if DISCORD_FIRST.contains(&b) => push(
            hits,
            i,
            discord_bot_at(bytes, i),
            super::SecretKind::DiscordBotToken,
        ),
        b'0'..=b'9' => {
            if let Some(end) = telegram_at(bytes, i) {
                hits.push(Hit::new(i, end, super::SecretKind::TelegramBotToken));
                return Some(end);
            }
            if ctx.phones && pii::phone_may_follow(prev(bytes, i)) {
                if let Some(end) = pii::nanp_phone_at(bytes, i) {
                    hits.push(Hit::new(i, end, super::SecretKind::PhoneNumber));
                    return Some(end);
                }
            }
            // Skip the rest of the number: no detector starts inside it.
            let run = bytes[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            // (linear: the scan resumes after the run)
            Some(i + run)
        }
        _ => None,
    }
}

fn push(
    hits: &mut Vec<Hit>,
    start: usize,
    end: Option<usize>,
    kind: super::SecretKind,
) -> Option<usize> {
    let end = end?;
    hits.push(Hit::new(start, end, kind));
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::super::skip::PUNCT_TRIGGERS;
    use super::*;

    #[test]
    fn punctuation_triggers_agree_with_skip_tables() {
        for b in 0..=255u8 {
            let punct = TRIGGERS[usize::from(b)] >= T_EQ;
            assert_eq!(punct, PUNCT_TRIGGERS.contains(&b), "{}", b as char);
        }
    }

    /// One match for each detector that starts on a letter or digit
    /// without a fixed prefix.
    const MATCHES: [&str; 6] = [
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.q7Zk2pLx9vB4mW8rT1yH",
        "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gq7Zk2.q7Zk2pLx9vB4mW8rT1yHq7Zk2pLx9vB",
        "bot1234567890:AAq7Zk2pLx9vB4mW8rT1yHq7Zk2pLx9vB4m",
        "1234567890:AAq7Zk2pLx9vB4mW8rT1yHq7Zk2pLx9vB4m",
        "415-555-0123",
        "(415) 555-0123",
    ];

    /// Texts full of near-misses: every prefix, JWT and Discord starts, digits
    /// after `bot`, cut at every length and glued to words and punctuation.
    fn near_misses() -> Vec<String> {
        let body = "q7Zk2pLx9vB4mW8rT1yHq7Zk2pLx9vB4mW8rT1yHq7Zk2pLx9vB4mW8rT1yH";
        let mut starts: Vec<String> = super::super::rules::PREFIX_RULES
            .iter()
            .map(|r| format!("{}{body}", r.prefix))
            .collect();
        starts.extend(MATCHES.map(str::to_owned));
        starts.push("string this return sk gh xo ey M N O".to_owned());
        let mut texts = Vec::new();
        for start in &starts {
            for cut in 1..=start.len().min(24) {
                for glue in ["", " ", "x", "_", "-", "\n", "\u{e9}", "9"] {
                    texts.push(format!("{glue}{}{glue}{start}", &start[..cut]));
                }
            }
        }
        texts
    }

    /// `skip_plain` may only pass over positions where no detector starts:
    /// there, `word_at` (at a word start) finds nothing and no Telegram token
    /// follows a `bot`.
    #[test]
    fn skipped_positions_start_nothing() {
        let ctx = Context {
            file: super::super::FileKind::Text,
            emails: true,
            phones: true,
        };
        for text in MATCHES {
            let mut hits = Vec::new();
            scan(text.as_bytes(), &ctx, &mut hits);
            assert!(!hits.is_empty(), "{text}");
        }
        for text in near_misses() {
            let bytes = text.as_bytes();
            let mut next_stop = skip_plain(bytes, 0);
            for i in 0..bytes.len() {
                if i == next_stop {
                    next_stop = skip_plain(bytes, i + 1);
                    continue;
                }
                assert!(TRIGGERS[usize::from(bytes[i])] < T_EQ, "{text:?} at {i}");
                let mut hits = Vec::new();
                if at_word_start(bytes, i) {
                    let found = word_at(bytes, i, &ctx, &mut hits);
                    assert_eq!(found, None, "{text:?} at {i}");
                } else if bytes[..i].ends_with(b"bot") {
                    assert_eq!(telegram_at(bytes, i), None, "{text:?} at {i}");
                }
            }
        }
    }
}
