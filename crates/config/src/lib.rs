//! hostpulse config (work in progress).
