//! Keeping the agent's resident set small: after start-up, the read-only pages touched only
//! by argument parsing, configuration loading and initialisation are released.

use std::ffi::CStr;

const PAGE: usize = 4096;

/// One loaded segment as the ELF program header describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    kind: u32,
    flags: u32,
    vaddr: usize,
    mem_size: usize,
}

/// Releases from the resident set the read-only segments (code and constant data) of the
/// executable and its shared libraries, and returns freed heap to the OS. Returns how many
/// segments were released.
///
/// Those pages are unmodified copies of files on disk, so dropping them is always safe: the
/// pages the collection loop needs fault back in from the page cache on the next cycle, and
/// the steady resident set then holds only what the loop uses. Writable segments, and the
/// relocated read-only (RELRO) data inside them, are never touched.
pub fn release_startup_pages() -> usize {
    let ranges = loaded_read_only_ranges();
    let released = ranges
        .iter()
        .filter(|&&(start, end)| advise_dont_need(start, end))
        .count();
    trim_heap();
    released
}

/// Page-aligned `[start, end)` ranges of the non-writable `PT_LOAD` segments of an object
/// loaded at `base`.
fn read_only_ranges(base: usize, segments: &[Segment]) -> Vec<(usize, usize)> {
    segments
        .iter()
        .filter(|s| s.kind == libc::PT_LOAD && s.flags & libc::PF_W == 0)
        .filter_map(|s| {
            let start = base.checked_add(s.vaddr)?.checked_next_multiple_of(PAGE)?;
            let end = (base.checked_add(s.vaddr)?.checked_add(s.mem_size)?) / PAGE * PAGE;
            (end > start).then_some((start, end))
        })
        .collect()
}

fn loaded_read_only_ranges() -> Vec<(usize, usize)> {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    // SAFETY: the callback only reads the headers the loader hands it, for the duration of
    // the call, and writes into the Vec passed through `data`, which outlives the call.
    unsafe {
        libc::dl_iterate_phdr(
            Some(collect_object),
            (&mut ranges as *mut Vec<(usize, usize)>).cast(),
        );
    }
    ranges
}

unsafe extern "C" fn collect_object(
    info: *mut libc::dl_phdr_info,
    _size: libc::size_t,
    data: *mut libc::c_void,
) -> libc::c_int {
    // SAFETY: dl_iterate_phdr passes a valid info struct and our own `data` pointer.
    let (info, ranges) = unsafe { (&*info, &mut *data.cast::<Vec<(usize, usize)>>()) };
    if info.dlpi_phdr.is_null() || is_vdso(info.dlpi_name) {
        return 0;
    }
    // SAFETY: the loader guarantees `dlpi_phnum` headers at `dlpi_phdr`.
    let headers =
        unsafe { std::slice::from_raw_parts(info.dlpi_phdr, usize::from(info.dlpi_phnum)) };
    let segments: Vec<Segment> = headers
        .iter()
        .map(|h| Segment {
            kind: h.p_type,
            flags: h.p_flags,
            vaddr: h.p_vaddr as usize,
            mem_size: h.p_memsz as usize,
        })
        .collect();
    ranges.extend(read_only_ranges(info.dlpi_addr as usize, &segments));
    0
}

/// The kernel-provided vDSO is not file-backed; it is left alone.
fn is_vdso(name: *const libc::c_char) -> bool {
    if name.is_null() {
        return false;
    }
    // SAFETY: a non-null `dlpi_name` is a NUL-terminated string owned by the loader.
    let name = unsafe { CStr::from_ptr(name) }.to_bytes();
    name.starts_with(b"linux-vdso") || name.starts_with(b"linux-gate")
}

fn advise_dont_need(start: usize, end: usize) -> bool {
    // SAFETY: the range is page-aligned and lies inside a read-only segment mapped privately
    // from an unmodified file; MADV_DONTNEED only drops page-table entries, and later
    // accesses re-read identical contents from the page cache.
    unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED) == 0 }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim_heap() {
    // SAFETY: malloc_trim has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim_heap() {}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(kind: u32, flags: u32, vaddr: usize, mem_size: usize) -> Segment {
        Segment {
            kind,
            flags,
            vaddr,
            mem_size,
        }
    }

    #[test]
    fn keeps_only_whole_pages_of_read_only_load_segments() {
        let segments = [
            segment(libc::PT_LOAD, libc::PF_R, 0, 0xfc578),
            segment(libc::PT_LOAD, libc::PF_R | libc::PF_X, 0xfd580, 0x313210),
            segment(libc::PT_LOAD, libc::PF_R | libc::PF_W, 0x411790, 0x1e870),
            segment(libc::PT_GNU_RELRO, libc::PF_R, 0x411790, 0x1e870),
            segment(libc::PT_LOAD, libc::PF_R, 0x500000, 0x800),
        ];
        let base = 0x5555_0000_0000;
        assert_eq!(
            read_only_ranges(base, &segments),
            vec![(base, base + 0xfc000), (base + 0xfe000, base + 0x410000),]
        );
    }

    #[test]
    fn releasing_keeps_the_process_working() {
        assert!(loaded_read_only_ranges().len() >= 2);
        assert!(release_startup_pages() >= 2);
        // Code and constants are read again after their pages were dropped.
        let text = format!("{:?}", (1..5).map(|i| i * 2).collect::<Vec<_>>());
        assert_eq!(text, "[2, 4, 6, 8]");
    }
}
