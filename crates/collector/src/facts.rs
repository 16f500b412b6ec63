//! Host facts: hostname, IPs, OS, kernel, architecture, boot time.

use crate::read::FileReader;
use hostpulse_core::HostFacts;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

/// `NAME` and `VERSION_ID` (else `VERSION`) of an os-release file, unquoted.
pub fn parse_os_release(text: &str) -> (String, String) {
    let value = |key: &str| {
        text.lines().find_map(|line| {
            let v = line.strip_prefix(key)?.strip_prefix('=')?;
            Some(v.trim().trim_matches(|c| c == '"' || c == '\'').to_string())
        })
    };
    let name = value("NAME").unwrap_or_default();
    let version = value("VERSION_ID")
        .or_else(|| value("VERSION"))
        .unwrap_or_default();
    (name, version)
}

/// Non-loopback, non-link-local addresses, IPv4 first, without duplicates.
pub fn order_ips(addrs: impl IntoIterator<Item = IpAddr>) -> Vec<String> {
    let mut v4: Vec<Ipv4Addr> = Vec::new();
    let mut v6: Vec<Ipv6Addr> = Vec::new();
    for addr in addrs {
        match addr {
            IpAddr::V4(a) if !a.is_loopback() && !a.is_link_local() && !v4.contains(&a) => {
                v4.push(a)
            }
            IpAddr::V6(a) if !a.is_loopback() && !a.is_unicast_link_local() && !v6.contains(&a) => {
                v6.push(a)
            }
            _ => {}
        }
    }
    v4.iter()
        .map(ToString::to_string)
        .chain(v6.iter().map(ToString::to_string))
        .collect()
}

/// Addresses of all interfaces, from getifaddrs(3).
fn interface_addresses() -> Vec<IpAddr> {
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs writes a list head we free below with freeifaddrs.
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        return Vec::new();
    }
    let mut addrs = Vec::new();
    let mut cursor = head;
    while !cursor.is_null() {
        // SAFETY: cursor is a node of the list getifaddrs returned, not yet freed.
        let node = unsafe { &*cursor };
        if !node.ifa_addr.is_null() {
            // SAFETY: ifa_addr points to a sockaddr whose family says its real type.
            addrs.extend(unsafe { sockaddr_ip(node.ifa_addr) });
        }
        cursor = node.ifa_next;
    }
    // SAFETY: head came from a successful getifaddrs and is freed once.
    unsafe { libc::freeifaddrs(head) };
    addrs
}

/// # Safety
/// `addr` must point to a valid sockaddr of the size its family implies.
unsafe fn sockaddr_ip(addr: *const libc::sockaddr) -> Option<IpAddr> {
    // SAFETY: the caller guarantees a valid sockaddr; the family selects the cast.
    unsafe {
        match i32::from((*addr).sa_family) {
            libc::AF_INET => {
                let sin = &*addr.cast::<libc::sockaddr_in>();
                Some(IpAddr::V4(Ipv4Addr::from(u32::from_be(
                    sin.sin_addr.s_addr,
                ))))
            }
            libc::AF_INET6 => {
                let sin6 = &*addr.cast::<libc::sockaddr_in6>();
                Some(IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr)))
            }
            _ => None,
        }
    }
}

/// The machine name uname(2) reports (`x86_64`, `aarch64`, ...).
fn uname_machine() -> String {
    // SAFETY: an all-zero utsname is valid and uname fills it.
    let mut uts: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: uts is a valid, writable utsname.
    if unsafe { libc::uname(&mut uts) } != 0 {
        return std::env::consts::ARCH.to_string();
    }
    let bytes: Vec<u8> = uts
        .machine
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Where facts come from.
#[derive(Debug)]
pub struct FactsSource {
    /// The kernel's host name (`PROC/sys/kernel/hostname`).
    pub hostname_path: PathBuf,
    /// The kernel release (`PROC/sys/kernel/osrelease`).
    pub osrelease_path: PathBuf,
    /// The distribution's `os-release` files, tried in order (`etc/os-release`, then
    /// `usr/lib/os-release` under the root).
    pub os_release_paths: [PathBuf; 2],
}

impl FactsSource {
    /// Sources under the `proc_path` and `rootfs_path` mount points.
    pub fn new(proc_path: &Path, rootfs_path: &Path) -> Self {
        Self {
            hostname_path: proc_path.join("sys/kernel/hostname"),
            osrelease_path: proc_path.join("sys/kernel/osrelease"),
            os_release_paths: [
                rootfs_path.join("etc/os-release"),
                rootfs_path.join("usr/lib/os-release"),
            ],
        }
    }

    /// Reads every fact once (boot time is left for the caller).
    pub fn read_all(&self, reader: &mut FileReader, display_name: Option<String>) -> HostFacts {
        let (os_name, os_version) = self
            .os_release_paths
            .iter()
            .find_map(|p| reader.read(p).ok().map(parse_os_release))
            .unwrap_or_default();
        let mut facts = HostFacts {
            display_name,
            os_name,
            os_version,
            kernel: read_trimmed(reader, &self.osrelease_path),
            arch: uname_machine(),
            agent_version: env!("CARGO_PKG_VERSION").to_string(),
            ..HostFacts::default()
        };
        self.refresh(reader, &mut facts);
        facts
    }

    /// Re-reads the facts that can change: hostname and IPs.
    pub fn refresh(&self, reader: &mut FileReader, facts: &mut HostFacts) {
        let hostname = read_trimmed(reader, &self.hostname_path);
        if !hostname.is_empty() {
            facts.hostname = hostname;
        }
        facts.ips = order_ips(interface_addresses());
    }
}

fn read_trimmed(reader: &mut FileReader, path: &Path) -> String {
    reader
        .read(path)
        .map(|t| t.trim().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_release_prefers_version_id() {
        let text = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\n";
        assert_eq!(
            parse_os_release(text),
            ("Debian GNU/Linux".into(), "12".into())
        );
        assert_eq!(
            parse_os_release("NAME=Arch Linux\n"),
            ("Arch Linux".into(), String::new())
        );
    }

    #[test]
    fn ips_skip_loopback_and_link_local_and_put_ipv4_first() {
        let addrs = [
            "fe80::1",
            "2001:db8::5",
            "127.0.0.1",
            "10.0.0.7",
            "::1",
            "10.0.0.7",
            "169.254.1.1",
        ];
        let ips = order_ips(addrs.iter().map(|a| a.parse().unwrap()));
        assert_eq!(ips, vec!["10.0.0.7", "2001:db8::5"]);
    }

    #[test]
    fn machine_name_is_known() {
        assert!(!uname_machine().is_empty());
    }
}
