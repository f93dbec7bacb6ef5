//! Governance parameter files (`asset register`, `asset update`, `group update`): TOML or JSON,
//! with the field names of the program's `AssetConfig` / `GroupConfig`. Every field is
//! optional; an update applies only the fields the file names. The file types are the SDK's
//! (`ballast_sdk::config`); `asset register` starts from the program's `AssetConfig::template()`.

use crate::error::{CliError, CliResult};
pub use ballast_sdk::config::{
    feed_id_hex, parse_feed_id, AssetParams, Cap, CorrelationGroupParams, GroupParams, MarketKindName,
    MarketParams, OracleKindName,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::path::Path;

/// Reads a TOML or JSON file (JSON if the name ends in `.json`, TOML otherwise).
pub fn load_file<T: DeserializeOwned>(path: &Path) -> CliResult<T> {
    let file_err = |message: String| CliError::File { path: path.display().to_string(), message };
    let text = std::fs::read_to_string(path).map_err(|e| file_err(e.to_string()))?;
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
        serde_json::from_str(&text).map_err(|e| file_err(e.to_string()))
    } else {
        toml::from_str(&text).map_err(|e| file_err(e.to_string()))
    }
}

/// A changed field: its name and the old and new values as the files write them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub old: serde_json::Value,
    pub new: serde_json::Value,
}

/// Field-by-field differences between two parameter sets (as serialized).
pub fn diff<T: Serialize>(old: &T, new: &T) -> Vec<FieldChange> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(old), serde_json::to_value(new))
    else {
        return vec![];
    };
    a.iter()
        .filter_map(|(k, v)| {
            let n = b.get(k).cloned().unwrap_or(serde_json::Value::Null);
            (n != *v).then(|| FieldChange { field: k.clone(), old: v.clone(), new: n })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ballast_sdk::ballast::state::AssetConfig;

    #[test]
    fn diff_names_only_changed_fields() {
        let base = AssetConfig { feed_id: [7; 32], init_asset_weight_bps: 8_000, ..AssetConfig::template() };
        let p: AssetParams =
            toml::from_str("init_asset_weight_bps = 7500\nfrozen = true\ndeposit_cap = 5").unwrap();
        let c = p.apply(&base).unwrap();
        let changes = diff(&AssetParams::from_config(&base), &AssetParams::from_config(&c));
        let names: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(names, ["deposit_cap", "frozen", "init_asset_weight_bps"]);
        assert_eq!(changes[0].new, serde_json::json!(5));
        assert_eq!(changes[0].old, serde_json::json!("max"));
    }
}
