//! File reading into one reused buffer, so that a cycle does not allocate per file.

use crate::error::CollectError;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Reads whole files into a buffer that is kept between reads.
#[derive(Debug, Default)]
pub struct FileReader {
    bytes: Vec<u8>,
}

impl FileReader {
    /// Reads `path` and returns its text; the text lives until the next read.
    pub fn read(&mut self, path: &Path) -> Result<&str, CollectError> {
        let mut file = File::open(path).map_err(|e| CollectError::io(path, e))?;
        self.fill(&mut file).map_err(|e| CollectError::io(path, e))
    }

    /// Reads `file` to its end into the buffer. Going through `Take` skips the size probe
    /// (fstat and lseek) that `File::read_to_end` makes, useless on procfs.
    fn fill(&mut self, file: &mut File) -> std::io::Result<&str> {
        self.bytes.clear();
        file.take(u64::MAX).read_to_end(&mut self.bytes)?;
        std::str::from_utf8(&self.bytes)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
    }

    /// Reads an open file again from its start (procfs and sysfs regenerate the text).
    pub fn reread(&mut self, file: &mut File) -> std::io::Result<&str> {
        file.seek(SeekFrom::Start(0))?;
        self.fill(file)
    }

    /// Like [`FileReader::read`], but a missing file gives `None`.
    pub fn read_optional(&mut self, path: &Path) -> Result<Option<&str>, CollectError> {
        match self.read(path) {
            Ok(_) => Ok(std::str::from_utf8(&self.bytes).ok()),
            Err(CollectError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

/// A procfs or sysfs file kept open between cycles, saving the path lookup of each read.
#[derive(Debug)]
pub struct ProcFile {
    path: PathBuf,
    file: Option<File>,
}

impl ProcFile {
    pub fn new(path: PathBuf) -> Self {
        Self { path, file: None }
    }

    /// The file's current text; reopens once if the kept descriptor stopped working.
    pub fn read<'r>(&mut self, reader: &'r mut FileReader) -> Result<&'r str, CollectError> {
        let reread_ok = self.file.as_mut().is_some_and(|f| reader.reread(f).is_ok());
        if !reread_ok {
            let mut file = File::open(&self.path).map_err(|e| CollectError::io(&self.path, e))?;
            reader
                .fill(&mut file)
                .map_err(|e| CollectError::io(&self.path, e))?;
            self.file = Some(file);
        }
        std::str::from_utf8(&reader.bytes)
            .map_err(|e| CollectError::parse(self.path.display().to_string(), e.to_string()))
    }
}

/// Parses an unsigned integer field, naming `what` on failure.
pub fn parse_u64(field: &str, what: &str) -> Result<u64, CollectError> {
    field
        .parse()
        .map_err(|_| CollectError::parse(what, format!("bad number {field:?}")))
}

/// The value of a `Key: value unit` or `key value` line among `text`'s lines.
pub fn field_after<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().find_map(|line| {
        let rest = line.strip_prefix(key)?;
        let rest = rest.strip_prefix(':').unwrap_or(rest);
        if !rest.starts_with([' ', '\t']) {
            return None;
        }
        rest.split_whitespace().next()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_after_matches_whole_keys_only() {
        let text = "MemTotal:  100 kB\nMemFree:  7 kB\nSwapTotal: 0 kB\npswpin 12\npswpinx 9\n";
        assert_eq!(field_after(text, "MemFree"), Some("7"));
        assert_eq!(field_after(text, "pswpin"), Some("12"));
        assert_eq!(field_after(text, "Mem"), None);
        assert_eq!(field_after(text, "Missing"), None);
    }

    #[test]
    fn missing_file_is_none_for_optional_reads() {
        let dir = tempfile::tempdir().unwrap();
        let mut reader = FileReader::default();
        assert!(
            reader
                .read_optional(&dir.path().join("nope"))
                .unwrap()
                .is_none()
        );
        assert!(reader.read(&dir.path().join("nope")).is_err());
        std::fs::write(dir.path().join("yes"), "hello").unwrap();
        assert_eq!(reader.read(&dir.path().join("yes")).unwrap(), "hello");
    }

    #[test]
    fn kept_open_file_sees_new_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "one").unwrap();
        let mut reader = FileReader::default();
        let mut file = ProcFile::new(path.clone());
        assert_eq!(file.read(&mut reader).unwrap(), "one");
        std::fs::write(&path, "two!").unwrap();
        assert_eq!(file.read(&mut reader).unwrap(), "two!");
        let mut meminfo = ProcFile::new("/proc/meminfo".into());
        let first = meminfo.read(&mut reader).unwrap().to_string();
        assert!(first.starts_with("MemTotal:"));
        assert!(meminfo.read(&mut reader).unwrap().starts_with("MemTotal:"));
    }
}
