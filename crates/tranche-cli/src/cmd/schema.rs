//! `tranche schema`: the JSON Schema of the deal file (generated from the Rust types).

use crate::Failure;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> Result<(), Failure> {
    let schema = tranche_core::deal::Deal::json_schema();
    let text = serde_json::to_string_pretty(&schema)
        .map_err(|e| Failure::Internal(format!("cannot render the schema: {e}")))?;
    println!("{text}");
    Ok(())
}
