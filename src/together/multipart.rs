//! The `multipart/form-data` body of `POST /files/upload` (RFC 7578): text fields `purpose`,
//! `file_name` and `file_type`, then the `file` part with the bytes.

use crate::hash::ContentHasher;

/// A body and the `Content-Type` header that names its boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Multipart {
    pub content_type: String,
    pub body: Vec<u8>,
}

pub struct Field<'a> {
    pub name: &'a str,
    pub value: &'a str,
}

/// Builds the body. The boundary is derived from the content and checked not to occur in it, so
/// the same upload always gives the same bytes.
pub fn form_data(fields: &[Field<'_>], file_name: &str, file: &[u8]) -> Multipart {
    let mut salt = 0u64;
    let boundary = loop {
        let mut hasher = ContentHasher::default();
        hasher.update(file_name.as_bytes());
        hasher.update(file);
        hasher.update(&salt.to_le_bytes());
        let candidate = format!("----selftune-{}", hasher.hex());
        let clashes = contains(file, candidate.as_bytes())
            || fields.iter().any(|field| field.value.contains(&candidate));
        if !clashes {
            break candidate;
        }
        salt += 1;
    };
    let mut body = Vec::with_capacity(file.len() + 512);
    for field in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        body.extend_from_slice(
            format!(
                "Content-Disposition: form-data; name=\"{}\"\r\n\r\n",
                quote(field.name)
            )
            .as_bytes(),
        );
        body.extend_from_slice(field.value.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    body.extend_from_slice(
        format!(
            "Content-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
            quote(file_name)
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Multipart {
        content_type: format!("multipart/form-data; boundary={boundary}"),
        body,
    }
}

/// A quoted-string value as browsers write it: `"` and line breaks percent-encoded.
fn quote(text: &str) -> String {
    text.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack.len() >= needle.len()
        && haystack
            .windows(needle.len())
            .any(|window| window == needle)
}
