//! Keyed fingerprints of the Secrets `qspgb hooks` writes.
//!
//! The hooks mark what they wrote where anyone may look: a label on each Secret
//! ([`super::SOURCE_HASH_LABEL`]), the workload's pod-template annotation
//! ([`super::RESTART_ANNOTATION`]) and the pending-restart mark. Kubernetes' built-in `view`
//! role reads labels and annotations but not Secret data, so a plain hash of the data there
//! would let such a reader test password guesses offline (hash the guessed userlist, compare).
//! These marks are therefore HMAC-SHA256 values under a random key that lives in the admin
//! Secret itself ([`HASH_KEY`]): only who can read that Secret can compute or check one.
//!
//! HMAC and the random key come from `ring`, which rustls (and so kube) already links: a
//! maintained, audited implementation, and no crate added for it.

use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

use super::SecretData;

/// Key of the fingerprint key in the admin Secret. The hooks generate it once and keep it
/// across runs; `config.adminUserKey` and `config.adminPasswordKey` may not use this name.
pub const HASH_KEY: &str = "qspgb-hash-key";

/// Bytes of randomness in a key (stored as twice as many lowercase hex digits).
const KEY_BYTES: usize = 32;

/// The secret key of an instance's fingerprints.
#[derive(Clone, PartialEq, Eq)]
pub struct FingerprintKey {
    /// The key as stored: [`KEY_BYTES`] * 2 lowercase hex digits.
    stored: Vec<u8>,
}

impl std::fmt::Debug for FingerprintKey {
    // A key is a secret: never printed, even in a debug dump.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FingerprintKey(..)")
    }
}

impl FingerprintKey {
    /// A new random key from the operating system's generator; `None` when it fails.
    pub fn generate() -> Option<FingerprintKey> {
        let mut bytes = [0u8; KEY_BYTES];
        SystemRandom::new().fill(&mut bytes).ok()?;
        Some(FingerprintKey {
            stored: hex(&bytes).into_bytes(),
        })
    }

    /// The key stored in a live admin Secret, when it is one: exactly 64 lowercase hex
    /// digits. Anything else (edited, truncated) is no key, and a new one replaces it.
    pub fn from_stored(stored: &[u8]) -> Option<FingerprintKey> {
        let valid = stored.len() == KEY_BYTES * 2
            && stored
                .iter()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b));
        valid.then(|| FingerprintKey {
            stored: stored.to_vec(),
        })
    }

    /// The key as the admin Secret stores it under [`HASH_KEY`].
    pub fn stored(&self) -> &[u8] {
        &self.stored
    }

    /// The fingerprint of a Secret's data: HMAC-SHA256 over each key and value,
    /// length-prefixed so that no two different maps give the same input. Lowercase hex.
    pub fn data(&self, data: &SecretData) -> String {
        let mut context = hmac::Context::with_key(&self.hmac_key());
        context.update(b"qspgb secret data v1\0");
        for (key, value) in data {
            context.update(&(key.len() as u64).to_be_bytes());
            context.update(key.as_bytes());
            context.update(&(value.len() as u64).to_be_bytes());
            context.update(value);
        }
        hex(context.sign().as_ref())
    }

    /// The fingerprint of both Secrets of an instance (the restart annotation's value).
    pub fn content(&self, userlist: &SecretData, admin: &SecretData) -> String {
        let mut context = hmac::Context::with_key(&self.hmac_key());
        context.update(b"qspgb instance content v1\0");
        context.update(self.data(userlist).as_bytes());
        context.update(self.data(admin).as_bytes());
        hex(context.sign().as_ref())
    }

    fn hmac_key(&self) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, &self.stored)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: u8) -> FingerprintKey {
        FingerprintKey::from_stored(&[c; 64]).unwrap()
    }

    #[test]
    fn generated_keys_are_stored_as_hex_and_differ() {
        let a = FingerprintKey::generate().unwrap();
        let b = FingerprintKey::generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(FingerprintKey::from_stored(a.stored()), Some(a.clone()));
        assert_eq!(a.stored().len(), 64);
        assert_eq!(format!("{a:?}"), "FingerprintKey(..)");
    }

    #[test]
    fn only_64_lowercase_hex_digits_are_a_key() {
        assert!(FingerprintKey::from_stored(&[b'0'; 64]).is_some());
        for bad in [&[b'0'; 63][..], &[b'0'; 65], &[b'A'; 64], &[b'g'; 64], b""] {
            assert!(FingerprintKey::from_stored(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn fingerprints_are_hmac_sha256_of_the_canonical_encoding() {
        // Known answer, computed independently (Python: hmac.new(b"a"*64, msg, sha256)),
        // where msg = b"qspgb secret data v1\0" + be64(1) + b"k" + be64(1) + b"v".
        let data = SecretData::from([("k".into(), b"v".to_vec())]);
        assert_eq!(
            key(b'a').data(&data),
            "bed5230e28dc9e897b52fff5be3c3bc9a5218ff178d585fdcf4c440c580bb4db"
        );
    }

    #[test]
    fn fingerprints_change_with_data_and_key_and_keep_maps_apart() {
        let a = SecretData::from([("k".into(), b"v".to_vec())]);
        let b = SecretData::from([("k".into(), b"w".to_vec())]);
        assert_ne!(key(b'a').data(&a), key(b'a').data(&b));
        assert_ne!(key(b'a').data(&a), key(b'b').data(&a));
        let x = SecretData::from([("ab".into(), b"c".to_vec())]);
        let y = SecretData::from([("a".into(), b"bc".to_vec())]);
        assert_ne!(key(b'a').data(&x), key(b'a').data(&y));
        assert_ne!(
            key(b'a').content(&a, &b),
            key(b'a').content(&b, &a),
            "the two Secrets are not interchangeable"
        );
        assert_eq!(key(b'a').content(&a, &b), key(b'a').content(&a, &b));
    }

    // The examples of the items' documentation, from when the module was public.

    #[test]
    fn data_example() {
        use crate::hooks::SecretData;
        use crate::hooks::fingerprint::FingerprintKey;
        let key = FingerprintKey::from_stored(&[b'a'; 64]).unwrap();
        let other = FingerprintKey::from_stored(&[b'b'; 64]).unwrap();
        let data = SecretData::from([("k".into(), b"v".to_vec())]);
        assert_eq!(key.data(&data).len(), 64);
        assert_ne!(key.data(&data), other.data(&data));
    }
}
