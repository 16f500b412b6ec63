//! Layering of configuration sources: defaults < YAML file < `HOSTPULSE_*` environment < flags.
//!
//! The file is parsed alone first (so structural errors carry line and column), then the
//! environment and flag values are laid over it and the merged document is parsed again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use yaml_serde::{Mapping, Value};

use crate::error::{ConfigError, ConfigErrors};
use crate::fields::struct_fields;
use crate::serde_errors::describe;
use crate::validate::Validator;

/// Prefix of every environment variable that sets a configuration key.
pub const ENV_PREFIX: &str = "HOSTPULSE_";

/// Short environment names for nested keys, besides the generic `HOSTPULSE_LOG__FORMAT` form.
const ENV_ALIASES: &[(&str, &str)] = &[("LOG_FORMAT", "log.format"), ("LOG_LEVEL", "log.level")];

/// One value set outside the file: by an environment variable or a command-line flag.
pub(crate) struct Overlay {
    /// Key path, e.g. `["storage", "retention", "raw"]`.
    pub(crate) key: Vec<String>,
    pub(crate) value: String,
    /// Human name of the source, e.g. `HOSTPULSE_LISTEN` or `--listen`.
    pub(crate) source: String,
}

impl Overlay {
    /// A value set by the command-line flag `flag` for the dotted key `key`.
    pub(crate) fn flag(key: &str, value: impl Into<String>, flag: &str) -> Self {
        Self {
            key: key.split('.').map(str::to_owned).collect(),
            value: value.into(),
            source: flag.to_owned(),
        }
    }
}

/// The raw configuration `R` from every layer, plus a validator that attributes errors.
pub(crate) fn load_raw<R: DeserializeOwned>(
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
pub(crate) fn load_raw_text<R: DeserializeOwned>(
    file: Option<(&Path, &str)>,
    env: &[(String, String)],
    flags: Vec<Overlay>,
) -> Result<(R, Validator), ConfigErrors> {
    let (mut root, structural) = match file {
        Some((path, text)) => structure_document::<R>(text, path)?,
        None => (Value::Mapping(Mapping::new()), Vec::new()),
    };
    let file = file.map(|(path, _)| path);
    let mut origins = BTreeMap::new();
    apply_layer(
        &mut root,
        &env_overlays(env, struct_fields::<R>()),
        &mut origins,
    );
    apply_layer(&mut root, &flags, &mut origins);
    let mut validator = Validator::new(file.map(Path::to_path_buf), origins);
    for (key, message) in structural {
        validator.error(&key, message);
    }
    let merged = yaml_serde::to_string(&root)
        .map_err(|error| ConfigError::new(None, "", format!("cannot merge settings: {error}")))?;
    match yaml_serde::from_str::<R>(&merged) {
        Ok(raw) => Ok((raw, validator)),
        Err(error) => {
            let (path, message) = describe(&error);
            validator.error(&path, message);
            Err(validator.into_errors())
        }
    }
}

/// Most structural errors reported from one file before giving up.
const MAX_STRUCTURAL_ERRORS: usize = 50;

/// Reads and parses a file, checking its structure against `R`.
///
/// Every structural error (unknown key, wrong shape) is found, not just the first: the
/// offending key is reported with its line, pruned from the document, and the check runs
/// again. The pruned document is returned with the errors, so that value errors elsewhere
/// are reported in the same run.
pub(crate) fn read_document<R: DeserializeOwned>(
    path: &Path,
) -> Result<(Value, Vec<(String, String)>), ConfigErrors> {
    structure_document::<R>(&read_text(path)?, path)
}

/// Reads a configuration file as text.
fn read_text(path: &Path) -> Result<String, ConfigErrors> {
    std::fs::read_to_string(path).map_err(|error| {
        ConfigError::new(
            Some(path.to_path_buf()),
            "",
            format!("cannot read file: {error}"),
        )
        .into()
    })
}

/// [`read_document`] over text already read from `path`.
fn structure_document<R: DeserializeOwned>(
    text: &str,
    path: &Path,
) -> Result<(Value, Vec<(String, String)>), ConfigErrors> {
    let file = Some(path.to_path_buf());
    let mut root = parse_document(text, path)?;
    let mut errors = Vec::new();
    let mut current = text.to_owned();
    while let Err(error) = yaml_serde::from_str::<R>(&current) {
        let (key, message) = describe(&error);
        let located = match locate_key(text, &key) {
            Some((line, column)) => format!("{message} (line {line}, column {column})"),
            None => message,
        };
        let pruned = !key.is_empty() && remove_key(&mut root, &key);
        errors.push((key, located));
        if !pruned || errors.len() >= MAX_STRUCTURAL_ERRORS {
            let list = errors
                .into_iter()
                .map(|(k, m)| ConfigError::new(file.clone(), k, m));
            return Err(ConfigErrors(list.collect()));
        }
        current = yaml_serde::to_string(&root).map_err(|error| {
            ConfigError::new(
                file.clone(),
                "",
                format!("cannot re-read settings: {error}"),
            )
        })?;
    }
    Ok((root, errors))
}

/// Removes the dotted `key` from a document of nested mappings; false if it is not there.
fn remove_key(root: &mut Value, key: &str) -> bool {
    let parts: Vec<&str> = key.split('.').collect();
    let Some((last, parents)) = parts.split_last() else {
        return false;
    };
    let mut node = root;
    for part in parents {
        match node.as_mapping_mut().and_then(|map| map.get_mut(*part)) {
            Some(child) => node = child,
            None => return false,
        }
    }
    node.as_mapping_mut()
        .is_some_and(|map| map.remove(*last).is_some())
}

/// Line and column (1-based) of the dotted `key` in YAML `text`, following its parents.
fn locate_key(text: &str, key: &str) -> Option<(usize, usize)> {
    let mut start = 0;
    let mut found = None;
    let lines: Vec<&str> = text.lines().collect();
    for part in key.split('.') {
        let hit = lines.iter().enumerate().skip(start).find(|(_, line)| {
            let trimmed = line.trim_start();
            trimmed
                .strip_prefix(part)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })?;
        let column = hit.1.len() - hit.1.trim_start().len() + 1;
        found = Some((hit.0 + 1, column));
        start = hit.0 + 1;
    }
    found
}

/// Parses YAML text into a top-level mapping (an empty document is an empty mapping).
pub(crate) fn parse_document(text: &str, path: &Path) -> Result<Value, ConfigErrors> {
    let file = Some(PathBuf::from(path));
    let root: Value = yaml_serde::from_str(text)
        .map_err(|error| ConfigError::new(file.clone(), "", format!("invalid YAML: {error}")))?;
    match root {
        Value::Null => Ok(Value::Mapping(Mapping::new())),
        Value::Mapping(_) => Ok(root),
        _ => Err(ConfigError::new(
            file,
            "",
            "the top level must be a mapping of keys (key: value)",
        )
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
fn apply_layer(root: &mut Value, layer: &[Overlay], origins: &mut BTreeMap<String, String>) {
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

fn set_value(root: &mut Value, key: &[String], value: &str, replace_sibling: bool) {
    let Some((last, parents)) = key.split_last() else {
        return;
    };
    let mut node = root;
    for part in parents {
        let Some(map) = ensure_mapping(node) else {
            return;
        };
        node = map
            .entry(Value::String(part.clone()))
            .or_insert(Value::Mapping(Mapping::new()));
    }
    let Some(map) = ensure_mapping(node) else {
        return;
    };
    if replace_sibling {
        map.remove(sibling_key(last).as_str());
    }
    map.insert(Value::String(last.clone()), Value::String(value.to_owned()));
}

/// `token` <-> `token_file`: the key that gives the same value another way.
fn sibling_key(key: &str) -> String {
    match key.strip_suffix("_file") {
        Some(base) => base.to_owned(),
        None => format!("{key}_file"),
    }
}

/// The node as a mapping, replacing a scalar or null there (lower layer) with an empty one.
fn ensure_mapping(node: &mut Value) -> Option<&mut Mapping> {
    if !node.is_mapping() {
        *node = Value::Mapping(Mapping::new());
    }
    node.as_mapping_mut()
}
