//! A derivative market: one dated future (options: issue 13) on a listed underlying, cash-settled
//! in a listed quote asset.

use crate::math::{from_bps, FixedBits, I80F48};
use crate::risk::ScanParams;
use anchor_lang::prelude::*;

pub const MARKET_SEED: &[u8] = b"market";

/// What a market trades.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum MarketKind {
    /// A dated future: linear, marked at the underlying's oracle spot.
    Future = 0,
}

impl MarketKind {
    pub fn from_u8(v: u8) -> Option<MarketKind> {
        match v {
            0 => Some(MarketKind::Future),
            _ => None,
        }
    }
}

/// Only trades that shrink positions (as an asset's reduce-only).
pub const MARKET_FLAG_REDUCE_ONLY: u8 = 1 << 0;

/// Governance parameters of a market, as set by `register_market`. Ratios in basis points.
#[zero_copy]
#[derive(Debug, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
pub struct MarketConfig {
    /// Unix time the series expires; trading stops and `settle_expiry` may run from then.
    pub expiry_ts: i64,
    /// Native units of the underlying per contract.
    pub contract_size: u64,
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
    /// `MarketKind as u8`.
    pub kind: u8,
    /// `MARKET_FLAG_*` bits.
    pub flags: u8,
    pub padding: [u8; 2],
    pub reserved: [u8; 24],
}

const _: () = assert!(core::mem::size_of::<MarketConfig>() == 24 + 4 * 9 + 4 + 24);

impl MarketConfig {
    /// The canonical starting point: a future with a 2% price band; a scan range of 1x the
    /// volatility factor's move, at least 10% (Init) / 6.67% (Maint); extreme moves of 3x the range
    /// counted at 35% (CME's SPAN); gains at 50% / 80%; a one-hour settlement window; no open
    /// interest cap. Expiry and contract size have no sound default and are left zero (refused).
    pub const fn template() -> MarketConfig {
        MarketConfig {
            expiry_ts: 0,
            contract_size: 0,
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
            kind: MarketKind::Future as u8,
            flags: 0,
            padding: [0; 2],
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
            short_option_minimum: I80F48::ZERO,
        }
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
    pub reserved: [u8; 256],
}

pub const MARKET_SIZE: usize = 8 + core::mem::size_of::<Market>();
const _: () = assert!(core::mem::size_of::<Market>() == 96 + 88 + 8 + 16 + 8 + 8 + 256);
const _: () = assert!(MARKET_SIZE == 488);

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
    pub fn settlement_per_contract(&self) -> Result<i64> {
        self.settlement_price
            .get()
            .checked_mul(crate::math::I80F48::from_num(self.config.contract_size))
            .and_then(|v| v.checked_round())
            .and_then(|v| v.checked_to_num::<i64>())
            .ok_or_else(|| error!(crate::error::BallastError::MathOverflow))
    }
}
