//! A derivative market: one dated future or European option series on a listed underlying,
//! cash-settled in a listed quote asset. An option market also carries its risk array, which
//! the permissionless `update_risk_array` crank keeps.

use crate::error::BallastError;
use crate::math::{from_bps, FixedBits, I80F48};
use crate::risk::{OptionKind, RiskArray, ScanParams, VolShocks, SCENARIO_COUNT};
use anchor_lang::prelude::borsh::{BorshDeserialize, BorshSerialize};
use anchor_lang::prelude::*;

pub const MARKET_SEED: &[u8] = b"market";

/// What a market trades.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum MarketKind {
    /// A dated future: linear, marked at the underlying's oracle spot.
    Future = 0,
    /// A European call, marked at Black-76 on the oracle spot, settled at intrinsic value.
    Call = 1,
    /// A European put, likewise.
    Put = 2,
}

impl MarketKind {
    pub fn from_u8(v: u8) -> Option<MarketKind> {
        match v {
            0 => Some(MarketKind::Future),
            1 => Some(MarketKind::Call),
            2 => Some(MarketKind::Put),
            _ => None,
        }
    }

    /// The option's right, None for a future.
    pub fn option_kind(self) -> Option<OptionKind> {
        match self {
            MarketKind::Future => None,
            MarketKind::Call => Some(OptionKind::Call),
            MarketKind::Put => Some(OptionKind::Put),
        }
    }
}

/// Only trades that shrink positions (as an asset's reduce-only).
pub const MARKET_FLAG_REDUCE_ONLY: u8 = 1 << 0;

/// Governance parameters of a market, as set by `register_market`. Ratios in basis points.
#[zero_copy]
// borsh for instruction data; the IDL's type comes from `zero_copy` (Anchor's serde derives
// would define it a second time under `idl-build`)
#[derive(Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
#[borsh(crate = "anchor_lang::prelude::borsh")]
pub struct MarketConfig {
    /// Unix time the series expires; trading stops and `settle_expiry` may run from then.
    pub expiry_ts: i64,
    /// Native units of the underlying per contract.
    pub contract_size: u64,
    /// An option's strike per contract, quote-native (a contract pays `max(S - K, 0)` or
    /// `max(K - S, 0)` per contract at settlement, with S the spot times the contract size);
    /// zero for a future.
    pub strike: u64,
    /// Largest open interest (contracts long, which equals contracts short).
    pub open_interest_cap: u64,
    /// A trade's price must be within this of the underlying's oracle spot.
    pub price_band_bps: u32,
    /// Scan range = max(min range, multiplier * z * sigma * sqrt(h)) (`risk::ScanParams`).
    pub scan_range_multiplier_bps: u32,
    pub min_scan_range_init_bps: u32,
    pub min_scan_range_maint_bps: u32,
    /// The extreme move as a multiple of the range (30_000 = 3x), and the share of its loss counted.
    pub extreme_move_multiple_bps: u32,
    pub extreme_fraction_bps: u32,
    /// Weight of positive unrealised PnL at Init and Maint.
    pub pnl_weight_init_bps: u32,
    pub pnl_weight_maint_bps: u32,
    /// After expiry, the first oracle update published within this window sets the settlement
    /// price.
    pub settlement_window_secs: u32,
    /// Options: the relative volatility shocks of the scan's vol-up and vol-down scenarios at
    /// 30 days (scaled by term, `risk::vol_shock_term_scale`).
    pub vol_shock_up_bps: u32,
    pub vol_shock_down_bps: u32,
    /// Options: the least requirement per uncovered short contract, of the notional at spot.
    pub short_option_minimum_bps: u32,
    /// Options: a margin check refuses a risk array older than this, or computed at a spot
    /// more than `risk_array_max_move_bps` from the current oracle's.
    pub risk_array_max_age_secs: u32,
    pub risk_array_max_move_bps: u32,
    /// `MarketKind as u8`.
    pub kind: u8,
    /// `MARKET_FLAG_*` bits.
    pub flags: u8,
    pub padding: [u8; 6],
    pub reserved: [u8; 24],
}

const _: () = assert!(core::mem::size_of::<MarketConfig>() == 32 + 4 * 14 + 8 + 24);

impl MarketConfig {
    /// The canonical starting point: a future with a 2% price band; a scan range of 1x the
    /// volatility factor's move, at least 10% (Init) / 6.67% (Maint); extreme moves of 3x the range
    /// counted at 35% (CME's SPAN); gains at 50% / 80%; a one-hour settlement window; no open
    /// interest cap. For options: volatility shocks of +30% / -20% at 30 days, a 2.5%
    /// short-option minimum, risk arrays at most 60 s old and 1% from the spot. Expiry and
    /// contract size (and an option's strike) have no sound default and are left zero
    /// (refused).
    pub const fn template() -> MarketConfig {
        MarketConfig {
            expiry_ts: 0,
            contract_size: 0,
            strike: 0,
            open_interest_cap: u64::MAX,
            price_band_bps: 200,
            scan_range_multiplier_bps: 10_000,
            min_scan_range_init_bps: 1_000,
            min_scan_range_maint_bps: 667,
            extreme_move_multiple_bps: 30_000,
            extreme_fraction_bps: 3_500,
            pnl_weight_init_bps: 5_000,
            pnl_weight_maint_bps: 8_000,
            settlement_window_secs: 3_600,
            vol_shock_up_bps: 3_000,
            vol_shock_down_bps: 2_000,
            short_option_minimum_bps: 250,
            risk_array_max_age_secs: 60,
            risk_array_max_move_bps: 100,
            kind: MarketKind::Future as u8,
            flags: 0,
            padding: [0; 6],
            reserved: [0; 24],
        }
    }

    /// The engine's margin parameters.
    pub fn scan_params(&self) -> ScanParams {
        ScanParams {
            range_multiplier: from_bps(self.scan_range_multiplier_bps),
            min_range_init: from_bps(self.min_scan_range_init_bps),
            min_range_maint: from_bps(self.min_scan_range_maint_bps),
            extreme_multiple: from_bps(self.extreme_move_multiple_bps),
            extreme_fraction: from_bps(self.extreme_fraction_bps),
            pnl_weight_init: from_bps(self.pnl_weight_init_bps),
            pnl_weight_maint: from_bps(self.pnl_weight_maint_bps),
            short_option_minimum: if self.kind == MarketKind::Future as u8 {
                I80F48::ZERO
            } else {
                from_bps(self.short_option_minimum_bps)
            },
        }
    }

    pub fn market_kind(&self) -> Option<MarketKind> {
        MarketKind::from_u8(self.kind)
    }

    /// The option's right, None for a future (or an unknown kind, which validation refuses).
    pub fn option_kind(&self) -> Option<OptionKind> {
        self.market_kind().and_then(MarketKind::option_kind)
    }

    pub fn vol_shocks(&self) -> VolShocks {
        VolShocks { up: from_bps(self.vol_shock_up_bps), down: from_bps(self.vol_shock_down_bps) }
    }

    pub fn is_reduce_only(&self) -> bool {
        self.flags & MARKET_FLAG_REDUCE_ONLY != 0
    }
}

/// A listed derivative series.
#[account(zero_copy)]
#[derive(Debug)]
pub struct Market {
    pub group: Pubkey,
    /// The underlying's Asset (its oracle and volatility state are the market's).
    pub underlying: Pubkey,
    /// The quote Asset PnL settles into.
    pub quote: Pubkey,
    pub config: MarketConfig,
    /// Contracts held long (equal to those held short).
    pub open_interest: u64,
    /// The settlement price once `settle_expiry` ran (quote-native per native unit); zero before.
    pub settlement_price: FixedBits,
    /// Publish time of the oracle update that set it.
    pub settlement_publish_ts: i64,
    pub market_index: u16,
    pub underlying_index: u16,
    pub quote_index: u16,
    pub bump: u8,
    pub padding: [u8; 1],
    /// An option market's latest risk array (all zero before the first crank, and for a future).
    pub risk_array: RiskArrayState,
    pub reserved: [u8; 256],
}

pub const MARKET_SIZE: usize = 8 + core::mem::size_of::<Market>();
const _: () = assert!(core::mem::size_of::<Market>() == 96 + 120 + 8 + 16 + 8 + 8 + 416 + 256);
const _: () = assert!(MARKET_SIZE == 936);

/// `Market::compute_risk_array`'s result: the array and the volatility and range it used.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ComputedRiskArray {
    pub array: RiskArray,
    pub sigma: I80F48,
    pub range: I80F48,
}

/// A series' risk array as `update_risk_array` stored it (`risk::RiskArray`, per contract), with
/// the inputs it used.
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RiskArrayState {
    pub scenarios: [FixedBits; SCENARIO_COUNT],
    pub value: FixedBits,
    pub delta: FixedBits,
    pub gamma: FixedBits,
    pub vega: FixedBits,
    pub theta: FixedBits,
    pub error: FixedBits,
    /// The oracle spot (quote-native per native unit), the mark volatility and the Init scan
    /// range the array was computed at.
    pub spot: FixedBits,
    pub sigma: FixedBits,
    pub range: FixedBits,
    /// Clock time of the crank (zero: never computed) and publish time of its oracle reading.
    pub computed_ts: i64,
    pub publish_ts: i64,
}

const _: () = assert!(core::mem::size_of::<RiskArrayState>() == 16 * 25 + 16);

impl RiskArrayState {
    pub fn array(&self) -> RiskArray {
        let mut scenarios = [I80F48::ZERO; SCENARIO_COUNT];
        for (out, v) in scenarios.iter_mut().zip(self.scenarios.iter()) {
            *out = v.get();
        }
        RiskArray {
            scenarios,
            value: self.value.get(),
            delta: self.delta.get(),
            gamma: self.gamma.get(),
            vega: self.vega.get(),
            theta: self.theta.get(),
            error: self.error.get(),
        }
    }

    /// What `update_risk_array` stores: `computed` at oracle spot `spot`, from the reading
    /// published at `publish_ts`, at clock time `now`.
    pub fn record(&mut self, computed: &ComputedRiskArray, spot: I80F48, now: i64, publish_ts: i64) {
        self.set_array(&computed.array);
        self.spot.set(spot);
        self.sigma.set(computed.sigma);
        self.range.set(computed.range);
        self.computed_ts = now;
        self.publish_ts = publish_ts;
    }

    pub fn set_array(&mut self, a: &RiskArray) {
        for (out, v) in self.scenarios.iter_mut().zip(a.scenarios.iter()) {
            out.set(*v);
        }
        self.value.set(a.value);
        self.delta.set(a.delta);
        self.gamma.set(a.gamma);
        self.vega.set(a.vega);
        self.theta.set(a.theta);
        self.error.set(a.error);
    }
}

impl Market {
    /// When the settlement price becomes final: readings published in `[expiry, expiry +
    /// window]` are accepted, and for as long again anyone may post an earlier one than the
    /// recorded (Pyth updates can be posted after they were published), so the first update
    /// published at or after expiry wins whoever calls first.
    pub fn settlement_final_ts(&self) -> i64 {
        let window = i64::from(self.config.settlement_window_secs);
        self.config.expiry_ts.saturating_add(window.saturating_mul(2))
    }

    pub fn is_expired(&self, now: i64) -> bool {
        now >= self.config.expiry_ts
    }

    /// Whether positions close at the recorded settlement price: one was recorded and it is
    /// final.
    pub fn is_settled(&self, now: i64) -> bool {
        self.settlement_publish_ts != 0 && now >= self.settlement_final_ts()
    }

    /// The settlement price per contract in quote-native units, to the nearest unit (the oracle
    /// price in binary fixed point is a hair off a decimal one): every position closes at the
    /// same integer price, so closing them conserves the quote asset exactly.
    /// An option settles at its intrinsic value per contract, `max(S - K, 0)` or `max(K - S, 0)`.
    pub fn settlement_per_contract(&self) -> Result<i64> {
        let spot = self.settlement_price.get();
        let notional = spot.checked_mul(I80F48::from_num(self.config.contract_size));
        let strike = I80F48::from_num(self.config.strike);
        let value = match self.config.option_kind() {
            None => notional,
            Some(OptionKind::Call) => {
                notional.and_then(|n| n.checked_sub(strike)).map(|v| v.max(I80F48::ZERO))
            }
            Some(OptionKind::Put) => {
                notional.and_then(|n| strike.checked_sub(n)).map(|v| v.max(I80F48::ZERO))
            }
        };
        value
            .and_then(|v| v.checked_round())
            .and_then(|v| v.checked_to_num::<i64>())
            .ok_or_else(|| error!(BallastError::MathOverflow))
    }

    /// The underlying's notional per contract at `spot`: what a future is marked at and what
    /// a trade's band and an option's short minimum are fractions of.
    pub fn notional_per_contract(&self, spot: I80F48) -> Result<I80F48> {
        spot.checked_mul(I80F48::from_num(self.config.contract_size))
            .ok_or_else(|| error!(BallastError::MathOverflow))
    }

    /// An option market's risk array if it may value positions at oracle spot `spot` now: it
    /// was computed no more than `risk_array_max_age_secs` ago, at a spot within
    /// `risk_array_max_move_bps` of this one. Named errors otherwise (the client puts
    /// `update_risk_array` in the same transaction).
    pub fn fresh_risk_array(&self, spot: I80F48, now: i64) -> Result<RiskArray> {
        self.check_risk_array(spot, now).map_err(|e| {
            self.log_refusal(spot, now);
            error!(e)
        })
    }

    /// Why the risk array is refused, in the log (for the error `check_risk_array` returned).
    pub fn log_refusal(&self, spot: I80F48, now: i64) {
        let a = &self.risk_array;
        msg!(
            "market {}: risk array computed {} s ago at spot {}, oracle at {}",
            self.market_index,
            now.saturating_sub(a.computed_ts),
            a.spot.get(),
            spot
        );
    }

    /// `fresh_risk_array` with the refusal as the bare error code and nothing logged (for
    /// holding it until a position needs the array).
    pub fn check_risk_array(&self, spot: I80F48, now: i64) -> core::result::Result<RiskArray, BallastError> {
        let a = &self.risk_array;
        if a.computed_ts == 0 {
            return Err(BallastError::RiskArrayMissing);
        }
        let age = now.saturating_sub(a.computed_ts);
        if age > i64::from(self.config.risk_array_max_age_secs) {
            return Err(BallastError::RiskArrayStale);
        }
        let near =
            crate::risk::within_move(a.spot.get(), spot, from_bps(self.config.risk_array_max_move_bps))
                .map_err(|_| BallastError::MathOverflow)?;
        if !near {
            return Err(BallastError::RiskArrayPriceMoved);
        }
        Ok(a.array())
    }

    /// What `update_risk_array` computes for this option series at oracle spot `spot` (quote-native
    /// per native unit) at `now`, from its underlying `asset`: the volatility is the asset's
    /// surface at the series' expiry and strike, never below the realised volatility
    /// (`risk::floored_sigma`); the range is the market's Init range at the asset's volatility
    /// factor (`ScanParams::range`), as the scan computes it. Clients that predict the array
    /// (margin-calc) call this too.
    pub fn compute_risk_array(
        &self,
        asset: &crate::state::Asset,
        spot: I80F48,
        params: &crate::risk::HealthParams,
        now: i64,
    ) -> Result<ComputedRiskArray> {
        use crate::error::IntoAnchor;
        let kind = self.config.option_kind().ok_or(BallastError::NotAnOptionMarket)?;
        let seconds_to_expiry = u64::try_from(self.config.expiry_ts.saturating_sub(now)).unwrap_or(0);
        let series = crate::risk::OptionSeries {
            kind,
            strike: I80F48::from_num(self.config.strike),
            contract_size: I80F48::from_num(self.config.contract_size),
        };
        let floor = crate::risk::floored_sigma(asset.config.sigma_floor_bps, asset.realized_variance.get());
        let sigma = asset
            .config
            .vol_surface
            .surface()
            .mark_vol(self.notional_per_contract(spot)?, series.strike, seconds_to_expiry, floor)
            .anchor()?
            .ok_or(BallastError::UnderlyingHasNoVolSurface)?;
        let scan = self.config.scan_params();
        let range = scan.range(params, asset.horizon_vol.get(), crate::risk::HealthType::Init).anchor()?;
        let inputs = crate::risk::ArrayInputs {
            spot,
            sigma,
            seconds_to_expiry,
            range,
            extreme_multiple: scan.extreme_multiple,
            extreme_fraction: scan.extreme_fraction,
            shocks: self.config.vol_shocks(),
        };
        let array = crate::risk::risk_array(&series, &inputs).anchor()?;
        Ok(ComputedRiskArray { array, sigma, range })
    }

    /// The mark per contract at oracle spot `spot`: the notional for a future, the fresh risk
    /// array's value for an option.
    pub fn mark_per_contract(&self, spot: I80F48, now: i64) -> Result<I80F48> {
        match self.config.option_kind() {
            None => self.notional_per_contract(spot),
            Some(_) => Ok(self.fresh_risk_array(spot, now)?.value),
        }
    }
}
