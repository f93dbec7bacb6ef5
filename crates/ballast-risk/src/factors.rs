//! The single-asset factor inputs (factors 2 to 6 of the model) from an asset's governance
//! parameters and its pool: what the program caches on the Asset (`horizon_vol`) and what it
//! derives per instruction (`risk_factors`). Pure, so clients derive them identically.

use crate::constants::{BPS_DENOMINATOR, SECONDS_PER_YEAR};
use crate::interest::LendingState;
use crate::math::{from_bps, from_ppm, pow10, CheckedFixed, MathResult, I80F48};
use crate::types::RiskFactors;

/// An asset's governance parameters that shape its factors (a subset of its config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FactorConfig {
    /// Total deposits (quote-native value) above which Init asset weights scale down; 0 is off.
    pub deposit_weight_scale_start: u64,
    /// Total borrows (quote-native value) above which Init liability weights scale up; 0 is off.
    pub borrow_weight_scale_start: u64,
    /// Drift's IMF, parts per million.
    pub size_imf_ppm: u32,
    /// Share of an account's collateral above which the concentration haircut applies; 0 or
    /// 10_000 bps or more is off.
    pub concentration_threshold_bps: u32,
    pub concentration_haircut_bps: u32,
    pub correlation_group: u8,
    /// Mint decimals: sizes are measured in whole tokens.
    pub decimals: u8,
}

/// sigma * sqrt(horizon / year) with sigma = max(governance floor, realised volatility): the move
/// the volatility factor guards against over the liquidation horizon, before the level's z.
pub fn horizon_vol(sigma_floor_bps: u32, realized_variance: I80F48, horizon_secs: u32) -> MathResult<I80F48> {
    let sigma = floored_sigma(sigma_floor_bps, realized_variance);
    let years = I80F48::from_num(horizon_secs).div_c(I80F48::from_num(SECONDS_PER_YEAR))?;
    sigma.mul_c(years.sqrt())
}

/// Annualised volatility as the factors and the option marks use it: the realised (EWMA)
/// estimate the volatility crank keeps, never below the governance floor.
pub fn floored_sigma(sigma_floor_bps: u32, realized_variance: I80F48) -> I80F48 {
    from_bps(sigma_floor_bps).max(realized_variance.max(I80F48::ZERO).sqrt())
}

/// The single-asset risk factors at the given spot price (which sizes the total-deposit and
/// total-borrow scaling), with the pool as it stands after the instruction's own change.
pub fn risk_factors(
    c: &FactorConfig,
    horizon_vol: I80F48,
    lending: &LendingState,
    spot: I80F48,
) -> MathResult<RiskFactors> {
    let scale = |start: u64, value: I80F48| -> MathResult<I80F48> {
        if start == 0 || value <= I80F48::from_num(start) {
            return Ok(I80F48::ONE);
        }
        I80F48::from_num(start).div_c(value)
    };
    let deposit_scale = if c.deposit_weight_scale_start == 0 {
        I80F48::ONE
    } else {
        scale(c.deposit_weight_scale_start, lending.total_deposits()?.mul_c(spot)?)?
    };
    let borrow_scale = if c.borrow_weight_scale_start == 0 {
        I80F48::ONE
    } else {
        scale(c.borrow_weight_scale_start, lending.total_borrows()?.mul_c(spot)?)?
    };
    let concentration_off =
        c.concentration_threshold_bps == 0 || c.concentration_threshold_bps >= BPS_DENOMINATOR;
    Ok(RiskFactors {
        horizon_vol,
        imf: from_ppm(c.size_imf_ppm),
        token_unit: pow10(u32::from(c.decimals))?,
        deposit_scale,
        borrow_scale: if borrow_scale < I80F48::ONE { I80F48::ONE.div_c(borrow_scale)? } else { I80F48::ONE },
        concentration_threshold: if concentration_off {
            I80F48::ONE
        } else {
            from_bps(c.concentration_threshold_bps)
        },
        concentration_haircut: from_bps(c.concentration_haircut_bps),
        correlation_group: c.correlation_group,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 80% a year over one day: 0.8 * sqrt(86_400 / 31_536_000) = 0.8 * 0.052342... = 0.041874.
    #[test]
    fn horizon_vol_by_hand() {
        let hv = horizon_vol(8_000, I80F48::ZERO, 86_400).unwrap();
        assert!((hv.to_num::<f64>() - 0.041_874).abs() < 1e-5, "{hv}");
        // a realised 100% (variance 1) above the floor wins
        let hv = horizon_vol(8_000, I80F48::ONE, 86_400).unwrap();
        assert!((hv.to_num::<f64>() - 0.052_342).abs() < 1e-5, "{hv}");
    }

    /// $2M of deposits against a $1M start halves Init asset weights; $4M of borrows against $1M
    /// quadruples Init liability weights; a 10_000 bps threshold is off.
    #[test]
    fn scaling_and_concentration_by_hand() {
        let c = FactorConfig {
            deposit_weight_scale_start: 1_000_000_000_000,
            borrow_weight_scale_start: 1_000_000_000_000,
            size_imf_ppm: 500,
            concentration_threshold_bps: 10_000,
            concentration_haircut_bps: 2_000,
            correlation_group: 3,
            decimals: 9,
        };
        let lending = LendingState {
            deposit_index: I80F48::ONE,
            borrow_index: I80F48::ONE,
            deposit_shares: I80F48::from_num(2_000_000_000_000u64),
            borrow_shares: I80F48::from_num(4_000_000_000_000u64),
            insurance_fund: I80F48::ZERO,
        };
        let f = risk_factors(&c, I80F48::ZERO, &lending, I80F48::ONE).unwrap();
        assert_eq!(f.deposit_scale, I80F48::from_num(0.5));
        assert_eq!(f.borrow_scale, I80F48::from_num(4));
        assert_eq!(f.concentration_threshold, I80F48::ONE);
        assert_eq!(f.token_unit, I80F48::from_num(1_000_000_000u64));
        assert_eq!(f.correlation_group, 3);
    }
}
