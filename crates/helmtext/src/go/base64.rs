//! Go's `encoding/base64.StdEncoding`, as sprig's `b64enc`/`b64dec` and go-yaml's `!!binary`
//! use it, on the `base64` crate's engines.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};

/// Go's `StdEncoding` for decoding: padding required, and bits after the last whole byte
/// need not be zero (only `StdEncoding.Strict()` checks them).
const GO_STD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical)
        .with_decode_allow_trailing_bits(true),
);

/// `base64.StdEncoding.EncodeToString`: the standard alphabet, padded.
///
/// ```
/// assert_eq!(qspgb_helmtext::go::base64::encode(b"ab"), "YWI=");
/// ```
pub fn encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// `base64.StdEncoding.DecodeString`: the standard alphabet, padding required, `\r` and
/// `\n` anywhere ignored; `None` where Go returns an error.
///
/// ```
/// use qspgb_helmtext::go::base64::decode;
/// assert_eq!(decode("YWI=").as_deref(), Some(&b"ab"[..]));
/// assert_eq!(decode("YW\r\nI=\n").as_deref(), Some(&b"ab"[..]));
/// assert_eq!(decode("YWJ=").as_deref(), Some(&b"ab"[..])); // trailing bits are ignored
/// assert_eq!(decode("YWI"), None); // padding is required
/// assert_eq!(decode("YW=I"), None);
/// ```
pub fn decode(text: &str) -> Option<Vec<u8>> {
    if text.contains(['\r', '\n']) {
        let joined: String = text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
        return GO_STD.decode(joined).ok();
    }
    GO_STD.decode(text).ok()
}
