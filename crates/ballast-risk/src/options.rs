//! European options in the portfolio: the mark volatility from a governance surface, the risk
//! array a permissionless crank computes per series, and the option inputs the scan
//! (`derivatives::scan_underlying`) aggregates.
//!
//! Pricing an option under 16 scenarios costs far more than a margin check can afford, so, as
//! SPAN's clearing houses publish risk arrays, the crank (`risk_array`) prices each series once
//! per price and stores, per contract: the value change under each scenario, the base value
//! and the Greeks. A margin check then only sums `contracts x array` (integer products).
//!
//! Decisions, written down:
//! - Marks are Black-76 on the oracle spot with zero rates (`black76`); the series' volatility is
//!   the underlying's surface at its expiry bucket and moneyness, never below the realised
//!   volatility the volatility crank keeps (`VolSurface::mark_vol`).
//! - The array is computed at the Init scan range. At Maint and LiquidationEnd the options'
//!   scenario vector is scaled by `range(level) / range(Init)` (at most 1): SPAN's convention
//!   of a maintenance requirement as a fixed ratio of the initial one. It is exact for the linear
//!   legs, conservative for short options (a convex loss shrinks faster than the move) and
//!   can understate a long-gamma book's Maint loss; its Init requirement is exact.
//! - Volatility shocks are relative (sigma (1 + up), sigma (1 - down)), scaled by term as
//!   `sqrt(30 days / T)` (at most 4x, from 1.9 days in), so short-dated vol moves more.
//! - Extreme down moves past -100% price the underlying at one ulp (worth nothing).
//! - Short calls covered by the spot holding (Reg T's covered call) are left out of the scan and
//!   of the short-option minimum: the spot delivers whatever the call pays at expiry (the call is
//!   worth at most the underlying), so they need nothing beyond the spot's own haircut and the
//!   call's mark, which counts in full. Cover is taken first; what spot is left hedges the rest.
//! - The short-option minimum is a fraction of the underlying's notional per uncovered short
//!   contract; the underlying's requirement is the larger of the scan and the minimum (SPAN).

use crate::black76::{black76, black76_value, black76_value_error_bound, years_from_seconds, OptionKind};
use crate::derivatives::{third_of, ScanParams, SCENARIOS, SCENARIO_COUNT};
use crate::math::transcendental::{ln_ratio, sqrt};
use crate::math::{div_by_u32, from_bps, mul_int, CheckedFixed, I80F48};
use crate::types::RiskResult;

/// Expiry buckets in a volatility surface.
pub const VOL_BUCKETS: usize = 4;

/// Bounds governance must keep the surface within (basis points of annualised volatility).
pub const MIN_ATM_VOL_BPS: u32 = 100;
pub const MAX_ATM_VOL_BPS: u32 = 50_000;
/// A wing adds this much volatility per unit of |ln(K/F)| at most.
pub const MAX_WING_BPS: u32 = 100_000;
/// No mark volatility above 1000%.
pub const MAX_MARK_VOL: I80F48 = I80F48::from_bits(10 << 48);

/// One expiry bucket: series expiring within `tenor_secs` (and after the previous bucket's)
/// take its ATM volatility and wings; volatility = atm + wing * |ln(K/F)|, the put wing below
/// the forward and the call wing above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VolBucket {
    /// Zero: the bucket is unused (used buckets are a prefix).
    pub tenor_secs: u32,
    pub atm_vol_bps: u32,
    pub put_wing_bps: u32,
    pub call_wing_bps: u32,
}

/// An underlying's volatility surface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VolSurface {
    pub buckets: [VolBucket; VOL_BUCKETS],
}

/// Why a surface is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VolSurfaceError {
    /// Used buckets must come first, with strictly increasing tenors.
    TenorsNotIncreasing,
    /// An ATM volatility outside `[MIN_ATM_VOL_BPS, MAX_ATM_VOL_BPS]`.
    AtmVolOutOfBounds,
    /// A wing above `MAX_WING_BPS`.
    WingOutOfBounds,
}

impl VolSurface {
    /// The used buckets (those before the first with a zero tenor).
    pub fn used(&self) -> &[VolBucket] {
        let n = self.buckets.iter().take_while(|b| b.tenor_secs > 0).count();
        &self.buckets[..n]
    }

    /// The rules governance is held to; an empty surface is valid (no option can list on it).
    pub fn validate(&self) -> Result<(), VolSurfaceError> {
        let used = self.used();
        if self.buckets[used.len()..].iter().any(|b| *b != VolBucket::default()) {
            return Err(VolSurfaceError::TenorsNotIncreasing);
        }
        if used.windows(2).any(|w| w[1].tenor_secs <= w[0].tenor_secs) {
            return Err(VolSurfaceError::TenorsNotIncreasing);
        }
        for b in used {
            if !(MIN_ATM_VOL_BPS..=MAX_ATM_VOL_BPS).contains(&b.atm_vol_bps) {
                return Err(VolSurfaceError::AtmVolOutOfBounds);
            }
            if b.put_wing_bps > MAX_WING_BPS || b.call_wing_bps > MAX_WING_BPS {
                return Err(VolSurfaceError::WingOutOfBounds);
            }
        }
        Ok(())
    }

    /// The bucket of a series `seconds` from expiry: the first whose tenor covers it, else the
    /// longest. None for an empty surface.
    pub fn bucket_for(&self, seconds: u64) -> Option<&VolBucket> {
        let used = self.used();
        used.iter().find(|b| u64::from(b.tenor_secs) >= seconds).or(used.last())
    }

    /// The mark volatility of a strike `seconds` from expiry at price `spot` (both per contract
    /// or both per unit): the bucket's `atm + wing * |ln(K/F)|`, at least `floor` (the realised
    /// volatility), at most `MAX_MARK_VOL`. None for an empty surface.
    pub fn mark_vol(
        &self,
        spot: I80F48,
        strike: I80F48,
        seconds: u64,
        floor: I80F48,
    ) -> RiskResult<Option<I80F48>> {
        let Some(b) = self.bucket_for(seconds) else { return Ok(None) };
        let log_moneyness = ln_ratio(strike, spot)?;
        let wing = if log_moneyness < I80F48::ZERO { b.put_wing_bps } else { b.call_wing_bps };
        let smile = from_bps(b.atm_vol_bps).add_c(from_bps(wing).mul_c(log_moneyness.abs())?)?;
        Ok(Some(smile.max(floor).min(MAX_MARK_VOL)))
    }
}

/// The term a volatility shock is quoted at (Deribit's 30 days).
pub const VOL_SHOCK_REFERENCE_SECS: u64 = 30 * 86_400;
/// Shocks stop growing from here in (the scale is at most 4).
pub const MIN_VOL_SHOCK_TERM_SECS: u64 = VOL_SHOCK_REFERENCE_SECS / 16;

/// A market's relative volatility shocks at 30 days (0.3: volatility up 30% / down 30%).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VolShocks {
    pub up: I80F48,
    pub down: I80F48,
}

/// `sqrt(30 days / T)`, T at least `MIN_VOL_SHOCK_TERM_SECS`: how much a 30-day shock grows for
/// a series `seconds` from expiry (and shrinks for a longer one).
pub fn vol_shock_term_scale(seconds: u64) -> RiskResult<I80F48> {
    let t = seconds.max(MIN_VOL_SHOCK_TERM_SECS);
    let ratio = I80F48::from_num(VOL_SHOCK_REFERENCE_SECS).div_c(I80F48::from_num(t))?;
    Ok(sqrt(ratio)?)
}

/// What a series is: its right, its strike per contract (quote-native) and its contract size
/// (native units of the underlying).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptionSeries {
    pub kind: OptionKind,
    pub strike: I80F48,
    pub contract_size: I80F48,
}

/// What the crank prices a series at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArrayInputs {
    /// The underlying's oracle spot, quote-native per native unit.
    pub spot: I80F48,
    /// The mark volatility (`VolSurface::mark_vol`).
    pub sigma: I80F48,
    pub seconds_to_expiry: u64,
    /// The Init scan range (a fraction of the price) and the extreme move's multiple of it and
    /// counted fraction.
    pub range: I80F48,
    pub extreme_multiple: I80F48,
    pub extreme_fraction: I80F48,
    pub shocks: VolShocks,
}

/// A series' risk array, per contract, in quote-native units unless said otherwise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RiskArray {
    /// Value change under each of `SCENARIOS` at the Init range (extreme ones at their counted
    /// fraction), each within `2 * error` of exact.
    pub scenarios: [I80F48; SCENARIO_COUNT],
    /// Black-76 value at the spot, within `error` of exact.
    pub value: I80F48,
    /// Native units of the underlying the contract moves like.
    pub delta: I80F48,
    /// Change in `delta` (native units) for a 1% rise in the price.
    pub gamma: I80F48,
    /// Value change per 1.00 (100 points) of volatility.
    pub vega: I80F48,
    /// Value change per year with nothing else moving (not positive for a long).
    pub theta: I80F48,
    /// Bound on each valuation's error (`black76_value_error_bound` at the highest scenario
    /// price, plus the extreme fraction's rounding).
    pub error: I80F48,
}

impl RiskArray {
    pub const ZERO: RiskArray = RiskArray {
        scenarios: [I80F48::ZERO; SCENARIO_COUNT],
        value: I80F48::ZERO,
        delta: I80F48::ZERO,
        gamma: I80F48::ZERO,
        vega: I80F48::ZERO,
        theta: I80F48::ZERO,
        error: I80F48::ZERO,
    };
}

/// The scenario's price move as a fraction of the price: `thirds / 3` of the range, or the
/// extreme multiple of it.
fn scenario_move(thirds: i8, extreme: bool, range: I80F48, extreme_multiple: I80F48) -> RiskResult<I80F48> {
    let up = if extreme {
        range.mul_c(extreme_multiple)?
    } else {
        mul_int(third_of(range), i128::from(thirds.unsigned_abs()))?
    };
    Ok(if thirds < 0 { I80F48::ZERO.sub_c(up)? } else { up })
}

/// Prices `series` at the base case and under the 16 scenarios: the crank's work. 17
/// valuations (one with the Greeks), a square root and a division for the term scale.
pub fn risk_array(series: &OptionSeries, inputs: &ArrayInputs) -> RiskResult<RiskArray> {
    let f = inputs.spot.mul_c(series.contract_size)?;
    let k = series.strike;
    let t = years_from_seconds(inputs.seconds_to_expiry);
    let base = black76(series.kind, f, k, inputs.sigma, t)?;
    let scale = vol_shock_term_scale(inputs.seconds_to_expiry)?;
    let sigma_up = inputs.sigma.mul_c(I80F48::ONE.add_c(inputs.shocks.up.mul_c(scale)?)?)?;
    let sigma_down =
        inputs.sigma.mul_c(I80F48::ONE.sub_c(inputs.shocks.down.mul_c(scale)?)?.max(I80F48::ZERO))?;
    let mut scenarios = [I80F48::ZERO; SCENARIO_COUNT];
    let mut highest_f = f;
    for (slot, s) in scenarios.iter_mut().zip(SCENARIOS.iter()) {
        let m = scenario_move(s.thirds, s.extreme, inputs.range, inputs.extreme_multiple)?;
        // a move past -100% leaves the underlying worth (next to) nothing
        let f_s = f.add_c(f.mul_c(m)?)?.max(I80F48::DELTA);
        highest_f = highest_f.max(f_s);
        let sigma = if s.vol_up { sigma_up } else { sigma_down };
        let change = black76_value(series.kind, f_s, k, sigma, t)?.sub_c(base.value)?;
        *slot = if s.extreme { change.mul_c(inputs.extreme_fraction)? } else { change };
    }
    let error = black76_value_error_bound(highest_f, k)?.add_c(I80F48::DELTA)?;
    // gamma per 1% of the price: f gamma is dimensionless (n(d1)/s), then native units
    let gamma = div_by_u32(base.f_gamma.mul_c(series.contract_size)?, 100)?;
    Ok(RiskArray {
        scenarios,
        value: base.value,
        delta: base.delta.mul_c(series.contract_size)?,
        gamma,
        vega: base.vega,
        theta: base.theta,
        error,
    })
}

/// An option position as the scan takes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptionInput {
    pub market_index: u16,
    pub underlying_index: u16,
    pub kind: OptionKind,
    /// Signed: long positive.
    pub contracts: i64,
    /// Quote-native received (premium sold) less paid, less PnL already settled.
    pub quote: I80F48,
    /// Native units of the underlying per contract.
    pub contract_size: I80F48,
    pub params: ScanParams,
    /// The series' array, checked fresh by the caller.
    pub array: RiskArray,
}

impl OptionInput {
    /// The position's mark against the account: `contracts * value`, less `|contracts| *
    /// error` (a long is worth a little less, a short owes a little more).
    pub fn mark(&self) -> RiskResult<I80F48> {
        let value = mul_int(self.array.value, i128::from(self.contracts))?;
        Ok(value.sub_c(mul_int(self.array.error, i128::from(self.contracts).abs())?)?)
    }

    /// Unrealised PnL: the mark plus the quote.
    pub fn unrealised_pnl(&self) -> RiskResult<I80F48> {
        Ok(self.mark()?.add_c(self.quote)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::black76::black76_value;

    fn f(v: f64) -> I80F48 {
        I80F48::from_num(v)
    }

    fn surface() -> VolSurface {
        let mut s = VolSurface::default();
        s.buckets[0] = VolBucket {
            tenor_secs: 7 * 86_400,
            atm_vol_bps: 9_000,
            put_wing_bps: 4_000,
            call_wing_bps: 2_000,
        };
        s.buckets[1] = VolBucket {
            tenor_secs: 90 * 86_400,
            atm_vol_bps: 7_000,
            put_wing_bps: 3_000,
            call_wing_bps: 1_000,
        };
        s
    }

    #[test]
    fn surface_buckets_wings_and_floor() {
        let s = surface();
        assert_eq!(s.validate(), Ok(()));
        // 3 days out: the 7-day bucket; 30 days: the 90-day bucket; a year: the longest
        assert_eq!(s.bucket_for(3 * 86_400).unwrap().atm_vol_bps, 9_000);
        assert_eq!(s.bucket_for(30 * 86_400).unwrap().atm_vol_bps, 7_000);
        assert_eq!(s.bucket_for(365 * 86_400).unwrap().atm_vol_bps, 7_000);
        let atm = s.mark_vol(f(100.0), f(100.0), 30 * 86_400, I80F48::ZERO).unwrap().unwrap();
        assert_eq!(atm, from_bps(7_000));
        // K = 100 e^-0.5: 0.70 + 0.30 * 0.5 = 0.85; K = 100 e^0.5: 0.70 + 0.10 * 0.5 = 0.75
        let low =
            s.mark_vol(f(100.0), f(100.0 * (-0.5f64).exp()), 30 * 86_400, I80F48::ZERO).unwrap().unwrap();
        let high = s.mark_vol(f(100.0), f(100.0 * 0.5f64.exp()), 30 * 86_400, I80F48::ZERO).unwrap().unwrap();
        assert!((low.to_num::<f64>() - 0.85).abs() < 1e-12, "{low}");
        assert!((high.to_num::<f64>() - 0.75).abs() < 1e-12, "{high}");
        // realised volatility above the surface floors it
        assert_eq!(s.mark_vol(f(100.0), f(100.0), 30 * 86_400, f(1.2)).unwrap(), Some(f(1.2)));
        assert_eq!(VolSurface::default().mark_vol(f(1.0), f(1.0), 1, I80F48::ZERO).unwrap(), None);
    }

    #[test]
    fn surface_validation_names_each_fault() {
        let mut s = surface();
        s.buckets[1].tenor_secs = s.buckets[0].tenor_secs;
        assert_eq!(s.validate(), Err(VolSurfaceError::TenorsNotIncreasing));
        let mut s = surface();
        s.buckets[3] = s.buckets[1];
        assert_eq!(s.validate(), Err(VolSurfaceError::TenorsNotIncreasing));
        let mut s = surface();
        s.buckets[0].atm_vol_bps = MAX_ATM_VOL_BPS + 1;
        assert_eq!(s.validate(), Err(VolSurfaceError::AtmVolOutOfBounds));
        let mut s = surface();
        s.buckets[1].put_wing_bps = MAX_WING_BPS + 1;
        assert_eq!(s.validate(), Err(VolSurfaceError::WingOutOfBounds));
        assert_eq!(VolSurface::default().validate(), Ok(()));
    }

    #[test]
    fn term_scale_is_sqrt_of_thirty_days_over_t_capped_at_four() {
        assert_eq!(vol_shock_term_scale(VOL_SHOCK_REFERENCE_SECS).unwrap(), I80F48::ONE);
        assert_eq!(vol_shock_term_scale(4 * VOL_SHOCK_REFERENCE_SECS).unwrap(), f(0.5));
        assert_eq!(vol_shock_term_scale(3_600).unwrap(), f(4.0));
        assert_eq!(vol_shock_term_scale(0).unwrap(), f(4.0));
    }

    fn inputs(seconds: u64) -> ArrayInputs {
        ArrayInputs {
            spot: f(0.1),
            sigma: f(0.8),
            seconds_to_expiry: seconds,
            range: f(0.12),
            extreme_multiple: f(3.0),
            extreme_fraction: f(0.35),
            shocks: VolShocks { up: f(0.3), down: f(0.2) },
        }
    }

    /// A 1-SOL call struck at 100 USDC (contract size 1e9 lamports, strike 1e8 micro-USD).
    fn series(kind: OptionKind, strike_usd: f64) -> OptionSeries {
        OptionSeries { kind, strike: f(strike_usd * 1e6), contract_size: f(1e9) }
    }

    /// At the money exactly: the strike is the fixed-point spot times the contract size.
    fn at_the_money(kind: OptionKind) -> OptionSeries {
        OptionSeries { kind, strike: f(0.1) * f(1e9), contract_size: f(1e9) }
    }

    /// Expired, the array is the intrinsic value's change, by hand: spot $100, range 12%, a
    /// call at 100 is worth 0 and, 1/3 up (+4%), $4; 3/3 up, $12; the extreme +36% counted at
    /// 35%, $12.60; any down move, 0. A put mirrors it.
    #[test]
    fn an_expired_series_array_is_the_intrinsic_change() {
        let call = risk_array(&at_the_money(OptionKind::Call), &inputs(0)).unwrap();
        let usd = |v: I80F48| v.to_num::<f64>() / 1e6;
        assert_eq!(call.value, I80F48::ZERO);
        let want = [0.0, 0.0, 4.0, 4.0, 0.0, 0.0, 8.0, 8.0, 0.0, 0.0, 12.0, 12.0, 0.0, 0.0, 12.6, 0.0];
        for (i, w) in want.iter().enumerate() {
            assert!((usd(call.scenarios[i]) - w).abs() < 1e-6, "scenario {i}: {}", usd(call.scenarios[i]));
        }
        let put = risk_array(&at_the_money(OptionKind::Put), &inputs(0)).unwrap();
        let want = [0.0, 0.0, 0.0, 0.0, 4.0, 4.0, 0.0, 0.0, 8.0, 8.0, 0.0, 0.0, 12.0, 12.0, 0.0, 12.6];
        for (i, w) in want.iter().enumerate() {
            assert!((usd(put.scenarios[i]) - w).abs() < 1e-6, "scenario {i}");
        }
        assert_eq!((call.delta, call.gamma, call.vega), (f(0.5e9), I80F48::ZERO, I80F48::ZERO));
    }

    /// At the money 30 days out the base value and Greeks are `black76`'s hand-checked ones
    /// (value $9.1298 at 80%), per contract; vol up at no move raises the value by about
    /// vega * 0.8 * 0.3 (0.24 points of vol).
    #[test]
    fn a_live_series_array_matches_black76() {
        let a = risk_array(&at_the_money(OptionKind::Call), &inputs(30 * 86_400)).unwrap();
        let usd = |v: I80F48| v.to_num::<f64>() / 1e6;
        assert!((usd(a.value) - 9.129_840_781_846_293).abs() < 1e-6);
        assert!((a.delta.to_num::<f64>() / 1e9 - 0.545_649_203_909_231_5).abs() < 1e-9);
        assert!((usd(a.vega) - 11.362_362_115_239_065).abs() < 1e-6);
        let vol_up = usd(a.scenarios[0]);
        let vol_down = usd(a.scenarios[1]);
        assert!((vol_up - 11.362 * 0.24).abs() < 0.05, "{vol_up}");
        assert!((vol_down + 11.362 * 0.16).abs() < 0.05, "{vol_down}");
        // gamma per 1%: f gamma * 0.01 native units = 100 * 0.0172803 * 0.01 SOL
        let gamma = a.gamma.to_num::<f64>() / 1e9;
        assert!((gamma - 0.017_280_259 * 100.0 * 0.01).abs() < 1e-9, "{gamma}");
        let atm = f(0.1) * f(1e9);
        let want =
            black76_value(OptionKind::Call, atm, atm, f(0.8), years_from_seconds(30 * 86_400)).unwrap();
        assert_eq!(a.value, want);
    }

    #[test]
    fn a_down_move_past_the_whole_price_leaves_the_put_at_its_strike() {
        let mut i = inputs(86_400);
        i.range = f(0.5); // extreme 3 x 50% = -150%
        let put = risk_array(&series(OptionKind::Put, 100.0), &i).unwrap();
        let full = (put.scenarios[15] / f(0.35) + put.value).to_num::<f64>() / 1e6;
        assert!((full - 100.0).abs() < 1e-3, "{full}");
    }

    mod scan {
        use super::*;
        use crate::derivatives::{portfolio_health, PortfolioHealth, UnderlyingPrice};
        use crate::health::tests::{position, weights};
        use crate::types::{HealthParams, HealthType, PositionInput};
        use proptest::prelude::*;

        const LEVELS: [HealthType; 3] = [HealthType::Init, HealthType::LiquidationEnd, HealthType::Maint];

        /// The futures tests' market (a 10% range at Init, 6.67% at Maint, extreme 3x at 35%,
        /// gains at 50% / 80%) with a 5% short-option minimum.
        fn params() -> ScanParams {
            ScanParams { short_option_minimum: f(0.05), ..crate::derivatives::tests::scan_params() }
        }

        /// SOL at $100 (0.1 micro-USD per lamport), weights 0.8 / 0.9.
        fn sol(balance: i64) -> PositionInput {
            PositionInput { balance: I80F48::from_num(balance), ..crate::derivatives::tests::sol() }
        }

        /// The array as the crank computes it for the scan above (its Init range is 10%: the
        /// volatility factor is off).
        fn array(kind: OptionKind, strike_usd: f64, sigma: f64, seconds: u64) -> RiskArray {
            let i = ArrayInputs {
                spot: f(0.1),
                sigma: f(sigma),
                seconds_to_expiry: seconds,
                range: f(0.10),
                extreme_multiple: f(3.0),
                extreme_fraction: f(0.35),
                shocks: VolShocks { up: f(0.3), down: f(0.2) },
            };
            risk_array(&series(kind, strike_usd), &i).unwrap()
        }

        fn option(kind: OptionKind, contracts: i64, quote: I80F48, array: RiskArray) -> OptionInput {
            OptionInput {
                market_index: 3,
                underlying_index: 1,
                kind,
                contracts,
                quote,
                contract_size: f(1e9),
                params: params(),
                array,
            }
        }

        fn health(tokens: &[PositionInput], options: &[OptionInput], level: HealthType) -> PortfolioHealth {
            let u = [UnderlyingPrice::of(&sol(0))];
            portfolio_health(tokens, &[], options, &u, &HealthParams::BASE, level).unwrap()
        }

        fn usd(v: I80F48) -> f64 {
            v.to_num::<f64>() / 1e6
        }

        /// By hand: one short call at 100, expiring now, spot $100: the worst scenario is the
        /// extreme +30% (owing $30, counted at 35%: $10.50), above the 1/1 move's $10 and the
        /// $5 short-option minimum. Nothing is premium: health is -$10.50.
        #[test]
        fn a_short_call_is_charged_its_worst_scenario() {
            let a = array(OptionKind::Call, 100.0, 0.8, 0);
            let p = health(&[], &[option(OptionKind::Call, -1, I80F48::ZERO, a)], HealthType::Init);
            let scan = &p.scans[0];
            assert_eq!(scan.worst, 14);
            assert!((usd(scan.requirement) - 10.5).abs() < 1e-6, "{}", scan.requirement);
            assert!((usd(scan.short_option_minimum) - 5.0).abs() < 1e-9);
            assert!((usd(p.health) + 10.5).abs() < 1e-6);
            // at expiry the delta is a step: -1 SOL or 0 (the strike is a hair off the spot)
            assert!(
                scan.options_delta == f(-1e9) || scan.options_delta == I80F48::ZERO,
                "{}",
                scan.options_delta
            );
        }

        /// A far out-of-the-money short put: the scan sees almost nothing, the 5% minimum ($5)
        /// binds.
        #[test]
        fn the_short_option_minimum_binds_far_out_of_the_money() {
            let a = array(OptionKind::Put, 20.0, 0.5, 7 * 86_400);
            let p = health(&[], &[option(OptionKind::Put, -2, I80F48::ZERO, a)], HealthType::Init);
            assert!((usd(p.scans[0].requirement) - 10.0).abs() < 1e-6, "{}", p.scans[0].requirement);
        }

        /// A covered call: 1 SOL and a short call on it need the spot's haircut and the call's
        /// mark, nothing more; with half the spot the other call is scanned and pays the minimum.
        #[test]
        fn a_covered_call_needs_no_more_than_the_spot() {
            let a = array(OptionKind::Call, 110.0, 0.8, 30 * 86_400);
            let premium = a.value.add_c(a.error).unwrap();
            let alone = health(&[sol(1_000_000_000)], &[], HealthType::Init).health;
            let covered =
                health(&[sol(1_000_000_000)], &[option(OptionKind::Call, -1, premium, a)], HealthType::Init);
            assert_eq!(covered.scans[0].covered_spot, f(1e9));
            assert_eq!(covered.scans[0].requirement, I80F48::ZERO);
            assert!(covered.health >= alone, "{} < {}", covered.health, alone);
            let half = health(
                &[sol(1_000_000_000)],
                &[option(OptionKind::Call, -2, premium * 2, a)],
                HealthType::Init,
            );
            assert!(half.scans[0].requirement >= f(5e6));
            assert!(half.health < covered.health);
        }

        /// A protective put: the spot hedging the put's delta gets its haircut back and the pair
        /// needs less than the legs apart.
        #[test]
        fn a_protective_put_needs_less_than_its_legs() {
            let a = array(OptionKind::Put, 95.0, 0.8, 30 * 86_400);
            let premium = I80F48::ZERO.sub_c(a.value).unwrap();
            let spot = health(&[sol(1_000_000_000)], &[], HealthType::Init).health;
            let put = health(&[], &[option(OptionKind::Put, 1, premium, a)], HealthType::Init).health;
            let both =
                health(&[sol(1_000_000_000)], &[option(OptionKind::Put, 1, premium, a)], HealthType::Init);
            assert!(both.scans[0].hedged_spot > I80F48::ZERO);
            assert!(both.health > spot + put, "{} <= {} + {}", both.health, spot, put);
        }

        fn kind_of(call: bool) -> OptionKind {
            if call {
                OptionKind::Call
            } else {
                OptionKind::Put
            }
        }

        proptest! {
            /// Put-call parity in the marks: c - p = f - k per contract within the two values'
            /// error bounds.
            #[test]
            fn put_call_parity_holds_in_the_marks(
                strike in 20.0f64..500.0, sigma in 0.05f64..5.0, seconds in 3_600u64..63_072_000,
            ) {
                let c = array(OptionKind::Call, strike, sigma, seconds);
                let p = array(OptionKind::Put, strike, sigma, seconds);
                let forward = f(0.1).mul_c(f(1e9)).unwrap();
                let gap = (c.value - p.value - (forward - f(strike * 1e6))).abs();
                prop_assert!(gap <= c.error + p.error, "{} > {}", gap, c.error + p.error);
            }

            /// A long option never needs more margin than its premium (paid at the mark, rounded
            /// up to a whole quote unit), at any level.
            #[test]
            fn a_long_option_needs_no_more_than_its_premium(
                call in any::<bool>(), strike in 20.0f64..500.0, sigma in 0.05f64..5.0,
                seconds in 0u64..63_072_000, contracts in 1i64..10_000,
            ) {
                let a = array(kind_of(call), strike, sigma, seconds);
                let premium = mul_int(a.value, i128::from(contracts)).unwrap().ceil();
                let o = option(kind_of(call), contracts, I80F48::ZERO - premium, a);
                let slack = mul_int(a.error, 3 * i128::from(contracts)).unwrap() + I80F48::from_num(2);
                for level in LEVELS {
                    let needed = I80F48::ZERO - health(&[], &[o], level).health;
                    prop_assert!(needed <= premium + slack, "{:?}: {} > {}", level, needed, premium);
                }
            }

            /// A covered call (spot at least the calls' underlying, the premium at the mark)
            /// never needs more than the spot alone, at any level.
            #[test]
            fn a_covered_call_needs_no_more_than_the_spot_alone(
                strike in 20.0f64..500.0, sigma in 0.05f64..5.0, seconds in 0u64..63_072_000,
                contracts in 1i64..1_000, extra in 0i64..1_000_000_000_000,
            ) {
                let a = array(OptionKind::Call, strike, sigma, seconds);
                let premium = mul_int(a.value.add_c(a.error).unwrap(), i128::from(contracts)).unwrap();
                let spot = sol(contracts * 1_000_000_000 + extra);
                for level in LEVELS {
                    let alone = health(&[spot], &[], level).health;
                    let covered = health(&[spot], &[option(OptionKind::Call, -contracts, premium, a)], level).health;
                    prop_assert!(covered >= alone, "{:?}: {} < {}", level, covered, alone);
                }
            }

            /// Higher volatility never lowers what a short option is charged (its mark owed plus
            /// the scan), at any level.
            #[test]
            fn higher_volatility_never_lowers_a_short_options_charge(
                call in any::<bool>(), strike in 20.0f64..500.0, sigma in 0.05f64..4.0, more in 0.0f64..1.0,
                seconds in 3_600u64..63_072_000, contracts in 1i64..1_000,
            ) {
                let kind = kind_of(call);
                let low = array(kind, strike, sigma, seconds);
                let high = array(kind, strike, sigma + more, seconds);
                let slack = mul_int(low.error + high.error, 4 * i128::from(contracts)).unwrap();
                for level in LEVELS {
                    let at = |a| health(&[], &[option(kind, -contracts, I80F48::ZERO, a)], level).health;
                    prop_assert!(at(high) <= at(low) + slack, "{:?}: {} > {}", level, at(high), at(low));
                }
            }

            /// The short-option minimum always applies: every uncovered short contract is charged
            /// at least 5% of the notional, whatever the scan says, at any level.
            #[test]
            fn the_short_option_minimum_always_applies(
                call in any::<bool>(), strike in 20.0f64..500.0, sigma in 0.05f64..5.0,
                seconds in 0u64..63_072_000, contracts in 1i64..1_000, spot_sol in 0i64..2_000,
            ) {
                let kind = kind_of(call);
                let a = array(kind, strike, sigma, seconds);
                let spot = sol(spot_sol * 1_000_000_000);
                for level in LEVELS {
                    let p = health(&[spot], &[option(kind, -contracts, I80F48::ZERO, a)], level);
                    let s = &p.scans[0];
                    let covered = (s.covered_spot / f(1e9)).to_num::<i64>();
                    let minimum = f(5e6) * I80F48::from_num(contracts - covered);
                    prop_assert!(s.requirement >= minimum - f(1e-3), "{:?}: {} < {}", level, s.requirement, minimum);
                }
            }

            /// Init <= LiquidationEnd <= Maint with options, spot and a future-free book.
            #[test]
            fn levels_keep_their_order_with_options(
                call in any::<bool>(), strike in 20.0f64..500.0, sigma in 0.05f64..5.0,
                seconds in 0u64..63_072_000, contracts in -1_000i64..1_000, spot_sol in -100i64..2_000,
                premium in -1_000_000_000i64..1_000_000_000,
            ) {
                let kind = kind_of(call);
                let a = array(kind, strike, sigma, seconds);
                let tokens = [sol(spot_sol * 1_000_000_000), position(0, 1_000_000_000_000, 1.0, weights(1.0, 1.0, 1.0, 1.0))];
                let o = [option(kind, contracts, I80F48::from_num(premium), a)];
                let at = |level| health(&tokens, &o, level).health;
                let (init, le, maint) = (at(HealthType::Init), at(HealthType::LiquidationEnd), at(HealthType::Maint));
                prop_assert!(init <= le + f(1e-6) && le <= maint + f(1e-6), "{} {} {}", init, le, maint);
            }
        }
    }
}
