//! hostpulse agent (work in progress).
