//! Client authentication: which method a connection must pass (a small `pg_hba.conf`),
//! and the password verifiers roles store ([`password`]).
//!
//! Rules are `HOSTS=METHOD`, tried in order, the first whose hosts contain the client's
//! address deciding (no match: the connection is refused, as with PostgreSQL's pg_hba):
//!
//! * HOSTS: `all`, `loopback` (127.0.0.0/8 and ::1), an address, or a CIDR block;
//!   prefixed with `ssl:` the rule only matches TLS connections (PostgreSQL's `hostssl`).
//! * METHOD: `trust`, `scram-sha-256`, `md5` (which uses SCRAM when the role's password
//!   is a SCRAM verifier, as PostgreSQL does), `password` (clear text; only sensible
//!   over TLS), or `reject`.
//!
//! The default, `loopback=trust` then `all=scram-sha-256`, keeps the quick start
//! password-free on the local machine and asks everyone else for a password.
//! This module knows no protocol: the wire layer runs the exchanges.

pub mod password;

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// An authentication method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Trust,
    ScramSha256,
    Md5,
    Password,
    Reject,
}

impl Method {
    /// The name used in rules (PostgreSQL's pg_hba spelling).
    pub fn name(self) -> &'static str {
        match self {
            Method::Trust => "trust",
            Method::ScramSha256 => "scram-sha-256",
            Method::Md5 => "md5",
            Method::Password => "password",
            Method::Reject => "reject",
        }
    }
}

/// Which client addresses a rule covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hosts {
    All,
    Loopback,
    /// An address block: network address and prefix length.
    Net(IpAddr, u8),
}

impl Hosts {
    /// Whether `addr` is in this set (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, addr: IpAddr) -> bool {
        let addr = canonical(addr);
        match *self {
            Hosts::All => true,
            Hosts::Loopback => addr.is_loopback(),
            Hosts::Net(net, bits) => match (canonical(net), addr) {
                (IpAddr::V4(n), IpAddr::V4(a)) => prefix_eq(&n.octets(), &a.octets(), bits),
                (IpAddr::V6(n), IpAddr::V6(a)) => prefix_eq(&n.octets(), &a.octets(), bits),
                _ => false,
            },
        }
    }
}

fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(addr),
        v4 => v4,
    }
}

/// Whether the first `bits` bits of `a` and `b` agree.
fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let full = (bits / 8) as usize;
    let rest = bits % 8;
    if a[..full] != b[..full] {
        return false;
    }
    rest == 0 || {
        let mask = 0xFFu8 << (8 - rest);
        a[full] & mask == b[full] & mask
    }
}

/// One `HOSTS=METHOD` rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub hosts: Hosts,
    /// Matches only connections that negotiated TLS (`ssl:` prefix).
    pub ssl_only: bool,
    pub method: Method,
}

impl FromStr for Rule {
    type Err = String;

    fn from_str(s: &str) -> Result<Rule, String> {
        let bad = || format!("invalid auth rule {s:?}: expected HOSTS=METHOD, e.g. loopback=trust or 10.0.0.0/8=scram-sha-256");
        let (hosts, method) = s.split_once('=').ok_or_else(bad)?;
        let (ssl_only, hosts) = match hosts.trim().strip_prefix("ssl:") {
            Some(rest) => (true, rest),
            None => (false, hosts.trim()),
        };
        let method = match method.trim().to_ascii_lowercase().as_str() {
            "trust" => Method::Trust,
            "scram-sha-256" => Method::ScramSha256,
            "md5" => Method::Md5,
            "password" => Method::Password,
            "reject" => Method::Reject,
            other => return Err(format!("invalid auth method {other:?} in {s:?}: use trust, scram-sha-256, md5, password or reject")),
        };
        let hosts = match hosts.to_ascii_lowercase().as_str() {
            "all" => Hosts::All,
            "loopback" | "localhost" | "samehost" => Hosts::Loopback,
            cidr => {
                let (addr, bits) = match cidr.split_once('/') {
                    Some((a, b)) => (a, Some(b)),
                    None => (cidr, None),
                };
                let addr: IpAddr = addr.parse().map_err(|_| bad())?;
                let max = if addr.is_ipv4() { 32 } else { 128 };
                let bits = match bits {
                    Some(b) => b.parse::<u8>().ok().filter(|&b| b <= max).ok_or_else(bad)?,
                    None => max,
                };
                Hosts::Net(addr, bits)
            }
        };
        Ok(Rule { hosts, ssl_only, method })
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ssl_only {
            f.write_str("ssl:")?;
        }
        match self.hosts {
            Hosts::All => f.write_str("all")?,
            Hosts::Loopback => f.write_str("loopback")?,
            Hosts::Net(addr, bits) => write!(f, "{addr}/{bits}")?,
        }
        write!(f, "={}", self.method.name())
    }
}

/// The server's authentication rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthConfig {
    pub rules: Vec<Rule>,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            rules: vec![
                Rule { hosts: Hosts::Loopback, ssl_only: false, method: Method::Trust },
                Rule { hosts: Hosts::All, ssl_only: false, method: Method::ScramSha256 },
            ],
        }
    }
}

impl AuthConfig {
    /// The method for a client at `addr` (`tls`: the connection negotiated TLS);
    /// `None` when no rule matches.
    pub fn method_for(&self, addr: IpAddr, tls: bool) -> Option<Method> {
        self.rules.iter().find(|r| (tls || !r.ssl_only) && r.hosts.contains(addr)).map(|r| r.method)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(rules: &[&str]) -> AuthConfig {
        AuthConfig { rules: rules.iter().map(|r| r.parse().unwrap()).collect() }
    }

    #[test]
    fn first_matching_rule_decides() {
        let c = AuthConfig::default();
        assert_eq!(c.method_for("127.0.0.1".parse().unwrap(), false), Some(Method::Trust));
        assert_eq!(c.method_for("::1".parse().unwrap(), false), Some(Method::Trust));
        assert_eq!(c.method_for("::ffff:127.0.0.1".parse().unwrap(), false), Some(Method::Trust));
        assert_eq!(c.method_for("10.1.2.3".parse().unwrap(), false), Some(Method::ScramSha256));
        let c = config(&["10.0.0.0/8=md5", "ssl:all=password", "192.168.1.7=reject"]);
        assert_eq!(c.method_for("10.200.0.1".parse().unwrap(), false), Some(Method::Md5));
        assert_eq!(c.method_for("11.0.0.1".parse().unwrap(), false), None, "ssl-only rule skipped without TLS");
        assert_eq!(c.method_for("11.0.0.1".parse().unwrap(), true), Some(Method::Password));
        assert_eq!(c.method_for("192.168.1.7".parse().unwrap(), false), Some(Method::Reject));
        let c = config(&["172.16.0.0/12=trust"]);
        assert_eq!(c.method_for("172.31.255.255".parse().unwrap(), false), Some(Method::Trust));
        assert_eq!(c.method_for("172.32.0.0".parse().unwrap(), false), None);
    }

    #[test]
    fn rules_parse_and_print() {
        for r in ["loopback=trust", "all=scram-sha-256", "ssl:10.0.0.0/8=md5", "::1/128=password", "1.2.3.4/32=reject"] {
            assert_eq!(r.parse::<Rule>().unwrap().to_string(), r);
        }
        assert!("all".parse::<Rule>().is_err());
        assert!("all=kerberos".parse::<Rule>().unwrap_err().contains("kerberos"));
        assert!("10.0.0.0/33=md5".parse::<Rule>().is_err());
    }
}
