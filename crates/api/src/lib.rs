//! hostpulse api (work in progress).
