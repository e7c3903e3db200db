//! Cutting text to the size limits of the APIs we send it to (ECS, Slack, GitHub), always at a
//! character boundary so the result stays valid UTF-8.

/// The first `limit` characters of `text`.
pub fn first_chars(text: &str, limit: usize) -> &str {
    match text.char_indices().nth(limit) {
        Some((index, _)) => &text[..index],
        None => text,
    }
}

/// `text`, or its first `limit` characters followed by `…` when it is longer.
pub fn shorten_chars(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((index, _)) => format!("{}…", &text[..index]),
        None => text.to_owned(),
    }
}

/// The longest prefix of `text` of at most `limit` bytes.
pub fn first_bytes(text: &str, limit: usize) -> &str {
    if text.len() <= limit {
        return text;
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `text` within `limit` bytes, ending with `…` when it was cut.
pub fn shorten_bytes(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    format!(
        "{}…",
        first_bytes(text, limit.saturating_sub('…'.len_utf8()))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_fall_on_character_boundaries() {
        assert_eq!(first_chars("héllo", 2), "hé");
        assert_eq!(shorten_chars("héllo", 2), "hé…");
        assert_eq!(shorten_chars("hé", 2), "hé");
        assert_eq!(first_bytes("héllo", 2), "h");
        assert_eq!(shorten_bytes("héllo", 5), "h…");
        assert_eq!(shorten_bytes("héllo", 6), "héllo");
    }
}
