//! A market's parameters: expiry, size, band, scan and PnL weights, and an option's strike, vol
//! shocks, short-option minimum and risk-array freshness.

use crate::constants::ONE_BPS;
use crate::error::BallastError;
use crate::state::{MarketConfig, MarketKind, MARKET_FLAG_REDUCE_ONLY};
use anchor_lang::prelude::*;

/// The widest price band a trade may use (50% of the spot).
pub const MAX_PRICE_BAND_BPS: u32 = 5_000;
/// The scan range multiplier and the extreme move are at most 10x.
pub const MAX_SCAN_MULTIPLE_BPS: u32 = 10 * ONE_BPS;
/// The longest settlement window (a day).
pub const MAX_SETTLEMENT_WINDOW_SECS: u32 = 86_400;
/// Options: volatility up by at most 500% at 30 days.
pub const MAX_VOL_SHOCK_UP_BPS: u32 = 5 * ONE_BPS;
/// Options: a risk array may be at most an hour old and 50% from the spot.
pub const MAX_RISK_ARRAY_AGE_SECS: u32 = 3_600;
pub const MAX_RISK_ARRAY_MOVE_BPS: u32 = 5_000;

/// A new listing: expiry in the future and every parameter valid.
pub fn validate_market_config(c: &MarketConfig, now: i64) -> Result<()> {
    require!(c.expiry_ts > now, BallastError::MarketExpiryInPast);
    validate_market_params(c)
}

/// Every parameter but the expiry's timing: what a patch must keep valid (a patch may tighten
/// an expired series that has not settled, whose positions are still margined).
pub fn validate_market_params(c: &MarketConfig) -> Result<()> {
    require!(MarketKind::from_u8(c.kind).is_some(), BallastError::UnsupportedMarketKind);
    require!(c.flags & !MARKET_FLAG_REDUCE_ONLY == 0, BallastError::InvalidMarketFlags);
    require!(c.contract_size > 0, BallastError::ZeroContractSize);
    require!(c.open_interest_cap > 0, BallastError::ZeroOpenInterestCap);
    require!(
        c.price_band_bps > 0 && c.price_band_bps <= MAX_PRICE_BAND_BPS,
        BallastError::PriceBandOutOfRange
    );
    require!(
        c.min_scan_range_maint_bps > 0
            && c.min_scan_range_maint_bps <= c.min_scan_range_init_bps
            && c.min_scan_range_init_bps <= ONE_BPS
            && c.scan_range_multiplier_bps <= MAX_SCAN_MULTIPLE_BPS,
        BallastError::ScanRangeInvalid
    );
    require!(
        c.extreme_move_multiple_bps >= ONE_BPS
            && c.extreme_move_multiple_bps <= MAX_SCAN_MULTIPLE_BPS
            && c.extreme_fraction_bps <= ONE_BPS,
        BallastError::ExtremeMoveInvalid
    );
    require!(
        c.pnl_weight_init_bps <= c.pnl_weight_maint_bps && c.pnl_weight_maint_bps <= ONE_BPS,
        BallastError::PnlWeightInvalid
    );
    require!(
        c.settlement_window_secs > 0 && c.settlement_window_secs <= MAX_SETTLEMENT_WINDOW_SECS,
        BallastError::SettlementWindowInvalid
    );
    let is_option = c.option_kind().is_some();
    require!((c.strike > 0) == is_option, BallastError::StrikeInvalid);
    if is_option {
        require!(
            c.vol_shock_up_bps <= MAX_VOL_SHOCK_UP_BPS
                && c.vol_shock_down_bps <= ONE_BPS
                && c.short_option_minimum_bps <= ONE_BPS
                && c.risk_array_max_age_secs > 0
                && c.risk_array_max_age_secs <= MAX_RISK_ARRAY_AGE_SECS
                && c.risk_array_max_move_bps > 0
                && c.risk_array_max_move_bps <= MAX_RISK_ARRAY_MOVE_BPS,
            BallastError::OptionParamsInvalid
        );
    }
    Ok(())
}
