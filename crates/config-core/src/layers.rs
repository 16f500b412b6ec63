//! Layering of configuration sources: defaults < YAML file < `HOSTPULSE_*` environment < flags.
//!
//! The file is parsed into a tree that knows where every key and value is written, the
//! environment and flag values are laid over it, and the merged tree is deserialized once,
//! collecting every unknown key and malformed value with its line and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::error::{ConfigError, ConfigErrors};
use crate::fields::struct_fields;
use crate::validate::Validator;
use crate::yaml::{Entry, Issue, Node, Places, Value, from_tree, parse_tree};

/// Prefix of every environment variable that sets a configuration key.
pub const ENV_PREFIX: &str = "HOSTPULSE_";

/// Short environment names for nested keys, besides the generic `HOSTPULSE_LOG__FORMAT` form.
const ENV_ALIASES: &[(&str, &str)] = &[("LOG_FORMAT", "log.format"), ("LOG_LEVEL", "log.level")];

/// One value set outside the file: by an environment variable or a command-line flag.
pub struct Overlay {
    /// Key path, e.g. `["storage", "retention", "raw"]`.
    pub key: Vec<String>,
    /// The value as text, read like a YAML scalar written at that key (`30d`, `true`, `8`).
    pub value: String,
    /// Human name of the source, e.g. `HOSTPULSE_LISTEN` or `--listen`.
    pub source: String,
}

impl Overlay {
    /// A value set by the command-line flag `flag` for the dotted key `key`.
    pub fn flag(key: &str, value: impl Into<String>, flag: &str) -> Self {
        Self {
            key: key.split('.').map(str::to_owned).collect(),
            value: value.into(),
            source: flag.to_owned(),
        }
    }
}

/// The raw configuration `R` from every layer, plus a validator that attributes errors.
pub fn load_raw<R: DeserializeOwned>(
    file: Option<&Path>,
    env: &[(String, String)],
    flags: Vec<Overlay>,
) -> Result<(R, Validator), ConfigErrors> {
    let text = match file {
        Some(path) => Some((path, read_text(path)?)),
        None => None,
    };
    let source = text.as_ref().map(|(path, text)| (*path, text.as_str()));
    load_raw_text(source, env, flags)
}

/// [`load_raw`] over a file's text already in memory: `file` is the name errors report and
/// the text it holds.
pub fn load_raw_text<R: DeserializeOwned>(
    file: Option<(&Path, &str)>,
    env: &[(String, String)],
    flags: Vec<Overlay>,
) -> Result<(R, Validator), ConfigErrors> {
    let (mut root, parse_issues) = match file {
        Some((path, text)) => read_tree(text, path)?,
        None => (Node::unplaced(Value::Map(Vec::new())), Vec::new()),
    };
    let mut origins = BTreeMap::new();
    apply_layer(
        &mut root,
        &env_overlays(env, struct_fields::<R>()),
        &mut origins,
    );
    apply_layer(&mut root, &flags, &mut origins);
    let places = Places::index(&root);
    let mut validator =
        Validator::new(file.map(|(path, _)| path.to_path_buf()), origins).with_places(places);
    let (raw, issues) = from_tree::<R>(&mut root);
    for issue in parse_issues.into_iter().chain(issues) {
        validator.issue(issue);
    }
    match raw {
        Some(raw) => Ok((raw, validator)),
        None => Err(validator.into_errors()),
    }
}

/// Reads a configuration file as text.
pub fn read_text(path: &Path) -> Result<String, ConfigErrors> {
    std::fs::read_to_string(path).map_err(|error| {
        ConfigError::new(
            Some(path.to_path_buf()),
            "",
            format!("cannot read file: {error}"),
        )
        .into()
    })
}

/// Parses YAML text into a tree whose top level is a mapping (an empty document is an empty
/// mapping), with the problems found while parsing (duplicate keys).
pub fn read_tree(text: &str, path: &Path) -> Result<(Node, Vec<Issue>), ConfigErrors> {
    let file = Some(PathBuf::from(path));
    let (root, issues) = parse_tree(text)
        .map_err(|error| ConfigError::new(file.clone(), "", error.message).at(error.at))?;
    match root.value {
        Value::Null => Ok((
            Node {
                value: Value::Map(Vec::new()),
                ..root
            },
            issues,
        )),
        Value::Map(_) => Ok((root, issues)),
        _ => Err(ConfigError::new(
            file,
            "",
            "the top level must be a mapping of keys (key: value)",
        )
        .at(root.at)
        .into()),
    }
}

/// Environment variables that name a key of this configuration.
///
/// `HOSTPULSE_A__B` sets `a.b`; `HOSTPULSE_LOG_FORMAT` and `HOSTPULSE_LOG_LEVEL` set
/// `log.format` and `log.level`. Variables whose first segment is not a top-level key are
/// ignored (they belong to another program or configuration); empty values are ignored.
fn env_overlays(env: &[(String, String)], top_level_keys: &[&str]) -> Vec<Overlay> {
    env.iter()
        .filter(|(_, value)| !value.is_empty())
        .filter_map(|(name, value)| {
            let rest = name.strip_prefix(ENV_PREFIX)?;
            let key: Vec<String> = match ENV_ALIASES.iter().find(|(alias, _)| *alias == rest) {
                Some((_, target)) => target.split('.').map(str::to_owned).collect(),
                None => rest.split("__").map(str::to_ascii_lowercase).collect(),
            };
            if key.iter().any(String::is_empty) || !top_level_keys.contains(&key[0].as_str()) {
                return None;
            }
            Some(Overlay {
                key,
                value: value.clone(),
                source: name.clone(),
            })
        })
        .collect()
}

/// Lays one layer's values over the document and records their sources in `origins`.
///
/// Setting `key` (or `key_file`) drops the other one from lower layers; a layer that sets
/// both keeps both, so validation reports the conflict.
fn apply_layer(root: &mut Node, layer: &[Overlay], origins: &mut BTreeMap<String, String>) {
    let dotted_keys: Vec<String> = layer.iter().map(|overlay| overlay.key.join(".")).collect();
    for (overlay, dotted) in layer.iter().zip(&dotted_keys) {
        let sibling = sibling_key(dotted);
        let replace_sibling = !dotted_keys.contains(&sibling);
        set_value(root, &overlay.key, &overlay.value, replace_sibling);
        if replace_sibling {
            origins.remove(&sibling);
        }
        origins.insert(dotted.clone(), overlay.source.clone());
    }
}

fn set_value(root: &mut Node, key: &[String], value: &str, replace_sibling: bool) {
    let Some((last, parents)) = key.split_last() else {
        return;
    };
    let mut node = root;
    for part in parents {
        let Some(entries) = ensure_mapping(node) else {
            return;
        };
        let index = match entries.iter().position(|e| &e.key == part) {
            Some(index) => index,
            None => {
                entries.push(unplaced_entry(part, Value::Map(Vec::new())));
                entries.len() - 1
            }
        };
        node = &mut entries[index].value;
    }
    let Some(entries) = ensure_mapping(node) else {
        return;
    };
    if replace_sibling {
        let sibling = sibling_key(last);
        entries.retain(|e| e.key != sibling);
    }
    let new = unplaced_entry(last, Value::Scalar(value.to_owned()));
    match entries.iter_mut().find(|e| &e.key == last) {
        Some(entry) => *entry = new,
        None => entries.push(new),
    }
}

fn unplaced_entry(key: &str, value: Value) -> Entry {
    Entry {
        key: key.to_owned(),
        key_at: None,
        value: Node::unplaced(value),
    }
}

/// `token` <-> `token_file`: the key that gives the same value another way.
fn sibling_key(key: &str) -> String {
    match key.strip_suffix("_file") {
        Some(base) => base.to_owned(),
        None => format!("{key}_file"),
    }
}

/// The node's entries, replacing a scalar or null there (lower layer) with an empty mapping.
fn ensure_mapping(node: &mut Node) -> Option<&mut Vec<Entry>> {
    if !matches!(node.value, Value::Map(_)) {
        *node = Node::unplaced(Value::Map(Vec::new()));
    }
    match &mut node.value {
        Value::Map(entries) => Some(entries),
        _ => None,
    }
}
