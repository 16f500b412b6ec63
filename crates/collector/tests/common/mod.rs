//! Helpers shared by the collector integration tests.

pub mod podman;
