//! User names from `/etc/passwd`, cached by uid.

use crate::read::FileReader;
use std::collections::HashMap;
use std::path::PathBuf;

/// Parses `name:password:uid:...` lines into uid → name.
pub fn parse_passwd(text: &str) -> HashMap<u32, String> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?;
            let uid = fields.nth(1)?.parse().ok()?;
            Some((uid, name.to_string()))
        })
        .collect()
}

/// A uid → name cache that re-reads the file at most once per [`UserNames::allow_reload`].
#[derive(Debug)]
pub struct UserNames {
    path: PathBuf,
    names: HashMap<u32, String>,
    may_reload: bool,
}

impl UserNames {
    /// A cache over the passwd file at `path`, read on first use.
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            names: HashMap::new(),
            may_reload: true,
        }
    }

    /// Lets the next unknown uid trigger one re-read of the file.
    pub fn allow_reload(&mut self) {
        self.may_reload = true;
    }

    /// The name of `uid`, or the uid as text when the file does not know it.
    pub fn name(&mut self, uid: u32, reader: &mut FileReader) -> String {
        if !self.names.contains_key(&uid) && self.may_reload {
            self.may_reload = false;
            if let Ok(text) = reader.read(&self.path) {
                self.names = parse_passwd(text);
            }
        }
        self.names
            .get(&uid)
            .cloned()
            .unwrap_or_else(|| uid.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_caches_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("passwd");
        std::fs::write(
            &path,
            "root:x:0:0:root:/root:/bin/bash\n#c:x:9:9\nalice:x:1000:1000::/home/alice:/bin/sh\n",
        )
        .unwrap();
        let mut reader = FileReader::default();
        let mut names = UserNames::new(path.clone());
        assert_eq!(names.name(1000, &mut reader), "alice");
        assert_eq!(names.name(0, &mut reader), "root");
        std::fs::write(&path, "bob:x:1001:1001::/home/bob:/bin/sh\n").unwrap();
        assert_eq!(
            names.name(1001, &mut reader),
            "1001",
            "no reload until allowed"
        );
        names.allow_reload();
        assert_eq!(names.name(1001, &mut reader), "bob");
    }
}
