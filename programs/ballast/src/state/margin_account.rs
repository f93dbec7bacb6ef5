use crate::math::{FixedBits, I80F48};
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
    pub fn is_active(&self) -> bool {
        self.in_use != 0
    }
    pub fn shares(&self) -> I80F48 {
        self.shares.get()
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
    /// Room for derivative positions and future fields without a migration.
    pub reserved: [u8; 504],
}

pub const MARGIN_ACCOUNT_SIZE: usize = 8 + core::mem::size_of::<MarginAccount>();
const _: () =
    assert!(core::mem::size_of::<MarginAccount>() == 32 * 3 + 16 + 8 + 32 * MAX_TOKEN_POSITIONS + 504);
const _: () = assert!(MARGIN_ACCOUNT_SIZE <= 2048);

impl MarginAccount {
    pub fn is_being_liquidated(&self) -> bool {
        self.being_liquidated != 0
    }

    /// Slot of the active position in `asset_index`, if any.
    pub fn find_position(&self, asset_index: u16) -> Option<usize> {
        self.positions.iter().position(|p| p.is_active() && p.asset_index == asset_index)
    }

    /// Slot of the position in `asset_index`, or the first free slot for it.
    pub fn find_or_free_slot(&self, asset_index: u16) -> Option<usize> {
        self.find_position(asset_index).or_else(|| self.positions.iter().position(|p| !p.is_active()))
    }

    pub fn active_positions(&self) -> impl Iterator<Item = &TokenPosition> {
        self.positions.iter().filter(|p| p.is_active())
    }

    pub fn active_count(&self) -> usize {
        self.active_positions().count()
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

/// Sets the shares of the position in `asset_index`, taking a free slot if the account has none
/// and freeing the slot when the shares reach zero.
pub fn set_position_shares(positions: &mut [TokenPosition], asset_index: u16, shares: I80F48) -> Result<()> {
    let slot = positions
        .iter()
        .position(|p| p.is_active() && p.asset_index == asset_index)
        .or_else(|| positions.iter().position(|p| !p.is_active()));
    let Some(slot) = slot else {
        if shares == I80F48::ZERO {
            return Ok(());
        }
        return err!(crate::error::BallastError::NoFreePositionSlot);
    };
    let p = &mut positions[slot];
    p.asset_index = asset_index;
    p.shares = shares.into();
    p.in_use = u8::from(shares != I80F48::ZERO);
    Ok(())
}
