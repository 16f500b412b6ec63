//! The names of the collector families: the one list the collector builds its families
//! from and the agent configuration checks `families:` keys against.

/// Every collector family, in the order a collection cycle runs them; all run by default.
pub const COLLECTOR_FAMILIES: &[&str] = &[
    "cpu",
    "load",
    "memory",
    "disk",
    "diskio",
    "net",
    "tcp",
    "processes",
    "users",
    "system",
    "containers",
];

/// Whether `name` is a collector family.
pub fn is_collector_family(name: &str) -> bool {
    COLLECTOR_FAMILIES.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_lowercase_words() {
        for (i, name) in COLLECTOR_FAMILIES.iter().enumerate() {
            assert!(name.bytes().all(|b| b.is_ascii_lowercase()), "{name}");
            assert!(!COLLECTOR_FAMILIES[..i].contains(name), "{name} twice");
            assert!(is_collector_family(name));
        }
        assert!(!is_collector_family("facts"));
    }
}
