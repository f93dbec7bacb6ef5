//! Accounts shared by deposit, withdraw, borrow and repay, and the token movements they make.

use crate::error::BallastError;
use crate::events::{BalanceChangeKind, TokenBalanceChanged};
use crate::math::I80F48;
use crate::state::{Asset, Group, MarginAccount, PositionSlots, ASSET_SEED};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{self, Mint, TokenAccount, TokenInterface, TransferChecked};

#[derive(Accounts)]
pub struct TokenMove<'info> {
    pub group: AccountLoader<'info, Group>,
    #[account(mut, constraint = account.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub account: AccountLoader<'info, MarginAccount>,
    #[account(mut, constraint = asset.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub asset: AccountLoader<'info, Asset>,
    #[account(mut, constraint = vault.key() == asset.load()?.vault @ BallastError::WrongVault)]
    pub vault: InterfaceAccount<'info, TokenAccount>,
    #[account(constraint = mint.key() == asset.load()?.mint @ BallastError::WrongMint)]
    pub mint: InterfaceAccount<'info, Mint>,
    /// The user's token account: the source for deposit and repay, the destination for
    /// withdraw and borrow.
    #[account(mut, constraint = user_token_account.mint == mint.key() @ BallastError::WrongMint)]
    pub user_token_account: InterfaceAccount<'info, TokenAccount>,
    #[account(constraint = token_program.key() == asset.load()?.token_program @ BallastError::WrongTokenProgram)]
    pub token_program: Interface<'info, TokenInterface>,
}

impl<'info> TokenMove<'info> {
    /// Tokens the vault can pay out: its balance less the insurance fund.
    pub fn available_liquidity(&self, asset: &Asset) -> Result<u64> {
        Ok(asset.available_liquidity(self.vault.amount).map_err(BallastError::from)?)
    }

    /// Writes the accrued asset and the position's new shares (freeing the slot at zero).
    pub fn store(&self, asset: &Asset, slot: usize, shares: I80F48) -> Result<()> {
        *self.asset.load_mut()? = *asset;
        self.account.load_mut()?.positions.write_slot(slot, asset.asset_index, shares);
        Ok(())
    }

    /// Ends the account's liquidation episode and says so in an event.
    pub fn end_liquidation(&self) -> Result<()> {
        if self.account.load_mut()?.end_liquidation() {
            emit!(crate::events::LiquidationEnded { group: self.group.key(), account: self.account.key() });
        }
        Ok(())
    }

    /// Deposit and repay: ends a liquidation episode that the change cures (LiquidationEnd health
    /// back at zero or above, judged from the optional health accounts in `remaining`).
    pub fn end_liquidation_if_cured(
        &self,
        asset: &Asset,
        new_shares: I80F48,
        remaining: &'info [AccountInfo<'info>],
        now: i64,
    ) -> Result<()> {
        if !self.account.load()?.is_being_liquidated() {
            return Ok(());
        }
        // Copies on the heap: on the stack they would overflow SBF's 4 KiB frame.
        let (positions, derivatives) = {
            let a = self.account.load()?;
            (a.positions.to_vec(), a.derivatives.to_vec())
        };
        let (params, dust_value) = {
            let group = self.group.load()?;
            (group.config.health_params(), I80F48::from_num(group.config.dust_value))
        };
        let cured = crate::health_accounts::cures_liquidation(
            &self.group.key(),
            params,
            dust_value,
            &positions,
            &derivatives,
            &self.asset.key(),
            asset,
            new_shares,
            remaining,
            now,
        );
        if cured {
            self.end_liquidation()?;
        }
        Ok(())
    }

    /// User's tokens into the vault, signed by the user.
    pub fn transfer_in(&self, authority: &Signer<'info>, amount: u64) -> Result<()> {
        let accounts = TransferChecked {
            from: self.user_token_account.to_account_info(),
            mint: self.mint.to_account_info(),
            to: self.vault.to_account_info(),
            authority: authority.to_account_info(),
        };
        token_interface::transfer_checked(
            CpiContext::new(self.token_program.key(), accounts),
            amount,
            self.mint.decimals,
        )
    }

    /// Vault tokens out to the user, signed by the Asset PDA that owns the vault.
    pub fn transfer_out(&self, asset: &Asset, amount: u64) -> Result<()> {
        let accounts = TransferChecked {
            from: self.vault.to_account_info(),
            mint: self.mint.to_account_info(),
            to: self.user_token_account.to_account_info(),
            authority: self.asset.to_account_info(),
        };
        let bump = [asset.bump];
        let seeds: &[&[u8]] = &[ASSET_SEED, asset.group.as_ref(), asset.mint.as_ref(), &bump];
        token_interface::transfer_checked(
            CpiContext::new_with_signer(self.token_program.key(), accounts, &[seeds]),
            amount,
            self.mint.decimals,
        )
    }

    pub fn emit_change(
        &self,
        asset: &Asset,
        kind: BalanceChangeKind,
        amount: u64,
        shares_after: I80F48,
        init_health_after: Option<I80F48>,
    ) {
        emit!(TokenBalanceChanged {
            group: self.group.key(),
            account: self.account.key(),
            asset: self.asset.key(),
            asset_index: asset.asset_index,
            kind,
            amount,
            shares_after: shares_after.to_bits(),
            deposit_index: asset.deposit_index.get().to_bits(),
            borrow_index: asset.borrow_index.get().to_bits(),
            init_health_after: init_health_after.map(|h| h.to_bits()),
        });
    }
}
