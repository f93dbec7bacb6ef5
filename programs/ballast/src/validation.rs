//! Parameter invariants, checked on every change (register and update).

use crate::error::BallastError;
use crate::risk::MAX_CORRELATION_GROUPS;
use crate::state::{AssetConfig, OracleKind, ASSET_FLAG_PAUSED, ASSET_FLAG_REDUCE_ONLY};
use anchor_lang::prelude::*;

const ONE: u32 = 10_000;
/// Liability weights above 10x make no sense and would only hide a typo.
const MAX_LIAB_WEIGHT_BPS: u32 = 10 * ONE;
/// 1000% APR: above this a rate is a typo, not a policy.
const MAX_RATE_BPS: u32 = 100 * ONE;
const MAX_CONF_MULTIPLIER_BPS: u32 = 10 * ONE;
/// 1000% annualised volatility.
const MAX_SIGMA_BPS: u32 = 10 * ONE;
/// A liquidation horizon longer than a year is not a horizon.
const MAX_HORIZON_SECS: u32 = 31_536_000;
/// z of 10 standard deviations.
const MAX_Z_BPS: u32 = 10 * ONE;

pub fn validate_asset_config(c: &AssetConfig) -> Result<()> {
    let kind = c.oracle_kind().ok_or(BallastError::InvalidOracleKind)?;
    match kind {
        OracleKind::PythPull => {
            require!(c.feed_id != [0; 32] && c.oracle != Pubkey::default(), BallastError::InvalidOracleConfig)
        }
        OracleKind::PythLegacy => {
            require!(c.oracle != Pubkey::default() && c.feed_id == [0; 32], BallastError::InvalidOracleConfig)
        }
    }
    require!(
        c.max_staleness_secs > 0
            && c.max_conf_bps > 0
            && c.max_conf_bps <= ONE
            && c.liquidation_max_conf_bps >= c.max_conf_bps
            && c.liquidation_max_conf_bps <= ONE
            && c.max_ema_deviation_bps > 0
            && c.conf_multiplier_bps <= MAX_CONF_MULTIPLIER_BPS,
        BallastError::InvalidOracleLimits
    );
    require!(
        c.init_asset_weight_bps > 0
            && c.init_asset_weight_bps <= c.maint_asset_weight_bps
            && c.maint_asset_weight_bps <= ONE,
        BallastError::InvalidAssetWeights
    );
    require!(
        c.maint_liab_weight_bps >= ONE
            && c.init_liab_weight_bps >= c.maint_liab_weight_bps
            && c.init_liab_weight_bps <= MAX_LIAB_WEIGHT_BPS,
        BallastError::InvalidLiabilityWeights
    );
    // The bonus (up to its cap) must be smaller than the maintenance haircut, or seizing this
    // collateral would itself make the account less healthy. An asset without a haircut
    // (maint weight 1) pays no bonus of its own.
    require!(
        c.liquidation_fee_bps <= c.max_liquidation_fee_bps
            && (c.max_liquidation_fee_bps == 0 || c.max_liquidation_fee_bps < ONE - c.maint_asset_weight_bps),
        BallastError::InvalidLiquidationFee
    );
    require!(c.protocol_fee_bps < ONE, BallastError::InvalidProtocolFee);
    require!(
        c.util0_bps < c.util1_bps
            && c.util1_bps < ONE
            && c.rate0_bps <= c.rate1_bps
            && c.rate1_bps <= c.max_rate_bps
            && c.max_rate_bps <= MAX_RATE_BPS,
        BallastError::InvalidRateCurve
    );
    require!(c.flags & !(ASSET_FLAG_REDUCE_ONLY | ASSET_FLAG_PAUSED) == 0, BallastError::InvalidFlags);
    require!(
        c.sigma_floor_bps <= MAX_SIGMA_BPS
            && c.liquidation_horizon_secs <= MAX_HORIZON_SECS
            && c.ewma_lambda_bps < ONE
            // Samples at least a staleness window apart: every sample needs a reading the
            // previous one could not have used.
            && (c.liquidation_horizon_secs == 0 || c.vol_sample_interval_secs >= c.max_staleness_secs),
        BallastError::InvalidVolatilityParams
    );
    require!(
        c.concentration_haircut_bps <= ONE && usize::from(c.correlation_group) <= MAX_CORRELATION_GROUPS,
        BallastError::InvalidFactorParams
    );
    Ok(())
}

/// One day: a bonus that takes longer to reach its cap leaves bad debt waiting.
const MAX_BONUS_RAMP_SECS: u32 = 86_400;
/// $10 (quote-native, micro-USD): the dust rule liquidates remainders below the dust value whole,
/// so a larger value would let one liquidation take far more than health needs.
pub const MAX_DUST_VALUE: u64 = 10_000_000;
/// Mint decimals the price conversion supports: above 18 the powers of ten a price needs
/// leave I80F48's range for ordinary prices.
pub const MAX_MINT_DECIMALS: u8 = 18;

pub fn validate_group_config(c: &crate::state::GroupConfig) -> Result<()> {
    require!(
        c.liquidation_bonus_ramp_secs <= MAX_BONUS_RAMP_SECS
            && c.insurance_share_bps <= ONE
            && c.dust_value <= MAX_DUST_VALUE
            && c.z_maint_bps <= c.z_init_bps
            && c.z_init_bps <= MAX_Z_BPS,
        BallastError::InvalidGroupConfig
    );
    for g in c.correlation_groups.iter().filter(|g| g.is_used()) {
        require!(
            g.init_asset_weight_bps <= g.maint_asset_weight_bps
                && g.maint_asset_weight_bps <= ONE
                && g.maint_liab_weight_bps >= ONE
                && g.init_liab_weight_bps >= g.maint_liab_weight_bps
                && g.init_liab_weight_bps <= MAX_LIAB_WEIGHT_BPS,
            BallastError::InvalidCorrelationGroup
        );
    }
    Ok(())
}
