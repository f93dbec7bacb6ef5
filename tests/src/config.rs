//! The configs the tests list assets and create groups with: the program's templates
//! (`AssetConfig::template`, `GroupConfig::template`), with the weights the tests assume.

use ballast::state::{AssetConfig, GroupConfig};

/// The template with weights 0.8/0.9 and 1.2/1.1 (5% fee, 60 s staleness, 2% confidence).
pub fn default_config() -> AssetConfig {
    AssetConfig {
        init_asset_weight_bps: 8_000,
        maint_asset_weight_bps: 9_000,
        init_liab_weight_bps: 12_000,
        maint_liab_weight_bps: 11_000,
        ..AssetConfig::template()
    }
}

/// The group template: the bonus ramps over an hour; 20% of bonuses go to insurance; dust is a
/// cent; the volatility factor and correlation groups are off until a test turns them on.
pub fn group_config() -> GroupConfig {
    GroupConfig::template()
}
