use crate::error::{BallastError, IntoAnchor};
use crate::events::{BankruptcyResolved, LiquidationEnded};
use crate::math::{div_ceil, CheckedFixed, I80F48};
use crate::state::{set_position_shares, Asset, Group, MarginAccount};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct ResolveBankruptcy<'info> {
    pub group: AccountLoader<'info, Group>,
    #[account(mut, constraint = asset.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub asset: AccountLoader<'info, Asset>,
    #[account(mut, constraint = account.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub account: AccountLoader<'info, MarginAccount>,
}

/// Writes off the debt of an account that has no collateral left, in one asset: the asset's
/// insurance fund pays first, and whatever it cannot cover is spread over the asset's depositors
/// by lowering its deposit index. Permissionless; needs no oracle (there is nothing left to value).
pub fn resolve_bankruptcy(ctx: Context<ResolveBankruptcy>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let mut asset = *ctx.accounts.asset.load()?;
    let mut positions = {
        let account = ctx.accounts.account.load()?;
        require!(account.active_positions().all(|p| p.shares() <= I80F48::ZERO), BallastError::NotBankrupt);
        account.positions
    };
    let shares = positions
        .iter()
        .find(|p| p.is_active() && p.asset_index == asset.asset_index)
        .map(|p| p.shares())
        .filter(|s| *s < I80F48::ZERO)
        .ok_or(BallastError::NotALiability)?;

    asset.accrue_interest(now).anchor()?;
    let mut lending = asset.lending_state();
    let debt = I80F48::ZERO.sub_c(lending.native_balance(shares).anchor()?).anchor()?;
    let from_insurance = debt.min(lending.insurance_fund);
    let socialized = debt.sub_c(from_insurance).anchor()?;
    lending.insurance_fund = lending.insurance_fund.sub_c(from_insurance).anchor()?;
    lending.borrow_shares = lending.borrow_shares.add_c(shares).anchor()?.max(I80F48::ZERO);
    if socialized > I80F48::ZERO && lending.deposit_shares > I80F48::ZERO {
        // The index falls by at least the loss per share, so depositors' claims never exceed
        // what the vault holds.
        let per_share = div_ceil(socialized, lending.deposit_shares).anchor()?;
        lending.deposit_index = lending.deposit_index.sub_c(per_share).anchor()?.max(I80F48::ZERO);
    }
    asset.set_lending_state(&lending);
    set_position_shares(&mut positions, asset.asset_index, I80F48::ZERO)?;
    let no_debt_left = positions.iter().all(|p| !p.is_active());

    *ctx.accounts.asset.load_mut()? = asset;
    {
        let mut account = ctx.accounts.account.load_mut()?;
        account.positions = positions;
        if no_debt_left {
            account.being_liquidated = 0;
            account.liquidation_start_ts = 0;
        }
    }
    emit!(BankruptcyResolved {
        group: ctx.accounts.group.key(),
        account: ctx.accounts.account.key(),
        asset_index: asset.asset_index,
        debt: debt.to_bits(),
        from_insurance: from_insurance.to_bits(),
        socialized: socialized.to_bits(),
        deposit_index_after: lending.deposit_index.to_bits(),
    });
    if no_debt_left {
        emit!(LiquidationEnded { group: ctx.accounts.group.key(), account: ctx.accounts.account.key() });
    }
    Ok(())
}
