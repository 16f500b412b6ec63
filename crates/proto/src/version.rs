//! Protocol versions: which batches a hub reads, and how the two sides tell each other.
//!
//! A batch says the version it is written in (`version`) and the oldest version whose
//! reader can still read it (`min_version`, the same as `version` when absent): a change
//! that only adds fields keeps `min_version`, a change an older reader would misread
//! raises it. A hub reads every batch whose range meets its own
//! [`MIN_PROTOCOL_VERSION`]..=[`PROTOCOL_VERSION`], ignoring fields it does not know, and
//! refuses the others with `426 unsupported_version` and its range; the agent keeps such
//! batches in its spool until a hub reads them.

use serde::{Deserialize, Serialize};

/// Version of the batch format this build writes, and the newest it reads.
pub const PROTOCOL_VERSION: u32 = 2;

/// Oldest batch format this build reads (version 2 brought the instance identity).
pub const MIN_PROTOCOL_VERSION: u32 = 2;

/// The `error` code of the hub's refusal of a batch in a version it cannot read.
pub const UNSUPPORTED_VERSION: &str = "unsupported_version";

/// An inclusive range of protocol versions, as the hub announces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionRange {
    /// Oldest version in the range.
    pub min: u32,
    /// Newest version in the range.
    pub max: u32,
}

impl VersionRange {
    /// The versions this build reads.
    pub const fn supported() -> Self {
        Self {
            min: MIN_PROTOCOL_VERSION,
            max: PROTOCOL_VERSION,
        }
    }

    /// True when `version` is in the range.
    pub fn contains(&self, version: u32) -> bool {
        (self.min..=self.max).contains(&version)
    }

    /// The version a batch written in `version`, readable from `min_version`, is read
    /// as by a reader of this range; `None` when the two ranges do not meet.
    pub fn read_as(&self, version: u32, min_version: Option<u32>) -> Option<u32> {
        let oldest = min_version.unwrap_or(version).min(version);
        (oldest <= self.max && version >= self.min).then(|| version.min(self.max))
    }
}

impl std::fmt::Display for VersionRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.min == self.max {
            write!(f, "{}", self.min)
        } else {
            write!(f, "{} to {}", self.min, self.max)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_batches_whose_range_meets_its_own() {
        let hub = VersionRange { min: 2, max: 3 };
        assert_eq!(hub.read_as(2, None), Some(2));
        assert_eq!(hub.read_as(3, None), Some(3));
        assert_eq!(hub.read_as(5, Some(3)), Some(3));
        assert_eq!(hub.read_as(5, Some(4)), None);
        assert_eq!(hub.read_as(1, None), None);
        assert_eq!(hub.read_as(4, None), None);
        // A min_version above the version is read as the version itself.
        assert_eq!(hub.read_as(3, Some(9)), Some(3));
        assert!(hub.contains(3) && !hub.contains(4));
    }

    #[test]
    fn ranges_display_as_one_version_or_a_span() {
        assert_eq!(VersionRange { min: 2, max: 2 }.to_string(), "2");
        assert_eq!(VersionRange { min: 2, max: 4 }.to_string(), "2 to 4");
    }
}
