//! The configs the tests list assets and create groups with.

use anchor_lang::prelude::Pubkey;
use ballast::state::AssetConfig;

/// A sound default config: weights 0.8/0.9 and 1.2/1.1, 5% fee, 60 s staleness, 2% confidence.
pub fn default_config() -> AssetConfig {
    AssetConfig {
        oracle: Pubkey::default(),
        feed_id: [0; 32],
        deposit_cap: u64::MAX,
        borrow_cap: u64::MAX,
        max_staleness_secs: 60,
        max_conf_bps: 200,
        liquidation_max_conf_bps: 500,
        conf_multiplier_bps: 10_000,
        max_ema_deviation_bps: 1_000,
        init_asset_weight_bps: 8_000,
        maint_asset_weight_bps: 9_000,
        init_liab_weight_bps: 12_000,
        maint_liab_weight_bps: 11_000,
        liquidation_fee_bps: 500,
        max_liquidation_fee_bps: 900,
        protocol_fee_bps: 1_000,
        util0_bps: 5_000,
        rate0_bps: 500,
        util1_bps: 8_000,
        rate1_bps: 2_000,
        max_rate_bps: 20_000,
        oracle_kind: 0,
        flags: 0,
        padding: [0; 2],
        deposit_weight_scale_start: 0,
        borrow_weight_scale_start: 0,
        sigma_floor_bps: 0,
        liquidation_horizon_secs: 0,
        vol_sample_interval_secs: 3_600,
        ewma_lambda_bps: 9_400,
        size_imf_ppm: 0,
        concentration_threshold_bps: 0,
        concentration_haircut_bps: 0,
        correlation_group: 0,
        padding2: [0; 3],
        reserved: [0; 16],
    }
}

/// Liquidation bonus ramps over an hour; 20% of bonuses go to insurance; dust is a cent; the
/// volatility factor and correlation groups are off until a test turns them on.
pub fn group_config() -> ballast::state::GroupConfig {
    ballast::state::GroupConfig {
        liquidation_bonus_ramp_secs: 3_600,
        insurance_share_bps: 2_000,
        dust_value: 10_000,
        z_init_bps: 0,
        z_maint_bps: 0,
        correlation_groups: [ballast::state::CorrelationGroupConfig::default(); 8],
    }
}
