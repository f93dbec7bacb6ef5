use crate::math::{FixedBits, I80F48};
pub use crate::risk::PositionKey;
use anchor_lang::prelude::*;

/// Token positions per margin account. 16 matches marginfi and keeps the account under 1 KiB.
pub const MAX_TOKEN_POSITIONS: usize = 16;

pub const ACCOUNT_SEED: &[u8] = b"account";

/// One token balance, in shares of the asset's deposit or borrow index: positive shares are a
/// deposit (`native = shares * deposit_index`), negative a borrow (`native = -shares * borrow_index`).
#[zero_copy]
#[derive(Debug, Default)]
pub struct TokenPosition {
    pub shares: FixedBits,
    pub asset_index: u16,
    /// 1 while the slot holds a position.
    pub in_use: u8,
    pub padding: [u8; 5],
    pub reserved: [u8; 8],
}

const _: () = assert!(core::mem::size_of::<TokenPosition>() == 32);

impl TokenPosition {
    pub fn key(&self) -> PositionKey {
        PositionKey::Token { asset_index: self.asset_index }
    }

    pub fn is_active(&self) -> bool {
        self.in_use != 0
    }
    pub fn shares(&self) -> I80F48 {
        self.shares.get()
    }
}

/// Derivative positions per margin account (futures now, options with issue 13).
pub const MAX_DERIVATIVE_POSITIONS: usize = 16;

/// One derivative position in a market: `contracts` (signed: long positive) against `quote`,
/// the quote-native cash it has received less what it paid, less PnL already settled (Mango's
/// perp position). Its unrealised PnL at a price `m` per contract is `contracts * m + quote`.
/// Integers, so a trade moves exactly what one side gains to the other.
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DerivativePosition {
    pub contracts: i64,
    pub quote: i64,
    pub market_index: u16,
    /// The market's underlying asset (kept here so the health accounts can be named without
    /// loading the market).
    pub underlying_index: u16,
    /// 1 while the slot holds a position.
    pub in_use: u8,
    pub padding: [u8; 3],
    pub reserved: [u8; 8],
}

const _: () = assert!(core::mem::size_of::<DerivativePosition>() == 32);

impl DerivativePosition {
    pub fn is_active(&self) -> bool {
        self.in_use != 0
    }
}

/// A trader's margin account: one basket of token positions valued together.
#[account(zero_copy)]
#[derive(Debug)]
pub struct MarginAccount {
    pub group: Pubkey,
    pub owner: Pubkey,
    /// May deposit and repay on the owner's behalf; `Pubkey::default()` when unset.
    pub delegate: Pubkey,
    pub account_num: u32,
    pub bump: u8,
    /// 1 while a liquidation is in progress: the account may not take on risk.
    pub being_liquidated: u8,
    pub padding: [u8; 2],
    /// When the current liquidation began (for the bonus that grows with time).
    pub liquidation_start_ts: i64,
    /// When the current liquidation's latest step ran: an episode idle for longer than
    /// `risk::episode_idle_limit` has lapsed (see `risk::episode_live`).
    pub last_liquidation_ts: i64,
    pub positions: [TokenPosition; MAX_TOKEN_POSITIONS],
    pub derivatives: [DerivativePosition; MAX_DERIVATIVE_POSITIONS],
    /// Room for future fields without a migration.
    pub reserved: [u8; 256],
}

pub const MARGIN_ACCOUNT_SIZE: usize = 8 + core::mem::size_of::<MarginAccount>();
const _: () = assert!(
    core::mem::size_of::<MarginAccount>()
        == 32 * 3 + 16 + 8 + 32 * MAX_TOKEN_POSITIONS + 32 * MAX_DERIVATIVE_POSITIONS + 256
);
const _: () = assert!(MARGIN_ACCOUNT_SIZE <= 2048);

impl MarginAccount {
    pub fn is_being_liquidated(&self) -> bool {
        self.being_liquidated != 0
    }

    /// Slot of the active position in `asset_index`, if any.
    pub fn find_position(&self, asset_index: u16) -> Option<usize> {
        self.positions.find(asset_index)
    }

    /// Slot of the position in `asset_index`, or the first free slot for it.
    pub fn find_or_free_slot(&self, asset_index: u16) -> Option<usize> {
        self.positions.find_or_free(asset_index)
    }

    pub fn active_positions(&self) -> impl Iterator<Item = &TokenPosition> {
        self.positions.active()
    }

    pub fn active_count(&self) -> usize {
        self.active_positions().count()
    }

    pub fn active_derivatives(&self) -> impl Iterator<Item = &DerivativePosition> {
        self.derivatives.iter().filter(|d| d.is_active())
    }

    /// Slot of the position in `market_index`, if any.
    pub fn find_derivative(&self, market_index: u16) -> Option<usize> {
        find_derivative(&self.derivatives, market_index)
    }

    /// Whether the account is in a liquidation episode that has not lapsed at `now`
    /// (`risk::episode_live`).
    pub fn liquidation_live(&self, now: i64, ramp_secs: u32) -> bool {
        crate::risk::episode_live(self.is_being_liquidated(), self.last_liquidation_ts, now, ramp_secs)
    }

    /// Records a liquidation step at `now` of the episode that began at `start_ts`.
    pub fn record_liquidation_step(&mut self, start_ts: i64, now: i64) {
        self.being_liquidated = 1;
        self.liquidation_start_ts = start_ts;
        self.last_liquidation_ts = now;
    }

    /// Ends the current liquidation episode (the next one starts its bonus ramp afresh).
    /// Returns whether one was in progress, so the caller emits `LiquidationEnded` once.
    pub fn end_liquidation(&mut self) -> bool {
        let was = self.is_being_liquidated();
        self.being_liquidated = 0;
        self.liquidation_start_ts = 0;
        self.last_liquidation_ts = 0;
        was
    }
}

/// The one slot search over an account's token slots (the account's array or a copy of it that
/// an instruction changes before writing back). A slot is free when not in use; an active slot
/// is found by asset index (an account holds at most one position per asset).
pub trait PositionSlots {
    fn slots(&self) -> &[TokenPosition];
    fn slots_mut(&mut self) -> &mut [TokenPosition];

    /// Slot of the active position with `key`, if any.
    fn find_key(&self, key: PositionKey) -> Option<usize> {
        self.slots().iter().position(|p| p.is_active() && p.key() == key)
    }

    /// Slot of the active token position in `asset_index`, if any.
    fn find(&self, asset_index: u16) -> Option<usize> {
        self.find_key(PositionKey::Token { asset_index })
    }

    /// Slot of the position in `asset_index`, or the first free slot for it.
    fn find_or_free(&self, asset_index: u16) -> Option<usize> {
        self.find(asset_index).or_else(|| self.slots().iter().position(|p| !p.is_active()))
    }

    fn active(&self) -> impl Iterator<Item = &TokenPosition> {
        self.slots().iter().filter(|p| p.is_active())
    }

    /// Shares held in `asset_index` (zero without a position).
    fn shares_of(&self, asset_index: u16) -> I80F48 {
        self.find(asset_index).map(|i| self.slots()[i].shares()).unwrap_or(I80F48::ZERO)
    }

    /// Writes `shares` into `slot` for `asset_index`, freeing the slot at zero.
    fn write_slot(&mut self, slot: usize, asset_index: u16, shares: I80F48) {
        let p = &mut self.slots_mut()[slot];
        p.asset_index = asset_index;
        p.shares = shares.into();
        p.in_use = u8::from(shares != I80F48::ZERO);
    }

    /// Sets the shares of the position in `asset_index`, taking a free slot if the account has
    /// none and freeing the slot when the shares reach zero.
    fn set_shares(&mut self, asset_index: u16, shares: I80F48) -> Result<()> {
        let Some(slot) = self.find_or_free(asset_index) else {
            if shares == I80F48::ZERO {
                return Ok(());
            }
            return err!(crate::error::BallastError::NoFreePositionSlot);
        };
        self.write_slot(slot, asset_index, shares);
        Ok(())
    }
}

impl PositionSlots for [TokenPosition] {
    fn slots(&self) -> &[TokenPosition] {
        self
    }
    fn slots_mut(&mut self) -> &mut [TokenPosition] {
        self
    }
}

impl PositionSlots for [TokenPosition; MAX_TOKEN_POSITIONS] {
    fn slots(&self) -> &[TokenPosition] {
        self
    }
    fn slots_mut(&mut self) -> &mut [TokenPosition] {
        self
    }
}

impl PositionSlots for Vec<TokenPosition> {
    fn slots(&self) -> &[TokenPosition] {
        self
    }
    fn slots_mut(&mut self) -> &mut [TokenPosition] {
        self
    }
}

/// Slot of the active derivative position in `market_index`, if any.
pub fn find_derivative(slots: &[DerivativePosition], market_index: u16) -> Option<usize> {
    slots.iter().position(|d| d.is_active() && d.market_index == market_index)
}

/// Writes a derivative position into `slots`: into its slot, else the first free one; the slot
/// frees when both contracts and quote reach zero (a flat position with unsettled PnL stays).
pub fn set_derivative(
    slots: &mut [DerivativePosition],
    market_index: u16,
    underlying_index: u16,
    contracts: i64,
    quote: i64,
) -> Result<()> {
    let slot = match find_derivative(slots, market_index) {
        Some(slot) => slot,
        None if contracts == 0 && quote == 0 => return Ok(()),
        None => slots
            .iter()
            .position(|d| !d.is_active())
            .ok_or(crate::error::BallastError::NoFreeDerivativeSlot)?,
    };
    let d = &mut slots[slot];
    d.market_index = market_index;
    d.underlying_index = underlying_index;
    d.contracts = contracts;
    d.quote = quote;
    d.in_use = u8::from(contracts != 0 || quote != 0);
    Ok(())
}
