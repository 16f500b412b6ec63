//! `hostpulse config check FILE`: validate a configuration file and print every error.

use anyhow::Result;
use hostpulse_config::check_config_file;
use std::path::Path;
use std::process::ExitCode;

/// Prints `ok` and the kind of file, or every error; exit 1 on any error.
pub fn run(file: &Path) -> Result<ExitCode> {
    match check_config_file(file) {
        Ok(kind) => {
            println!("{}: ok ({kind:?} configuration)", file.display());
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            eprintln!("{errors}");
            eprintln!("{} error(s) in {}", errors.0.len(), file.display());
            Ok(ExitCode::FAILURE)
        }
    }
}
