//! A market's parameters: expiry, size, band, scan and PnL weights.

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
    Ok(())
}
