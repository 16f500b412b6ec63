//! The `families:` mapping: which collector families run, one boolean per family name
//! (`families: {users: false, processes: false}`), checked against the collector's list.

use std::collections::BTreeMap;

use hostpulse_config_core::scalar::Scalar;
use hostpulse_config_core::suggest::closest;
use hostpulse_config_core::validate::{Validator, join};
use hostpulse_core::COLLECTOR_FAMILIES;

/// The `families:` mapping as written: family name → `true`/`false`.
pub type RawFamilies = BTreeMap<String, Scalar>;

/// Every family, in cycle order: what runs when `families:` is not set.
pub fn all_families() -> Vec<&'static str> {
    COLLECTOR_FAMILIES.to_vec()
}

/// The families left on by `raw` at `path`, in cycle order; an unknown name or a value that
/// is not a boolean is an error (with a suggestion for a near miss) and changes nothing.
pub fn validate_families(
    v: &mut Validator,
    path: &str,
    raw: Option<RawFamilies>,
) -> Vec<&'static str> {
    let mut off: Vec<&'static str> = Vec::new();
    for (name, value) in raw.unwrap_or_default() {
        let key_path = join(path, &name);
        let Some(family) = COLLECTOR_FAMILIES.iter().find(|f| **f == name) else {
            v.error(&key_path, unknown_family_message(&name));
            continue;
        };
        if !v.boolean(&key_path, Some(value), true) {
            off.push(family);
        }
    }
    all_families()
        .into_iter()
        .filter(|family| !off.contains(family))
        .collect()
}

/// `unknown family (did you mean "tcp"?); families: cpu, load, ...`.
fn unknown_family_message(name: &str) -> String {
    let hint = closest(name, COLLECTOR_FAMILIES)
        .map(|family| format!(" (did you mean {family:?}?)"))
        .unwrap_or_default();
    format!(
        "unknown family{hint}; families: {}",
        COLLECTOR_FAMILIES.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_get_a_suggestion() {
        assert!(unknown_family_message("proceses").contains("(did you mean \"processes\"?)"));
        let far = unknown_family_message("kubernetes");
        assert!(!far.contains("did you mean"), "{far}");
        assert!(far.ends_with(
            "families: cpu, load, memory, disk, diskio, net, tcp, processes, users, system, containers"
        ));
    }
}
