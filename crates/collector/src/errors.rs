//! Tracks the set of failing families so each change is sent and logged once.

use crate::error::CollectError;
use hostpulse_core::CollectorError;

/// The failing families of the current cycle and of the last reported one.
#[derive(Debug, Default)]
pub struct ErrorTracker {
    reported: Option<Vec<CollectorError>>,
    current: Vec<CollectorError>,
}

impl ErrorTracker {
    /// Starts a new cycle.
    pub fn begin(&mut self) {
        self.current.clear();
    }

    /// Notes the outcome of one family, passing its value on.
    pub fn record<T>(&mut self, family: &str, result: Result<T, CollectError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.current.push(CollectorError {
                    family: family.to_string(),
                    message: e.to_string(),
                });
                None
            }
        }
    }

    /// Ends the cycle: the full set if it changed since the last report (always on the first), else `None`.
    pub fn finish(&mut self) -> Option<Vec<CollectorError>> {
        self.current
            .sort_by(|a, b| (&a.family, &a.message).cmp(&(&b.family, &b.message)));
        if self.reported.as_ref() == Some(&self.current) {
            return None;
        }
        let before = self.reported.as_deref().unwrap_or(&[]);
        for e in self.current.iter().filter(|e| !before.contains(e)) {
            tracing::warn!(family = %e.family, error = %e.message, "collector family failing");
        }
        for e in before
            .iter()
            .filter(|e| !self.current.iter().any(|c| c.family == e.family))
        {
            tracing::info!(family = %e.family, "collector family recovered");
        }
        self.reported = Some(self.current.clone());
        Some(self.current.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(tracker: &mut ErrorTracker, family: &str, message: &str) {
        let result: Result<(), _> = Err(CollectError::parse(message, "x"));
        assert!(tracker.record(family, result).is_none());
    }

    #[test]
    fn reports_only_changes_of_the_failing_set() {
        let mut tracker = ErrorTracker::default();
        tracker.begin();
        assert_eq!(tracker.record("cpu", Ok(5)), Some(5));
        assert_eq!(
            tracker.finish(),
            Some(vec![]),
            "first frame always carries the set"
        );
        tracker.begin();
        assert_eq!(tracker.finish(), None);
        tracker.begin();
        fail(&mut tracker, "tcp", "a");
        let set = tracker.finish().unwrap();
        assert_eq!(set.len(), 1);
        assert_eq!(set[0].family, "tcp");
        assert_eq!(set[0].message, "cannot parse a: x");
        tracker.begin();
        fail(&mut tracker, "tcp", "a");
        assert_eq!(tracker.finish(), None, "same failure is not repeated");
        tracker.begin();
        fail(&mut tracker, "tcp", "b");
        assert_eq!(tracker.finish().unwrap()[0].message, "cannot parse b: x");
        tracker.begin();
        assert_eq!(tracker.finish(), Some(vec![]), "recovery is reported");
    }
}
