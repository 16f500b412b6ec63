//! Filesystem family: space and inodes of real mounts, from mountinfo and `statvfs`.

use crate::error::CollectError;
use crate::family::{Cycle, Family};
use crate::rate::percent;
use crate::read::FileReader;
use hostpulse_core::Sample;
use std::ffi::CString;
use std::fs::File;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Filesystem types that hold no user data (kernel interfaces, memory-backed, container layers).
const PSEUDO_FSTYPES: &[&str] = &[
    "autofs",
    "binfmt_misc",
    "bpf",
    "cgroup",
    "cgroup2",
    "configfs",
    "debugfs",
    "devpts",
    "devtmpfs",
    "efivarfs",
    "fusectl",
    "hugetlbfs",
    "iso9660",
    "mqueue",
    "nsfs",
    "overlay",
    "proc",
    "procfs",
    "pstore",
    "ramfs",
    "rpc_pipefs",
    "securityfs",
    "selinuxfs",
    "squashfs",
    "sysfs",
    "tmpfs",
    "tracefs",
];

/// Network and FUSE-network filesystems: `statvfs` on them can hang when the server is gone.
const NETWORK_FSTYPES: &[&str] = &[
    "9p",
    "afs",
    "ceph",
    "cifs",
    "fuse.glusterfs",
    "fuse.gvfsd-fuse",
    "fuse.rclone",
    "fuse.s3fs",
    "fuse.sshfs",
    "glusterfs",
    "lustre",
    "ncpfs",
    "nfs",
    "nfs4",
    "smb3",
    "smbfs",
];

/// Mount point prefixes of container and sandbox internals, as node_exporter skips them.
const SKIPPED_MOUNT_PREFIXES: &[&str] = &[
    "/dev/",
    "/proc/",
    "/sys/",
    "/run/credentials/",
    "/var/lib/docker/",
    "/var/lib/containers/storage/",
    "/var/lib/kubelet/",
    "/snap/",
];

/// One line of mountinfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Where the filesystem is mounted, unescaped (`/`, `/var/lib`).
    pub mount_point: String,
    /// Mount source, usually the device path (`/dev/vda1`).
    pub device: String,
    /// Filesystem type (`ext4`, `xfs`, `tmpfs`).
    pub fstype: String,
}

/// Parses `/proc/<pid>/mountinfo`, unescaping octal escapes (`\040` is a space).
pub fn parse_mountinfo(text: &str) -> Vec<Mount> {
    text.lines().filter_map(parse_mountinfo_line).collect()
}

fn parse_mountinfo_line(line: &str) -> Option<Mount> {
    let (left, right) = line.split_once(" - ")?;
    let mount_point = left.split(' ').nth(4)?;
    let mut right = right.split(' ');
    let fstype = right.next()?;
    let device = right.next()?;
    Some(Mount {
        mount_point: unescape_octal(mount_point),
        device: unescape_octal(device),
        fstype: fstype.to_string(),
    })
}

/// Decodes the kernel's `\ooo` escapes of space, tab, newline and backslash.
fn unescape_octal(field: &str) -> String {
    if !field.contains('\\') {
        return field.to_string();
    }
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let digits = bytes.get(i + 1..i + 4);
        let octal =
            digits.filter(|d| bytes[i] == b'\\' && d.iter().all(|b| (b'0'..=b'7').contains(b)));
        match octal {
            Some(d) => {
                let value = d.iter().fold(0u32, |acc, b| acc * 8 + u32::from(b - b'0'));
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 4;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a mount holds real, local data worth watching.
pub fn is_monitored(mount: &Mount) -> bool {
    let fstype = mount.fstype.as_str();
    if PSEUDO_FSTYPES.contains(&fstype) || NETWORK_FSTYPES.contains(&fstype) {
        return false;
    }
    let point = mount.mount_point.as_str();
    if matches!(point, "/dev" | "/proc" | "/sys") {
        return false;
    }
    !SKIPPED_MOUNT_PREFIXES.iter().any(|p| point.starts_with(p))
}

/// The monitored mounts, one per mount point (the last, visible one when a point is mounted over).
pub fn monitored_mounts(mounts: Vec<Mount>) -> Vec<Mount> {
    let mut kept: Vec<Mount> = Vec::new();
    for mount in mounts {
        kept.retain(|m| m.mount_point != mount.mount_point);
        if is_monitored(&mount) {
            kept.push(mount);
        }
    }
    kept
}

/// Space and inode figures of one filesystem.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FsUsage {
    /// Size of the filesystem.
    pub total_bytes: u64,
    /// Available to unprivileged users.
    pub free_bytes: u64,
    /// Used space as a percentage of what unprivileged users can have (used + available),
    /// like `df`.
    pub used_percent: f64,
    /// `None` when the filesystem has no inode limit (btrfs, some FUSE).
    pub inodes_used_percent: Option<f64>,
}

/// Computes usage like `df`: used / (used + available to users).
pub fn fs_usage(
    block_size: u64,
    blocks: u64,
    blocks_free: u64,
    blocks_avail: u64,
    files: u64,
    files_free: u64,
) -> FsUsage {
    let used = blocks.saturating_sub(blocks_free);
    FsUsage {
        total_bytes: blocks * block_size,
        free_bytes: blocks_avail * block_size,
        used_percent: percent(used as f64, (used + blocks_avail) as f64),
        inodes_used_percent: (files > 0)
            .then(|| percent(files.saturating_sub(files_free) as f64, files as f64)),
    }
}

fn statvfs(path: &Path) -> std::io::Result<FsUsage> {
    let c_path = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
    // SAFETY: an all-zero statvfs is a valid value of this plain C struct.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: c_path is a NUL-terminated string and st a valid, writable statvfs.
    if unsafe { libc::statvfs(c_path.as_ptr(), &mut st) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let block = if st.f_frsize > 0 {
        st.f_frsize
    } else {
        st.f_bsize
    };
    #[allow(clippy::useless_conversion)] // field widths differ between architectures
    Ok(fs_usage(
        u64::from(block),
        u64::from(st.f_blocks),
        u64::from(st.f_bfree),
        u64::from(st.f_bavail),
        u64::from(st.f_files),
        u64::from(st.f_ffree),
    ))
}

/// Keeps mountinfo open and re-parses it only when poll(2) reports a mount change.
#[derive(Debug)]
pub struct FilesystemCollector {
    mountinfo_paths: [PathBuf; 2],
    rootfs_path: PathBuf,
    mountinfo: Option<File>,
    mounts: Vec<(Mount, PathBuf)>,
}

impl FilesystemCollector {
    /// A collector reading the mount table (`PROC/1/mountinfo`, else `PROC/self/mountinfo`)
    /// and `statvfs`ing mount points under `rootfs_path`.
    pub fn new(proc_path: &Path, rootfs_path: &Path) -> Self {
        Self {
            mountinfo_paths: [
                proc_path.join("1/mountinfo"),
                proc_path.join("self/mountinfo"),
            ],
            rootfs_path: rootfs_path.to_path_buf(),
            mountinfo: None,
            mounts: Vec::new(),
        }
    }

    /// Emits the `disk.*` space samples; a mount whose `statvfs` fails is skipped and reported.
    fn emit(&mut self, reader: &mut FileReader, out: &mut Vec<Sample>) -> Result<(), CollectError> {
        self.refresh_mounts(reader)?;
        let mut first_error = None;
        for (mount, stat_path) in &self.mounts {
            match statvfs(stat_path) {
                Ok(usage) => push_usage(mount, &usage, out),
                Err(e) => {
                    first_error.get_or_insert_with(|| CollectError::io(stat_path, e));
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    fn refresh_mounts(&mut self, reader: &mut FileReader) -> Result<(), CollectError> {
        let file = match self.mountinfo.as_mut() {
            Some(file) if !mounts_changed(file) => return Ok(()),
            Some(file) => file,
            None => self.mountinfo.insert(self.open_mountinfo()?),
        };
        let text = match reader.reread(file) {
            Ok(text) => text,
            Err(e) => {
                self.mountinfo = None;
                return Err(CollectError::io(&self.mountinfo_paths[0], e));
            }
        };
        let root = &self.rootfs_path;
        self.mounts = monitored_mounts(parse_mountinfo(text))
            .into_iter()
            .map(|m| {
                let path = root.join(m.mount_point.trim_start_matches('/'));
                (m, path)
            })
            .collect();
        Ok(())
    }

    /// Opens pid 1's mountinfo (the host's mounts), else our own.
    fn open_mountinfo(&self) -> Result<File, CollectError> {
        File::open(&self.mountinfo_paths[0])
            .or_else(|_| File::open(&self.mountinfo_paths[1]))
            .map_err(|e| CollectError::io(&self.mountinfo_paths[1], e))
    }
}

impl Family for FilesystemCollector {
    fn name(&self) -> &'static str {
        "disk"
    }

    /// Emits the `disk.*` space samples; a mount whose `statvfs` fails is skipped and reported.
    fn collect(&mut self, cycle: &mut Cycle<'_>) -> Result<(), CollectError> {
        let (reader, out) = cycle.io();
        self.emit(reader, out)
    }
}

/// Whether the mount table changed since the last check (the kernel flags it with POLLPRI).
fn mounts_changed(file: &File) -> bool {
    let mut poll_fd = libc::pollfd {
        fd: file.as_raw_fd(),
        events: libc::POLLPRI,
        revents: 0,
    };
    // SAFETY: poll_fd is one valid pollfd; a zero timeout never blocks.
    let ready = unsafe { libc::poll(&mut poll_fd, 1, 0) };
    ready != 0 && (ready < 0 || poll_fd.revents & (libc::POLLPRI | libc::POLLERR) != 0)
}

fn push_usage(mount: &Mount, usage: &FsUsage, out: &mut Vec<Sample>) {
    let labelled = |name: &str, value: f64| {
        Sample::new(name, value)
            .with_label("mount", mount.mount_point.as_str())
            .with_label("device", mount.device.as_str())
            .with_label("fstype", mount.fstype.as_str())
    };
    out.push(labelled("disk.total_bytes", usage.total_bytes as f64));
    out.push(labelled("disk.free_bytes", usage.free_bytes as f64));
    out.push(labelled("disk.used_percent", usage.used_percent));
    if let Some(inodes) = usage.inodes_used_percent {
        out.push(labelled("disk.inodes_used_percent", inodes));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statvfs_of_root_reports_space() {
        let usage = statvfs(Path::new("/")).unwrap();
        assert!(usage.total_bytes > 0);
        assert!(usage.free_bytes <= usage.total_bytes);
        assert!((0.0..=100.0).contains(&usage.used_percent));
    }

    #[test]
    fn unescapes_octal_escapes() {
        assert_eq!(unescape_octal(r"/mnt/my\040disk"), "/mnt/my disk");
        assert_eq!(unescape_octal(r"/a\011b\134c"), "/a\tb\\c");
        assert_eq!(unescape_octal(r"/odd\9x"), r"/odd\9x");
    }
}
