//! Oracle readings to prices: unit conversion, validity checks, and the conservative prices each
//! health level uses (factor 5, oracle uncertainty).

use crate::constants::BPS_DENOMINATOR;
use crate::math::{scale_pow10, scale_pow10_floor_ceil, CheckedFixed, MathResult, I80F48};
use crate::types::{HealthType, OraclePrices, QUOTE_DECIMALS};

/// A raw oracle observation, in the oracle's integer format (`price * 10^exponent` USD per token).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OracleReading {
    pub price: i64,
    pub conf: u64,
    pub ema_price: i64,
    pub exponent: i32,
    pub publish_time: i64,
}

/// The checks an oracle must pass for an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OracleLimits {
    pub max_staleness_secs: u32,
    /// Largest confidence / price ratio accepted, in bps.
    pub max_conf_bps: u32,
    /// Largest |spot - ema| / ema accepted, in bps.
    pub max_ema_deviation_bps: u32,
}

/// Why an oracle is unusable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OracleFault {
    Stale,
    ConfidenceTooWide,
    EmaDeviation,
    NonPositivePrice,
    /// The price is positive but below one ulp of a quote-native unit per native unit: valuing
    /// a debt at zero, or collateral at a rounding artefact, is refused.
    PriceBelowResolution,
}

/// Converts an oracle integer `value * 10^exponent` (USD per whole token) into quote-native units
/// per token-native unit: `value * 10^(exponent + QUOTE_DECIMALS - decimals)`.
pub fn to_native_price(value: i64, exponent: i32, token_decimals: u8) -> MathResult<I80F48> {
    scale_pow10(I80F48::from_num(value), native_exponent(exponent, token_decimals)?)
}

/// The power of ten from an oracle's `10^exponent` USD per whole token to quote-native units
/// per token-native unit.
fn native_exponent(exponent: i32, token_decimals: u8) -> MathResult<i32> {
    exponent
        .checked_add(QUOTE_DECIMALS)
        .and_then(|e| e.checked_sub(i32::from(token_decimals)))
        .ok_or(crate::math::MathError::Overflow)
}

/// `to_native_price` rounded down and rounded up, in one pass.
pub fn to_native_price_floor_ceil(
    value: i64,
    exponent: i32,
    token_decimals: u8,
) -> MathResult<(I80F48, I80F48)> {
    scale_pow10_floor_ceil(I80F48::from_num(value), native_exponent(exponent, token_decimals)?)
}

/// `to_native_price` rounded up.
pub fn to_native_price_ceil(value: i64, exponent: i32, token_decimals: u8) -> MathResult<I80F48> {
    Ok(to_native_price_floor_ceil(value, exponent, token_decimals)?.1)
}

/// Checks a reading against limits and converts it. Returns the prices and the first fault found
/// (None when the oracle is usable). Checks are in bps of integers, so no rounding is involved.
pub fn assess_oracle(
    reading: &OracleReading,
    limits: &OracleLimits,
    now: i64,
    token_decimals: u8,
) -> MathResult<(OraclePrices, Option<OracleFault>)> {
    if reading.price <= 0 || reading.ema_price <= 0 {
        return Ok((OraclePrices::default(), Some(OracleFault::NonPositivePrice)));
    }
    let (spot, spot_up) = to_native_price_floor_ceil(reading.price, reading.exponent, token_decimals)?;
    let (ema, ema_up) = to_native_price_floor_ceil(reading.ema_price, reading.exponent, token_decimals)?;
    let prices = OraclePrices {
        spot,
        ema,
        conf: to_native_price_ceil(
            i64::try_from(reading.conf).map_err(|_| crate::math::MathError::Overflow)?,
            reading.exponent,
            token_decimals,
        )?,
        round_up: spot_up.sub_c(spot)?.max(ema_up.sub_c(ema)?),
    };
    if spot == I80F48::ZERO || ema == I80F48::ZERO {
        return Ok((prices, Some(OracleFault::PriceBelowResolution)));
    }
    let age = now.saturating_sub(reading.publish_time);
    if age > i64::from(limits.max_staleness_secs) {
        return Ok((prices, Some(OracleFault::Stale)));
    }
    // conf / price <= max_conf_bps / 10_000  <=>  conf * 10_000 <= price * max_conf_bps
    let price = reading.price as u64; // > 0 checked above
    if product_exceeds(reading.conf, BPS_DENOMINATOR, price, limits.max_conf_bps) {
        return Ok((prices, Some(OracleFault::ConfidenceTooWide)));
    }
    let ema = reading.ema_price as u64;
    if product_exceeds(price.abs_diff(ema), BPS_DENOMINATOR, ema, limits.max_ema_deviation_bps) {
        return Ok((prices, Some(OracleFault::EmaDeviation)));
    }
    Ok((prices, None))
}

/// Whether `a * b > c * d`, exactly: in 64 bits when both products fit (every real reading),
/// in 128 otherwise (a 128-bit multiply is a helper call on SBF).
fn product_exceeds(a: u64, b: u32, c: u64, d: u32) -> bool {
    match (a.checked_mul(u64::from(b)), c.checked_mul(u64::from(d))) {
        (Some(left), Some(right)) => left > right,
        _ => u128::from(a) * u128::from(b) > u128::from(c) * u128::from(d),
    }
}

/// Price at which collateral is valued: `min(spot, ema) - k*conf` for Init, `spot - k*conf`
/// otherwise, never below zero. Rounded down.
pub fn collateral_price(p: &OraclePrices, k: I80F48, level: HealthType) -> MathResult<I80F48> {
    let base = match level {
        HealthType::Init => p.spot.min(p.ema),
        HealthType::LiquidationEnd | HealthType::Maint => p.spot,
    };
    let shaded = base.sub_c(crate::math::mul_ceil(k, p.conf)?)?;
    Ok(shaded.max(I80F48::ZERO))
}

/// Price at which liabilities are valued: `max(spot, ema) + k*conf` for Init, `spot + k*conf`
/// otherwise. Rounded up.
pub fn liability_price(p: &OraclePrices, k: I80F48, level: HealthType) -> MathResult<I80F48> {
    let base = match level {
        HealthType::Init => p.spot.max(p.ema),
        HealthType::LiquidationEnd | HealthType::Maint => p.spot,
    };
    base.add_c(p.round_up)?.add_c(crate::math::mul_ceil(k, p.conf)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> OracleLimits {
        OracleLimits { max_staleness_secs: 60, max_conf_bps: 200, max_ema_deviation_bps: 500 }
    }

    #[test]
    fn product_comparison_is_exact_past_64_bits() {
        assert!(product_exceeds(u64::MAX, 10_000, u64::MAX, 9_999));
        assert!(!product_exceeds(u64::MAX, 9_999, u64::MAX, 10_000));
        assert!(!product_exceeds(u64::MAX, 3, u64::MAX, 3));
        assert!(product_exceeds(u64::MAX, 2, 1, 3));
        assert!(!product_exceeds(6, 10_000, 300, 200));
        assert!(product_exceeds(7, 10_000, 300, 200));
    }

    #[test]
    fn converts_sol_price_to_quote_native_per_lamport() {
        // $150.00000000 with exponent -8; SOL has 9 decimals; quote has 6:
        // 150 USD / 1e9 lamports * 1e6 micro-USD = 0.15 micro-USD per lamport.
        let p = to_native_price(15_000_000_000, -8, 9).unwrap();
        assert_eq!(p, I80F48::from_num(0.15));
        // $1.00 USDC (exponent -8, 6 decimals) = exactly 1 micro-USD per native unit.
        assert_eq!(to_native_price(100_000_000, -8, 6).unwrap(), I80F48::ONE);
    }

    /// Finding 11: debts are priced rounded up, collateral rounded down, and a price below the
    /// resolution is refused.
    #[test]
    fn conversion_rounds_against_the_account() {
        // $1.23456789 (exponent -8) for a 9-decimal token: 1.23456789e-3 micro-USD per unit,
        // inexact in binary: the ceiling is one ulp above the floor.
        let down = to_native_price(123_456_789, -8, 9).unwrap();
        let up = to_native_price_ceil(123_456_789, -8, 9).unwrap();
        assert_eq!(up - down, I80F48::DELTA);
        assert!(down.to_num::<f64>() <= 1.23456789e-3 && up.to_num::<f64>() >= 1.23456789e-3);
        // exact conversions are not bumped
        assert_eq!(to_native_price_ceil(100_000_000, -8, 6).unwrap(), I80F48::ONE);
        let r = OracleReading {
            price: 123_456_789,
            conf: 0,
            ema_price: 123_456_789,
            exponent: -8,
            publish_time: 0,
        };
        let (p, fault) = assess_oracle(&r, &limits(), 0, 9).unwrap();
        assert_eq!(fault, None);
        assert_eq!(p.round_up, I80F48::DELTA);
        let k = I80F48::ONE;
        assert_eq!(liability_price(&p, k, HealthType::Maint).unwrap(), up);
        assert_eq!(collateral_price(&p, k, HealthType::Maint).unwrap(), down);
        // $1e-8 for an 18-decimal token is 1e-20 micro-USD per unit: below 2^-48
        let tiny = OracleReading { price: 1, conf: 0, ema_price: 1, exponent: -8, publish_time: 0 };
        assert_eq!(
            assess_oracle(&tiny, &limits(), 0, 18).unwrap().1,
            Some(OracleFault::PriceBelowResolution)
        );
    }

    #[test]
    fn assess_flags_each_fault() {
        let good =
            OracleReading { price: 10_000, conf: 100, ema_price: 10_000, exponent: -2, publish_time: 1_000 };
        assert_eq!(assess_oracle(&good, &limits(), 1_060, 6).unwrap().1, None);
        assert_eq!(assess_oracle(&good, &limits(), 1_061, 6).unwrap().1, Some(OracleFault::Stale));
        // conf exactly 2% passes, just above fails
        let wide = OracleReading { conf: 201, ..good };
        assert_eq!(
            assess_oracle(&wide, &limits(), 1_000, 6).unwrap().1,
            Some(OracleFault::ConfidenceTooWide)
        );
        let at_limit = OracleReading { conf: 200, ..good };
        assert_eq!(assess_oracle(&at_limit, &limits(), 1_000, 6).unwrap().1, None);
        // spot 5.01% above ema fails
        let dev = OracleReading { price: 10_501, ..good };
        assert_eq!(assess_oracle(&dev, &limits(), 1_000, 6).unwrap().1, Some(OracleFault::EmaDeviation));
        let neg = OracleReading { price: 0, ..good };
        assert_eq!(assess_oracle(&neg, &limits(), 1_000, 6).unwrap().1, Some(OracleFault::NonPositivePrice));
    }

    #[test]
    fn conservative_prices_by_level() {
        // spot 100, ema 98, conf 1, k = 2
        let p = OraclePrices {
            spot: I80F48::from_num(100),
            ema: I80F48::from_num(98),
            conf: I80F48::ONE,
            round_up: I80F48::ZERO,
        };
        let k = I80F48::from_num(2);
        assert_eq!(collateral_price(&p, k, HealthType::Init).unwrap(), I80F48::from_num(96));
        assert_eq!(collateral_price(&p, k, HealthType::Maint).unwrap(), I80F48::from_num(98));
        assert_eq!(liability_price(&p, k, HealthType::Init).unwrap(), I80F48::from_num(102));
        assert_eq!(liability_price(&p, k, HealthType::Maint).unwrap(), I80F48::from_num(102));
        // a band wider than the price floors collateral at zero
        let wide = OraclePrices { conf: I80F48::from_num(60), ..p };
        assert_eq!(collateral_price(&wide, k, HealthType::Maint).unwrap(), I80F48::ZERO);
    }
}
