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

/// Every factor of the model switched on, for asset `i` of a benchmark: volatility (with z at
/// the group, `every_factor_group_config`), size, total-deposit scaling (not binding),
/// concentration, and the even-numbered assets in correlation group 1.
pub fn every_factor_config(i: usize) -> AssetConfig {
    AssetConfig {
        sigma_floor_bps: 5_000,
        liquidation_horizon_secs: 14_400,
        size_imf_ppm: 1_000,
        deposit_weight_scale_start: u64::MAX / 2,
        borrow_weight_scale_start: u64::MAX / 2,
        concentration_threshold_bps: 8_000,
        concentration_haircut_bps: 500,
        correlation_group: u8::from(i.is_multiple_of(2)),
        ..default_config()
    }
}

/// The group of `every_factor_config`: z at 2.33 (Init) and 1.65 (Maint), correlation group 1
/// at 0.9/0.95 and 1.1/1.05.
pub fn every_factor_group_config() -> GroupConfig {
    let mut groups = [ballast::state::CorrelationGroupConfig::default(); 8];
    groups[0] = ballast::state::CorrelationGroupConfig {
        init_asset_weight_bps: 9_000,
        maint_asset_weight_bps: 9_500,
        init_liab_weight_bps: 11_000,
        maint_liab_weight_bps: 10_500,
    };
    GroupConfig { z_init_bps: 23_300, z_maint_bps: 16_500, correlation_groups: groups, ..group_config() }
}
