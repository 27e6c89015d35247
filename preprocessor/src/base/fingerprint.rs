//! The one hasher that every cache key, stamp and content-named folder is made with.
//!
//! A [`Fingerprint`] is a blake3 hash of a sequence of fields. Each field that can vary in
//! length is written with its length in front (as a little-endian `u64`), so that two different
//! sequences never hash alike by moving bytes from one field into the next. The layouts below
//! are the ones the keys have always had; `tests::keys_are_pinned` in the modules that make keys
//! pins their hex for fixed inputs, so a refactoring cannot change a key by accident (an
//! installed book would recompute everything, or refuse its assets).

/// A hash being built from fields.
#[derive(Debug, Clone, Default)]
pub struct Fingerprint(blake3::Hasher);

impl Fingerprint {
    /// An empty fingerprint.
    pub fn new() -> Fingerprint {
        Fingerprint::default()
    }

    /// A named field: the name's bytes, then the value's length and bytes.
    pub fn field(&mut self, name: &str, bytes: &[u8]) -> &mut Fingerprint {
        self.0.update(name.as_bytes());
        self.part(bytes)
    }

    /// A field without a name: its length, then its bytes.
    pub fn part(&mut self, bytes: &[u8]) -> &mut Fingerprint {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    /// Bytes as they are, with no length in front; for fields whose length is fixed, or keys
    /// whose layout had none.
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Fingerprint {
        self.0.update(bytes);
        self
    }

    /// Every file of the embedded runtime, each as a field named by its path.
    pub fn runtime(&mut self) -> &mut Fingerprint {
        for (path, text) in crate::base::runtime::FILES {
            self.field(path, text.as_bytes());
        }
        self
    }

    /// The hash in lowercase hexadecimal (64 digits).
    pub fn hex(&self) -> String {
        self.0.finalize().to_hex().to_string()
    }
}

/// The hexadecimal blake3 hash of `bytes` alone (a checksum, or a short tag).
pub fn hash_hex(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_keep_fields_apart() {
        let ab_c = Fingerprint::new().part(b"ab").part(b"c").hex();
        let a_bc = Fingerprint::new().part(b"a").part(b"bc").hex();
        assert_ne!(ab_c, a_bc);
        assert_eq!(Fingerprint::new().raw(b"ab").raw(b"c").hex(), Fingerprint::new().raw(b"abc").hex());
        assert_eq!(hash_hex(b"abc"), Fingerprint::new().raw(b"abc").hex());
        assert_eq!(Fingerprint::new().field("n", b"v").hex(), Fingerprint::new().raw(b"n").part(b"v").hex());
    }
}
