//! Configuration errors: each names the file, the line and column, the key path and what
//! to fix.

use std::fmt;
use std::path::PathBuf;

use crate::yaml::Position;

/// One problem found while loading or validating a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The configuration file the problem is in, when it came from a file.
    pub file: Option<PathBuf>,
    /// Where in the file: the key or value the problem is about (`None` for values set by
    /// the environment or flags, and for whole-file problems).
    pub position: Option<Position>,
    /// Key path such as `storage.retention.raw` or `routes[1].match`; empty for whole-file
    /// problems.
    pub path: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl ConfigError {
    /// An error about `path` in `file`.
    pub fn new(file: Option<PathBuf>, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file,
            position: None,
            path: path.into(),
            message: message.into(),
        }
    }

    /// The same error, at `position` in its file.
    pub fn at(mut self, position: Option<Position>) -> Self {
        self.position = position;
        self
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.position) {
            (Some(file), Some(at)) => write!(f, "{}:{at}: ", file.display())?,
            (Some(file), None) => write!(f, "{}: ", file.display())?,
            (None, Some(at)) => write!(f, "{at}: ")?,
            (None, None) => {}
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Every problem found in one load, reported together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl ConfigErrors {
    /// Number of problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no problems.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems in the order they were found.
    pub fn iter(&self) -> std::slice::Iter<'_, ConfigError> {
        self.0.iter()
    }

    /// The first problem reported for `path`, if any.
    pub fn find(&self, path: &str) -> Option<&ConfigError> {
        self.0.iter().find(|error| error.path == path)
    }
}

impl From<ConfigError> for ConfigErrors {
    fn from(error: ConfigError) -> Self {
        Self(vec![error])
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_path_and_message() {
        let error = ConfigError::new(
            Some(PathBuf::from("hostpulse.yaml")),
            "storage.retention.raw",
            "\"7x\" is not a duration",
        );
        assert_eq!(
            error.to_string(),
            "hostpulse.yaml: storage.retention.raw: \"7x\" is not a duration"
        );
        let bare = ConfigError::new(None, "", "cannot read");
        assert_eq!(bare.to_string(), "cannot read");
        let placed = ConfigError::new(Some(PathBuf::from("hub.yaml")), "routes[1].match", "bad")
            .at(Some(Position { line: 9, column: 5 }));
        assert_eq!(placed.to_string(), "hub.yaml:9:5: routes[1].match: bad");
    }

    #[test]
    fn errors_display_one_per_line() {
        let errors = ConfigErrors(vec![
            ConfigError::new(None, "a", "first"),
            ConfigError::new(None, "b", "second"),
        ]);
        assert_eq!(errors.to_string(), "a: first\nb: second");
        assert_eq!(errors.len(), 2);
        assert_eq!(errors.find("b").map(|e| e.message.as_str()), Some("second"));
    }
}
