//! Password verifiers, as PostgreSQL stores them in `pg_authid.rolpassword`.
//!
//! * SCRAM-SHA-256 (RFC 5802/7677): `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`
//!   with base64 fields, SaltedPassword = PBKDF2-HMAC-SHA-256(SASLprep(password), salt,
//!   iterations), ClientKey = HMAC(SaltedPassword, "Client Key"), StoredKey = SHA-256(ClientKey),
//!   ServerKey = HMAC(SaltedPassword, "Server Key"). The server never keeps the password.
//! * md5: `md5` + hex(MD5(password ‖ role name)); the md5 challenge then expects
//!   `md5` + hex(MD5(hex-part ‖ 4-byte salt)).
//!
//! A password given to CREATE/ALTER ROLE that already has one of these shapes is stored as
//! it is (how pg_dump restores roles), as PostgreSQL does.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ring::rand::SecureRandom;
use ring::{digest, hmac, pbkdf2};
use std::num::NonZeroU32;

/// PBKDF2 iterations of new SCRAM verifiers (PostgreSQL's `scram_iterations` default).
pub const SCRAM_ITERATIONS: u32 = 4096;
/// Salt length of new SCRAM verifiers (PostgreSQL's).
const SALT_LEN: usize = 16;

/// How CREATE/ALTER ROLE encrypts a clear-text password (`password_encryption`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encryption {
    ScramSha256,
    Md5,
}

/// The parts of a SCRAM-SHA-256 verifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScramVerifier {
    pub iterations: u32,
    pub salt: Vec<u8>,
    pub stored_key: Vec<u8>,
    pub server_key: Vec<u8>,
}

impl ScramVerifier {
    /// Parses PostgreSQL's text form; `None` if `s` is not a well-formed verifier.
    pub fn parse(s: &str) -> Option<Self> {
        let rest = s.strip_prefix("SCRAM-SHA-256$")?;
        let (params, keys) = rest.split_once('$')?;
        let (iterations, salt) = params.split_once(':')?;
        let (stored, server) = keys.split_once(':')?;
        let v = ScramVerifier {
            iterations: iterations.parse().ok().filter(|&n| n > 0)?,
            salt: STANDARD.decode(salt).ok()?,
            stored_key: STANDARD.decode(stored).ok()?,
            server_key: STANDARD.decode(server).ok()?,
        };
        (v.stored_key.len() == 32 && v.server_key.len() == 32).then_some(v)
    }

    /// The verifier of `password` with `salt` and `iterations`.
    pub fn derive(password: &str, salt: Vec<u8>, iterations: u32) -> Self {
        let salted = salted_password(password, &salt, iterations);
        let client_key = hmac_sha256(&salted, b"Client Key");
        ScramVerifier {
            iterations,
            salt,
            stored_key: digest::digest(&digest::SHA256, &client_key).as_ref().to_vec(),
            server_key: hmac_sha256(&salted, b"Server Key"),
        }
    }

    /// A verifier that no password matches (random keys): the stand-in for a role
    /// without a usable password, so the exchange fails only at the proof.
    pub fn throwaway() -> Self {
        ScramVerifier {
            iterations: SCRAM_ITERATIONS,
            salt: random::<SALT_LEN>().to_vec(),
            stored_key: random::<32>().to_vec(),
            server_key: random::<32>().to_vec(),
        }
    }

    /// PostgreSQL's text form.
    pub fn to_text(&self) -> String {
        format!(
            "SCRAM-SHA-256${}:{}${}:{}",
            self.iterations,
            STANDARD.encode(&self.salt),
            STANDARD.encode(&self.stored_key),
            STANDARD.encode(&self.server_key)
        )
    }

    /// Whether `password` is the one this verifier was made from.
    pub fn matches(&self, password: &str) -> bool {
        let again = ScramVerifier::derive(password, self.salt.clone(), self.iterations);
        same(&again.stored_key, &self.stored_key)
    }
}

/// Whether `s` is already a stored verifier (SCRAM or md5), not a clear-text password.
pub fn is_encrypted(s: &str) -> bool {
    ScramVerifier::parse(s).is_some() || is_md5(s)
}

/// Whether `s` has the shape of an md5 verifier.
pub fn is_md5(s: &str) -> bool {
    s.len() == 35 && s.starts_with("md5") && s[3..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// The stored form of `password` for role `role` (unchanged when already encrypted).
pub fn encrypt(role: &str, password: &str, how: Encryption) -> String {
    if is_encrypted(password) {
        return password.to_string();
    }
    match how {
        Encryption::Md5 => md5_verifier(role, password),
        Encryption::ScramSha256 => ScramVerifier::derive(password, random::<SALT_LEN>().to_vec(), SCRAM_ITERATIONS).to_text(),
    }
}

/// Whether clear-text `password` (the `password` method) matches the stored verifier.
pub fn check_cleartext(stored: &str, role: &str, password: &str) -> bool {
    if let Some(v) = ScramVerifier::parse(stored) {
        return v.matches(password);
    }
    is_md5(stored) && same(md5_verifier(role, password).as_bytes(), stored.as_bytes())
}

/// Whether `response` answers the md5 challenge `salt` for md5 verifier `stored`.
pub fn check_md5_response(stored: &str, salt: &[u8; 4], response: &str) -> bool {
    if !is_md5(stored) {
        return false;
    }
    let mut input = stored.as_bytes()[3..].to_vec();
    input.extend_from_slice(salt);
    let expected = format!("md5{:x}", md5::compute(&input));
    same(expected.as_bytes(), response.as_bytes())
}

/// `md5` + hex(MD5(password ‖ role)).
fn md5_verifier(role: &str, password: &str) -> String {
    format!("md5{:x}", md5::compute(format!("{password}{role}")))
}

/// Four random bytes for an md5 challenge.
pub fn md5_salt() -> [u8; 4] {
    random()
}

/// `N` bytes from the operating system's random generator.
fn random<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    ring::rand::SystemRandom::new().fill(&mut out).expect("the system random generator works");
    out
}

/// Hi(SASLprep(password), salt, iterations) of RFC 5802; a password SASLprep rejects is
/// used as it is (PostgreSQL does the same).
fn salted_password(password: &str, salt: &[u8], iterations: u32) -> Vec<u8> {
    let prepared = stringprep::saslprep(password).map(|p| p.into_owned()).unwrap_or_else(|_| password.to_string());
    let mut out = vec![0u8; digest::SHA256_OUTPUT_LEN];
    let iterations = NonZeroU32::new(iterations).unwrap_or(NonZeroU32::MIN);
    pbkdf2::derive(pbkdf2::PBKDF2_HMAC_SHA256, iterations, salt, prepared.as_bytes(), &mut out);
    out
}

/// Equality of secrets in time independent of where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data).as_ref().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Verifiers PostgreSQL 15 stored for `CREATE ROLE kat_r PASSWORD 'secret'` (read back
    /// from pg_authid) under each `password_encryption`.
    const PG_SCRAM: &str = "SCRAM-SHA-256$4096:YNJ6cEV3LEAwavx4Xeitdg==$5oJlqzHt2ZlANaugnhH26qCRA1OhSG/hIA9Lpj/zYkA=:6fZ23Z9Mhoklb6B2g54oQxcCCJcDPA+AtyPf6+TVwLw=";
    const PG_MD5: &str = "md510e3a62daa8fd9c2cd6a4c20320f47f1";

    #[test]
    fn scram_verifiers_match_postgresql() {
        let pg = ScramVerifier::parse(PG_SCRAM).unwrap();
        assert_eq!(ScramVerifier::derive("secret", pg.salt.clone(), pg.iterations), pg);
        assert_eq!(pg.to_text(), PG_SCRAM);
        assert!(pg.matches("secret"));
        assert!(!pg.matches("Secret"));
        assert!(check_cleartext(PG_SCRAM, "kat_r", "secret"));
        let ours = ScramVerifier::parse(&encrypt("kat_r", "secret", Encryption::ScramSha256)).unwrap();
        assert!(ours.matches("secret"));
        assert_ne!(ours.salt, pg.salt, "a fresh random salt");
        assert!(ScramVerifier::parse("SCRAM-SHA-256$4096:abc$short:keys").is_none());
    }

    #[test]
    fn md5_verifiers_and_challenges() {
        assert_eq!(encrypt("kat_r", "secret", Encryption::Md5), PG_MD5);
        let stored = encrypt("alice", "secret", Encryption::Md5);
        assert!(check_cleartext(&stored, "alice", "secret"));
        assert!(!check_cleartext(&stored, "alice", "nope"));
        assert!(!check_cleartext(&stored, "bob", "secret"), "the role name is salt");
        let salt = [1, 2, 3, 4];
        let mut input = stored.as_bytes()[3..].to_vec();
        input.extend_from_slice(&salt);
        let response = format!("md5{:x}", md5::compute(&input));
        assert!(check_md5_response(&stored, &salt, &response));
        assert!(!check_md5_response(&stored, &[4, 3, 2, 1], &response));
        assert_eq!(encrypt("bob", &stored, Encryption::ScramSha256), stored, "already encrypted: kept");
    }
}
