//! The program's limits, declared once (the engine's constants are `risk::constants`). Each is a
//! bound that parameter validation (`validation/`) enforces.

use crate::risk::BPS_DENOMINATOR;

/// 1.0 in basis points.
pub const ONE_BPS: u32 = BPS_DENOMINATOR;
/// Liability weights above 10x make no sense and would only hide a typo.
pub const MAX_LIAB_WEIGHT_BPS: u32 = 10 * ONE_BPS;
/// 1000% APR: above this a rate is a typo, not a policy.
pub const MAX_RATE_BPS: u32 = 100 * ONE_BPS;
/// Ten confidence intervals.
pub const MAX_CONF_MULTIPLIER_BPS: u32 = 10 * ONE_BPS;
/// 1000% annualised volatility.
pub const MAX_SIGMA_BPS: u32 = 10 * ONE_BPS;
/// A liquidation horizon longer than a year is not a horizon.
pub const MAX_HORIZON_SECS: u32 = crate::risk::SECONDS_PER_YEAR as u32;
/// z of 10 standard deviations.
pub const MAX_Z_BPS: u32 = 10 * ONE_BPS;
/// One day: a bonus that takes longer to reach its cap leaves bad debt waiting.
pub const MAX_BONUS_RAMP_SECS: u32 = 86_400;
/// $10 (quote-native, micro-USD): the dust rule liquidates remainders below the dust value whole,
/// so a larger value would let one liquidation take far more than health needs.
pub const MAX_DUST_VALUE: u64 = 10_000_000;
/// Mint decimals the price conversion supports: above 18 the powers of ten a price needs
/// leave I80F48's range for ordinary prices.
pub const MAX_MINT_DECIMALS: u8 = 18;

/// Decimals of a market's quote asset: one quote-native unit is one micro-USD, the unit of
/// health and of a future's PnL.
pub const QUOTE_DECIMALS: u8 = 6;
