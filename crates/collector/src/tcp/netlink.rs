//! A minimal NETLINK_SOCK_DIAG client: dumps TCP sockets of one address family and
//! counts their states, checking every length it reads.

use super::{StateCounts, count_state};
use crate::error::CollectError;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// Receive buffer size; dumps come in datagrams of at most 32 KiB.
pub const RECV_BUFFER_BYTES: usize = 64 * 1024;

const SOCK_DIAG_BY_FAMILY: u16 = 20;
/// Legacy request type; the kernel answers it for IPv4 and IPv6 in one hash-table walk.
const TCPDIAG_GETSOCK: u16 = 18;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_DUMP: u16 = 0x300;
const NLMSG_HDRLEN: usize = 16;
/// `struct nlmsghdr` + `struct inet_diag_req_v2`.
const REQUEST_V2_LEN: usize = NLMSG_HDRLEN + 56;
/// `struct nlmsghdr` + legacy `struct inet_diag_req`.
const REQUEST_LEGACY_LEN: usize = NLMSG_HDRLEN + 60;
/// TCP states 1 (established) to 12 (new_syn_recv); leaving out bit 13 (bound-inactive)
/// spares the kernel a walk of the bind hash table.
const STATES_MASK: u32 = 0x1ffe;

/// Which dump request to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DumpRequest {
    /// `TCPDIAG_GETSOCK`: all address families in one walk.
    Legacy,
    /// `SOCK_DIAG_BY_FAMILY` for one address family.
    Family(u8),
}

/// Whether a dump has more datagrams to come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DumpStatus {
    /// More datagrams of the dump follow: read again.
    More,
    /// The dump ended (`NLMSG_DONE`).
    Done,
}

/// A dump request for TCP sockets in every state; returns the buffer and its used length.
pub fn build_request(request: DumpRequest, seq: u32) -> ([u8; REQUEST_LEGACY_LEN], usize) {
    let mut req = [0u8; REQUEST_LEGACY_LEN];
    let (kind, len) = match request {
        DumpRequest::Legacy => (TCPDIAG_GETSOCK, REQUEST_LEGACY_LEN),
        DumpRequest::Family(_) => (SOCK_DIAG_BY_FAMILY, REQUEST_V2_LEN),
    };
    req[0..4].copy_from_slice(&(len as u32).to_ne_bytes());
    req[4..6].copy_from_slice(&kind.to_ne_bytes());
    req[6..8].copy_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
    req[8..12].copy_from_slice(&seq.to_ne_bytes());
    match request {
        DumpRequest::Legacy => {
            // inet_diag_req: family (ignored), src_len, dst_len, ext, socket id (48), states, dbs.
            req[16] = libc::AF_INET as u8;
            req[68..72].copy_from_slice(&STATES_MASK.to_ne_bytes());
        }
        DumpRequest::Family(family) => {
            // inet_diag_req_v2: family, protocol, ext, pad, states, then a zero socket id.
            req[16] = family;
            req[17] = libc::IPPROTO_TCP as u8;
            req[20..24].copy_from_slice(&STATES_MASK.to_ne_bytes());
        }
    }
    (req, len)
}

fn read_u16(buf: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(buf.get(at..at + 2)?.try_into().ok()?))
}

fn read_u32(buf: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(buf.get(at..at + 4)?.try_into().ok()?))
}

/// Counts the `inet_diag_msg` states of one received datagram into `counts`.
pub fn count_dump_messages(
    buf: &[u8],
    seq: u32,
    counts: &mut StateCounts,
) -> Result<DumpStatus, CollectError> {
    let bad = |what: &str| CollectError::Netlink(format!("sock_diag: {what}"));
    let mut offset = 0;
    while offset + NLMSG_HDRLEN <= buf.len() {
        let len = read_u32(buf, offset).ok_or_else(|| bad("short header"))? as usize;
        let kind = read_u16(buf, offset + 4).ok_or_else(|| bad("short header"))?;
        let msg_seq = read_u32(buf, offset + 8).ok_or_else(|| bad("short header"))?;
        if len < NLMSG_HDRLEN || offset + len > buf.len() {
            return Err(bad("truncated message"));
        }
        if msg_seq == seq {
            match kind {
                NLMSG_DONE => return Ok(DumpStatus::Done),
                NLMSG_ERROR => return Err(error_message(buf, offset, len)),
                SOCK_DIAG_BY_FAMILY | TCPDIAG_GETSOCK if len >= NLMSG_HDRLEN + 2 => {
                    count_state(counts, buf[offset + NLMSG_HDRLEN + 1]);
                }
                SOCK_DIAG_BY_FAMILY | TCPDIAG_GETSOCK => return Err(bad("short inet_diag_msg")),
                _ => {}
            }
        }
        offset += (len + 3) & !3;
    }
    Ok(DumpStatus::More)
}

fn error_message(buf: &[u8], offset: usize, len: usize) -> CollectError {
    let code = (len >= NLMSG_HDRLEN + 4)
        .then(|| read_u32(buf, offset + NLMSG_HDRLEN))
        .flatten()
        .map(|c| (c as i32).saturating_neg());
    match code {
        Some(errno) => CollectError::Netlink(format!(
            "sock_diag: {}",
            std::io::Error::from_raw_os_error(errno)
        )),
        None => CollectError::Netlink("sock_diag: short error message".into()),
    }
}

/// An open NETLINK_SOCK_DIAG socket with a 1 s receive timeout.
#[derive(Debug)]
pub struct DiagSocket {
    fd: OwnedFd,
}

impl DiagSocket {
    /// Opens the socket.
    pub fn open() -> std::io::Result<Self> {
        let flags = libc::SOCK_DGRAM | libc::SOCK_CLOEXEC;
        // SAFETY: plain socket(2) call; the result is checked before use.
        let raw = unsafe { libc::socket(libc::AF_NETLINK, flags, libc::NETLINK_SOCK_DIAG) };
        if raw < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: `raw` is a freshly opened descriptor owned by nobody else.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let timeout = libc::timeval {
            tv_sec: 1,
            tv_usec: 0,
        };
        // SAFETY: `timeout` is a valid timeval and its exact size is passed.
        let rc = unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVTIMEO,
                (&raw const timeout).cast(),
                std::mem::size_of::<libc::timeval>() as libc::socklen_t,
            )
        };
        if rc != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Self { fd })
    }

    /// Dumps the TCP sockets `request` selects and adds their states to `counts`.
    pub fn dump(
        &self,
        request: DumpRequest,
        seq: u32,
        buf: &mut [u8],
        counts: &mut StateCounts,
    ) -> Result<(), CollectError> {
        let io_err = |e: std::io::Error| CollectError::Netlink(format!("sock_diag: {e}"));
        let (bytes, len) = build_request(request, seq);
        self.send(&bytes[..len]).map_err(io_err)?;
        loop {
            let received = self.receive(buf).map_err(io_err)?;
            if count_dump_messages(&buf[..received], seq, counts)? == DumpStatus::Done {
                return Ok(());
            }
        }
    }

    fn send(&self, request: &[u8]) -> std::io::Result<()> {
        // SAFETY: an all-zero sockaddr_nl is valid; it addresses the kernel (pid 0).
        let mut kernel: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        kernel.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        // SAFETY: request and address are valid for the lengths given.
        let sent = unsafe {
            libc::sendto(
                self.fd.as_raw_fd(),
                request.as_ptr().cast(),
                request.len(),
                0,
                (&raw const kernel).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        };
        match usize::try_from(sent) {
            Ok(n) if n == request.len() => Ok(()),
            Ok(_) => Err(std::io::Error::other("short netlink send")),
            Err(_) => Err(std::io::Error::last_os_error()),
        }
    }

    /// Receives one datagram; a datagram larger than `buf` is an error, not a silent cut.
    fn receive(&self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            // SAFETY: buf is valid and writable for buf.len() bytes.
            let n = unsafe {
                libc::recv(
                    self.fd.as_raw_fd(),
                    buf.as_mut_ptr().cast(),
                    buf.len(),
                    libc::MSG_TRUNC,
                )
            };
            let Ok(n) = usize::try_from(n) else {
                let err = std::io::Error::last_os_error();
                if err.kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(err);
            };
            if n > buf.len() {
                return Err(std::io::Error::other(
                    "netlink datagram larger than the buffer",
                ));
            }
            if n == 0 {
                return Err(std::io::Error::other("netlink socket closed"));
            }
            return Ok(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(kind: u16, seq: u32, body: &[u8]) -> Vec<u8> {
        let len = NLMSG_HDRLEN + body.len();
        let mut msg = Vec::new();
        msg.extend((len as u32).to_ne_bytes());
        msg.extend(kind.to_ne_bytes());
        msg.extend(2u16.to_ne_bytes()); // NLM_F_MULTI
        msg.extend(seq.to_ne_bytes());
        msg.extend(0u32.to_ne_bytes());
        msg.extend(body);
        while msg.len() % 4 != 0 {
            msg.push(0);
        }
        msg
    }

    fn socket_msg(kind: u16, seq: u32, state: u8) -> Vec<u8> {
        let mut body = vec![0u8; 72];
        body[0] = libc::AF_INET as u8;
        body[1] = state;
        message(kind, seq, &body)
    }

    #[test]
    fn counts_states_until_done() {
        let mut buf = socket_msg(SOCK_DIAG_BY_FAMILY, 9, 10);
        buf.extend(socket_msg(TCPDIAG_GETSOCK, 9, 1));
        buf.extend(socket_msg(SOCK_DIAG_BY_FAMILY, 9, 12));
        buf.extend(socket_msg(SOCK_DIAG_BY_FAMILY, 8, 1)); // another request's: ignored
        let mut counts = StateCounts::default();
        assert_eq!(
            count_dump_messages(&buf, 9, &mut counts).unwrap(),
            DumpStatus::More
        );
        assert_eq!((counts[9], counts[0], counts[2]), (1, 1, 1));
        let done = message(NLMSG_DONE, 9, &0i32.to_ne_bytes());
        assert_eq!(
            count_dump_messages(&done, 9, &mut counts).unwrap(),
            DumpStatus::Done
        );
    }

    #[test]
    fn reports_kernel_errors_and_truncation() {
        let error = message(NLMSG_ERROR, 3, &(-libc::EINVAL).to_ne_bytes());
        let err = count_dump_messages(&error, 3, &mut StateCounts::default()).unwrap_err();
        assert!(err.to_string().contains("Invalid argument"), "{err}");
        let whole = socket_msg(SOCK_DIAG_BY_FAMILY, 1, 1);
        let cut = &whole[..40];
        assert!(count_dump_messages(cut, 1, &mut StateCounts::default()).is_err());
        let mut lying = whole.clone();
        lying[0..4].copy_from_slice(&4u32.to_ne_bytes());
        assert!(count_dump_messages(&lying, 1, &mut StateCounts::default()).is_err());
    }

    #[test]
    fn requests_have_the_kernel_layouts() {
        let (legacy, len) = build_request(DumpRequest::Legacy, 5);
        assert_eq!(len, 76);
        assert_eq!(read_u16(&legacy, 4), Some(TCPDIAG_GETSOCK));
        assert_eq!(read_u32(&legacy, 68), Some(STATES_MASK));
        let (v2, len) = build_request(DumpRequest::Family(libc::AF_INET6 as u8), 6);
        assert_eq!(
            (len, v2[16], v2[17]),
            (72, libc::AF_INET6 as u8, libc::IPPROTO_TCP as u8)
        );
        assert_eq!((read_u32(&v2, 0), read_u32(&v2, 8)), (Some(72), Some(6)));
    }
}
