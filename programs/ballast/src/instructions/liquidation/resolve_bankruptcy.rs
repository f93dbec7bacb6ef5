use crate::error::{BallastError, IntoAnchor};
use crate::events::{BankruptcyResolved, LiquidationEnded};
use crate::health_accounts::{OraclePolicy, PricedAssets};
use crate::math::{CheckedFixed, I80F48};
use crate::risk::is_bankrupt;
use crate::state::{Asset, Group, MarginAccount, PositionSlots, TokenPosition};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct ResolveBankruptcy<'info> {
    pub group: AccountLoader<'info, Group>,
    #[account(mut, constraint = asset.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub asset: AccountLoader<'info, Asset>,
    #[account(mut, constraint = account.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub account: AccountLoader<'info, MarginAccount>,
}

/// Writes off the debt in one asset of a bankrupt account (`risk::is_bankrupt`: it owes more
/// than its collateral is worth, and that collateral is worth less than the group's dust value;
/// dust does not shield an account). The insurance fund of the asset pays first; whatever it
/// cannot cover is spread over the asset's depositors by lowering its deposit index (never below
/// `MIN_DEPOSIT_INDEX`; a loss larger than the depositors hold is recorded as the asset's
/// `bad_debt`). Permissionless.
///
/// `remaining_accounts`: none when the account holds no collateral at all (it is then bankrupt
/// whatever the prices). Otherwise the health accounts of all its positions (`[Asset...,
/// Oracle...]`, assets writable; the named asset among them is used as this instruction holds
/// it), priced as a liquidation prices them (an unusable oracle fails the instruction unless its
/// position is dust); the dust collateral is swept into each asset's insurance fund, and the
/// account's liquidation episode ends once no debt is left.
pub fn resolve_bankruptcy<'info>(ctx: Context<'info, ResolveBankruptcy<'info>>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let group_key = ctx.accounts.group.key();
    let group_config = ctx.accounts.group.load()?.config;
    let asset_key = ctx.accounts.asset.key();
    let mut asset = *ctx.accounts.asset.load()?;
    asset.accrue_interest(now).anchor()?;
    let mut positions = {
        let account = ctx.accounts.account.load()?;
        // Derivatives go first (liquidate_derivative, settle_pnl): their PnL is owed to or by
        // other accounts, which a write-off of token debt cannot settle.
        require!(account.active_derivatives().next().is_none(), BallastError::AccountHasDerivatives);
        account.positions
    };
    let shares = Some(positions.shares_of(asset.asset_index))
        .filter(|s| *s < I80F48::ZERO)
        .ok_or(BallastError::NotALiability)?;

    let remaining = ctx.remaining_accounts;
    let swept = sweep_dust(&group_key, &group_config, &asset_key, &asset, &mut positions, remaining, now)?;

    let mut lending = asset.lending_state();
    let write_off = lending.write_off_debt(shares).anchor()?;
    asset.set_lending_state(&lending);
    asset.bad_debt = asset.bad_debt.get().add_c(write_off.bad_debt).anchor()?.into();
    positions.set_shares(asset.asset_index, I80F48::ZERO)?;
    let no_debt_left = positions.active().next().is_none();

    // Effects: the swept collateral assets, then the named asset (written once, here).
    if let Some(priced) = swept {
        priced.store(remaining)?;
    }
    *ctx.accounts.asset.load_mut()? = asset;
    let ended = {
        let mut account = ctx.accounts.account.load_mut()?;
        account.positions = positions;
        no_debt_left && account.end_liquidation()
    };
    emit!(BankruptcyResolved {
        group: group_key,
        account: ctx.accounts.account.key(),
        asset_index: asset.asset_index,
        debt: write_off.debt.to_bits(),
        from_insurance: write_off.from_insurance.to_bits(),
        socialized: write_off.socialized.to_bits(),
        bad_debt: write_off.bad_debt.to_bits(),
        deposit_index_after: lending.deposit_index.to_bits(),
    });
    if ended {
        emit!(LiquidationEnded { group: group_key, account: ctx.accounts.account.key() });
    }
    Ok(())
}

/// When the account holds collateral: checks it is bankrupt, priced from `remaining` with the
/// liquidation oracle rules, and moves the collateral, in memory, into the insurance funds of
/// its assets; returns those assets for the caller to store once every check passed. Out of
/// line: its frame and the handler's together would exceed SBF's 4 KiB stack frame.
#[inline(never)]
fn sweep_dust<'info>(
    group_key: &Pubkey,
    group_config: &crate::state::GroupConfig,
    named_key: &Pubkey,
    named: &Asset,
    positions: &mut [TokenPosition],
    remaining: &'info [AccountInfo<'info>],
    now: i64,
) -> Result<Option<Box<PricedAssets>>> {
    if !positions.active().any(|p| p.shares() > I80F48::ZERO) {
        return Ok(None);
    }
    let mut priced = Box::new(PricedAssets::load(
        group_key,
        group_config.health_params(),
        remaining,
        OraclePolicy::Liquidation,
        now,
        Some((named_key, named)),
    )?);
    let dust_value = I80F48::from_num(group_config.dust_value);
    let mut inputs = priced.inputs(positions, None)?;
    priced.tolerate_only_dust_faults(&mut inputs, dust_value)?;
    require!(is_bankrupt(&inputs, dust_value).anchor()?, BallastError::NotBankrupt);
    let collateral: Vec<TokenPosition> =
        positions.active().filter(|p| p.shares() > I80F48::ZERO).copied().collect();
    for p in &collateral {
        let a = priced.get_mut(p.asset_index)?;
        a.lending.sweep_deposit_to_insurance(p.shares()).anchor()?;
        positions.set_shares(p.asset_index, I80F48::ZERO)?;
    }
    Ok(Some(priced))
}
