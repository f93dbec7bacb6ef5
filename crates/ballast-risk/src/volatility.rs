//! Realised volatility: an EWMA of squared log returns in fixed point, annualised per sample so
//! irregular sampling intervals are weighted correctly:
//!
//!   r = ln(p_t / p_{t-1}),   v_t = lambda * v_{t-1} + (1 - lambda) * r^2 * (year / dt)
//!
//! and sigma = sqrt(v), with dt the time between the two readings' publish times. The crank
//! blends from the first return (`seeded`), starting from the governance floor squared, so a
//! single move shifts the estimate by `1 - lambda` of itself; unseeded is kept for offline use
//! (replacing the variance with one sample's). The crank caps each sample (`sample_cap`).

use crate::interest::SECONDS_PER_YEAR;
use crate::math::{CheckedFixed, MathError, MathResult, I80F48};

/// ln 2 rounded to 48 fractional bits.
const LN_2: I80F48 = I80F48::from_bits(195_103_586_505_167);

/// Natural logarithm of a positive fixed-point number, accurate to a few ulps. Reduces `x` to
/// `m * 2^k` with m in [1, 2), then `ln m = 2 atanh((m-1)/(m+1))`, whose series converges fast
/// since the argument is below 1/3.
pub fn ln(x: I80F48) -> MathResult<I80F48> {
    if x <= I80F48::ZERO {
        return Err(MathError::Overflow);
    }
    let bits = x.to_bits();
    let msb = 127 - bits.leading_zeros() as i32; // position of the highest set bit
    let k = msb - 48; // x = m * 2^k
    let m = if k >= 0 { I80F48::from_bits(bits >> k) } else { I80F48::from_bits(bits << (-k)) };
    let y = (m - I80F48::ONE).div_c(m + I80F48::ONE)?;
    let y2 = y.mul_c(y)?;
    let mut term = y;
    let mut sum = I80F48::ZERO;
    let mut n = 1i32;
    while term != I80F48::ZERO && n < 61 {
        sum = sum.add_c(term.div_c(I80F48::from_num(n))?)?;
        term = term.mul_c(y2)?;
        n += 2;
    }
    LN_2.mul_c(I80F48::from_num(k))?.add_c(sum.mul_c(I80F48::from_num(2))?)
}

/// How far one sample may exceed the variance it blends with: at most this many times
/// `max(prior, MIN_SAMPLE_BASE)`. Whoever calls the crank may post the update it samples (any
/// newer verified update is accepted by Pyth's push oracle), so one sample can be the top of a
/// spike; annualised over a short `dt` such a sample is enormous. Capped, one sample raises the
/// variance by at most `(1 - lambda) * (8 - 1)` of itself (42% with lambda 0.94, sigma +19%),
/// while a genuine crash still compounds sample after sample.
pub const MAX_SAMPLE_TO_PRIOR: i32 = 8;
/// The base the cap applies to when the prior is lower: 20% annualised, squared.
pub const MIN_SAMPLE_BASE: I80F48 = I80F48::from_bits((1i128 << 48) / 25);

/// The cap on one annualised squared-return sample blending with `prior` (see
/// `MAX_SAMPLE_TO_PRIOR`).
pub fn sample_cap(prior: I80F48) -> MathResult<I80F48> {
    prior.max(MIN_SAMPLE_BASE).mul_c(I80F48::from_num(MAX_SAMPLE_TO_PRIOR))
}

/// One EWMA step. `variance` is annualised; `lambda` in [0, 1); `dt_secs` > 0; the annualised
/// sample is capped at `max_sample` (`I80F48::MAX` for none).
pub fn ewma_variance(
    variance: I80F48,
    previous_price: I80F48,
    price: I80F48,
    dt_secs: i64,
    lambda: I80F48,
    seeded: bool,
    max_sample: I80F48,
) -> MathResult<I80F48> {
    if dt_secs <= 0 {
        return Err(MathError::Overflow);
    }
    let r = ln(price.div_c(previous_price)?)?;
    let annualised = r
        .mul_c(r)?
        .mul_c(I80F48::from_num(SECONDS_PER_YEAR))?
        .div_c(I80F48::from_num(dt_secs))?
        .min(max_sample);
    if !seeded {
        return Ok(annualised);
    }
    lambda.mul_c(variance)?.add_c(I80F48::ONE.sub_c(lambda)?.mul_c(annualised)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_matches_known_values() {
        for (x, expected) in [
            (1.0, 0.0),
            (2.0, core::f64::consts::LN_2),
            (0.5, -core::f64::consts::LN_2),
            (10.0, 10f64.ln()),
            (0.15, 0.15f64.ln()),
            (123456.789, 123456.789f64.ln()),
            (1.0001, 1.0001f64.ln()),
        ] {
            let got: f64 = ln(I80F48::from_num(x)).unwrap().to_num();
            assert!((got - expected).abs() < 1e-12, "ln({x}) = {got}, want {expected}");
        }
        assert!(ln(I80F48::ZERO).is_err());
    }

    /// Reads daily closes from the repository's copy of the SOL/USDT 2022 daily series.
    fn sol_2022_closes() -> Vec<f64> {
        let csv = include_str!("../../../data/prices/SOLUSDT_1d_2022.csv");
        csv.lines().skip(1).map(|l| l.split(',').nth(4).unwrap().parse::<f64>().unwrap()).collect()
    }

    #[test]
    fn ewma_volatility_of_a_real_series_matches_an_independent_float_computation() {
        let closes = sol_2022_closes();
        assert!(closes.len() > 300);
        let lambda = 0.94;
        let day = 86_400i64;
        // independent computation in f64
        let mut v = 0.0f64;
        for (i, w) in closes.windows(2).enumerate() {
            let r = (w[1] / w[0]).ln();
            let sample = r * r * SECONDS_PER_YEAR as f64 / day as f64;
            v = if i == 0 { sample } else { lambda * v + (1.0 - lambda) * sample };
        }
        // fixed point, through the same function the crank uses
        let mut fv = I80F48::ZERO;
        for (i, w) in closes.windows(2).enumerate() {
            fv = ewma_variance(
                fv,
                I80F48::from_num(w[0]),
                I80F48::from_num(w[1]),
                day,
                I80F48::from_num(lambda),
                i > 0,
                I80F48::MAX,
            )
            .unwrap();
        }
        let sigma: f64 = fv.sqrt().to_num();
        assert!((sigma - v.sqrt()).abs() < 1e-9, "fixed {sigma} vs float {}", v.sqrt());
        // SOL in late 2022 (after FTX) ran at roughly 60-120% annualised volatility
        assert!(sigma > 0.4 && sigma < 2.0, "{sigma}");
    }
}
