//! hostpulse collector (work in progress).
