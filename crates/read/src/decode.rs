//! Text encodings: UTF-8 (with or without BOM), UTF-16 (BOM), and the legacy
//! CJK encodings (GBK/GB18030, Big5, …) that older reports are stored in.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

/// How many bytes are sniffed to choose an encoding when none is forced.
pub(crate) const SNIFF_BYTES: usize = 64 * 1024;

/// Looks up an encoding label (`utf-8`, `gbk`, `gb18030`, `big5`, `utf-16le`, …).
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

/// Chooses the encoding of a file from its first bytes: a BOM wins; then
/// valid UTF-8; then the statistical guess of `chardetng`. `complete` says
/// whether `head` is the whole file (a cut multi-byte char at its end is fine
/// otherwise).
pub(crate) fn sniff(head: &[u8], complete: bool) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(head) {
        return enc;
    }
    if utf8(head).is_ok() {
        return UTF_8;
    }
    // A char cut at the end of the sniffed part is not an error.
    if let Err(e) = std::str::from_utf8(head) {
        if !complete && e.error_len().is_none() {
            return UTF_8;
        }
    }
    // Mostly valid multi-byte UTF-8 with a few bad sequences is a damaged
    // UTF-8 file (reported where it breaks), not a legacy encoding.
    let (valid, invalid) = utf8_census(head);
    if valid > 0 && valid >= invalid {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(head, complete);
    let guess = detector.guess(None, chardetng::Utf8Detection::Allow);
    if guess == UTF_8 {
        UTF_8
    } else {
        guess
    }
}

/// Counts valid multi-byte UTF-8 chars and invalid sequences.
fn utf8_census(mut bytes: &[u8]) -> (usize, usize) {
    let (mut valid, mut invalid) = (0, 0);
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                valid += s.chars().filter(|c| !c.is_ascii()).count();
                return (valid, invalid);
            }
            Err(e) => {
                let good = &bytes[..e.valid_up_to()];
                valid += std::str::from_utf8(good)
                    .map(|s| s.chars().filter(|c| !c.is_ascii()).count())
                    .unwrap_or(0);
                match e.error_len() {
                    Some(n) => {
                        invalid += 1;
                        bytes = &bytes[e.valid_up_to() + n..];
                    }
                    None => return (valid, invalid),
                }
            }
        }
    }
}

/// Whether bytes look like a binary file rather than text: NUL bytes in a
/// file without a UTF-16 BOM.
pub(crate) fn looks_binary(head: &[u8]) -> bool {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return false;
    }
    memchr::memchr(0, head).is_some()
}

pub(crate) fn is_utf16(enc: &'static Encoding) -> bool {
    enc == UTF_16LE || enc == UTF_16BE
}

/// Why bytes could not be decoded: the byte offset of the first bad sequence.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct DecodeError {
    pub byte: usize,
}

/// Checks that bytes are UTF-8; on error, the offset of the first bad byte.
/// SIMD validation: std's check walks Chinese text a byte at a time and was
/// the reader's largest cost on JSONL (10 instructions a byte).
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, usize> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => Ok(s),
        // The fast check says only *that* it failed; std says where.
        Err(_) => std::str::from_utf8(bytes).map_err(|e| e.valid_up_to()),
    }
}

/// [`decode_strict`] of an owned buffer: UTF-8 (the rule) becomes the
/// String without a copy. On error the buffer comes back, for the message.
pub(crate) fn decode_owned(
    bytes: Vec<u8>,
    enc: &'static Encoding,
) -> Result<String, (Vec<u8>, DecodeError)> {
    if enc == UTF_8 && !bytes.starts_with(b"\xEF\xBB\xBF") {
        return match utf8(&bytes) {
            // SAFETY: `utf8` has just checked that the bytes are UTF-8.
            Ok(_) => Ok(unsafe { String::from_utf8_unchecked(bytes) }),
            Err(byte) => Err((bytes, DecodeError { byte })),
        };
    }
    decode_strict(&bytes, enc).map_err(|e| (bytes, e))
}

/// Decodes a whole buffer strictly: the first malformed sequence is an
/// error, not a silent U+FFFD, so that bad input is reported where it is.
pub(crate) fn decode_strict(bytes: &[u8], enc: &'static Encoding) -> Result<String, DecodeError> {
    if enc == UTF_8 {
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let offset = bytes.len() - body.len();
        return match utf8(body) {
            Ok(s) => Ok(s.to_owned()),
            Err(byte) => Err(DecodeError {
                byte: offset + byte,
            }),
        };
    }
    let (text, had_errors) = enc.decode_with_bom_removal(bytes);
    if !had_errors {
        return Ok(text.into_owned());
    }
    // Find where it broke, for the message.
    let mut decoder = enc.new_decoder_with_bom_removal();
    let mut out = String::with_capacity(bytes.len() * 2);
    let mut read = 0;
    loop {
        let (result, n) =
            decoder.decode_to_string_without_replacement(&bytes[read..], &mut out, true);
        read += n;
        match result {
            encoding_rs::DecoderResult::Malformed(bad, _) => {
                return Err(DecodeError {
                    byte: read.saturating_sub(bad as usize),
                })
            }
            encoding_rs::DecoderResult::OutputFull => out.reserve(bytes.len()),
            encoding_rs::DecoderResult::InputEmpty => {
                return Err(DecodeError { byte: bytes.len() })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_check_names_the_first_bad_byte() {
        assert_eq!(utf8("增长13.5%".as_bytes()), Ok("增长13.5%"));
        let mut bad = "增长".as_bytes().to_vec();
        bad.push(0xFF);
        bad.extend_from_slice("13.5%".as_bytes());
        assert_eq!(utf8(&bad), Err(6));
        // A char cut short at the end is an error too.
        assert_eq!(utf8(&"增长".as_bytes()[..5]), Err(3));
        let owned = decode_owned(bad.clone(), UTF_8).unwrap_err();
        assert_eq!((owned.0, owned.1), (bad, DecodeError { byte: 6 }));
    }

    #[test]
    fn bom_and_utf8_are_recognized() {
        assert_eq!(sniff("增长13.5%".as_bytes(), true), UTF_8);
        assert_eq!(sniff(b"\xEF\xBB\xBFabc", true), UTF_8);
        assert_eq!(sniff(b"\xFF\xFEa\0b\0", true), UTF_16LE);
        assert_eq!(sniff(b"\xFE\xFF\0a\0b", true), UTF_16BE);
    }

    #[test]
    fn gbk_is_detected_and_decoded() {
        let text = "海拉尔区政府工作报告，地区生产总值增长百分之十，财政收入稳步增长。";
        let (bytes, _, _) = encoding_rs::GBK.encode(text);
        let enc = sniff(&bytes, true);
        assert!(
            enc == encoding_rs::GBK || enc == encoding_rs::GB18030,
            "{}",
            enc.name()
        );
        assert_eq!(decode_strict(&bytes, enc).unwrap(), text);
    }

    #[test]
    fn invalid_utf8_names_the_byte() {
        let bytes = b"abc\xFFdef";
        assert_eq!(decode_strict(bytes, UTF_8), Err(DecodeError { byte: 3 }));
        let with_bom = b"\xEF\xBB\xBFab\xC3";
        assert_eq!(decode_strict(with_bom, UTF_8), Err(DecodeError { byte: 5 }));
        // The owned path agrees, and hands the bytes back for the message.
        for bytes in [
            &bytes[..],
            &with_bom[..],
            "增长".as_bytes(),
            b"\xEF\xBB\xBFok",
        ] {
            let owned = decode_owned(bytes.to_vec(), UTF_8);
            match (decode_strict(bytes, UTF_8), owned) {
                (Ok(a), Ok(b)) => assert_eq!(a, b),
                (Err(a), Err((back, b))) => assert_eq!((a, &back[..]), (b, bytes)),
                (a, b) => panic!("{a:?} vs {b:?}"),
            }
        }
    }

    #[test]
    fn utf16_with_bom_decodes() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "报告 ok".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(
            decode_strict(&bytes, sniff(&bytes, true)).unwrap(),
            "报告 ok"
        );
        assert!(!looks_binary(&bytes));
        assert!(looks_binary(b"\x7fELF\0\0\x01"));
    }
}
