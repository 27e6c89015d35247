//! The one way a chapter's key (`part/ch-1`) becomes a name for files, packages and element ids.

/// The key in lowercase ASCII letters and digits, every other character a `-`:
/// `Part/Ch 1` becomes `part-ch-1`.
pub fn slug(key: &str) -> String {
    key.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugs() {
        assert_eq!(super::slug("Part/Ch 1"), "part-ch-1");
        assert_eq!(super::slug("ré_x"), "r--x");
    }
}
