use crate::error::{BallastError, IntoAnchor};
use crate::events::PnlSettled;
use crate::health_accounts::{OraclePolicy, PricedAssets};
use crate::math::{CheckedFixed, I80F48};
use crate::oracle::fault_error;
use crate::risk::{settleable_pnl, HealthType};
use crate::state::{
    find_derivative, set_derivative, Asset, DerivativePosition, Group, MarginAccount, Market, PositionSlots,
    TokenPosition,
};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct SettlePnl<'info> {
    pub group: AccountLoader<'info, Group>,
    #[account(mut, constraint = market.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub market: AccountLoader<'info, Market>,
    /// The market's quote asset: the PnL moves as its tokens.
    #[account(mut, constraint = quote_asset.key() == market.load()?.quote @ BallastError::WrongMarketAsset)]
    pub quote_asset: AccountLoader<'info, Asset>,
    /// The account with positive PnL in the market.
    #[account(mut, constraint = owed_account.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub owed_account: AccountLoader<'info, MarginAccount>,
    /// The account with negative PnL in the market.
    #[account(
        mut,
        constraint = owing_account.load()?.group == group.key() @ BallastError::WrongGroup,
        constraint = owing_account.key() != owed_account.key() @ BallastError::SameAccountBothSides
    )]
    pub owing_account: AccountLoader<'info, MarginAccount>,
}

/// Permissionless: moves up to `max_amount` quote-native units of PnL in the market from the
/// owing account to the owed one, as tokens of the quote asset (the owing account's deposit
/// shrinks or it borrows; the owed account's deposit grows), never more than either side's PnL,
/// so neither crosses zero (`risk::settleable_pnl`) and the vault is untouched: the quote asset
/// moves only between the two accounts. PnL is measured at the oracle spot per contract, or once
/// the market settled at the settlement price, at which both positions first close (their
/// contracts become cash and leave the open interest).
///
/// A third party picks the moment, so the owing account may not be pushed below maintenance by
/// it: settlement is refused when it takes Maint health from at or above zero to below
/// (`SettlementBreaksMaint`; turning a loss into a borrow costs the quote's liability haircut).
/// An account already below may be settled (its loss is then a debt the liquidation and
/// bankruptcy paths handle).
///
/// `remaining_accounts`: the owing account's health accounts, including the quote asset and the
/// market's underlying (`health_accounts`), priced as a liquidation prices them; the
/// underlying's oracle must pass those checks unless the market settled.
pub fn settle_pnl<'info>(ctx: Context<'info, SettlePnl<'info>>, max_amount: u64) -> Result<()> {
    require!(max_amount > 0, BallastError::ZeroAmount);
    let now = Clock::get()?.unix_timestamp;
    let group_key = ctx.accounts.group.key();
    let params = ctx.accounts.group.load()?.config.health_params();
    // On the heap: the market, the asset and the pricing together overflow SBF's 4 KiB frame.
    let mut market = Box::new(*ctx.accounts.market.load()?);
    let quote_key = ctx.accounts.quote_asset.key();
    let mut quote = Box::new(*ctx.accounts.quote_asset.load()?);
    quote.accrue_interest(now).anchor()?;

    let priced = load_priced(&group_key, params, ctx.remaining_accounts, now, &quote_key, &quote)?;
    // The mark per contract, and whether positions close at it first.
    let settled = market.is_settled(now);
    let mark = if settled {
        I80F48::from_num(market.settlement_per_contract()?)
    } else {
        let u = priced.get(market.underlying_index)?;
        if let Some(fault) = u.fault {
            msg!("oracle of underlying {} is unusable: {:?}", market.underlying_index, fault);
            return Err(error!(fault_error(fault)));
        }
        market.mark_per_contract(u.template.prices.spot, now)?
    };

    // Copies on the heap: two accounts on the stack would overflow SBF's 4 KiB frame.
    let holdings =
        |a: &AccountLoader<'info, MarginAccount>| -> Result<(Vec<TokenPosition>, Vec<DerivativePosition>)> {
            let a = a.load()?;
            Ok((a.positions.to_vec(), a.derivatives.to_vec()))
        };
    let (owed_tokens_before, owed_derivs_before) = holdings(&ctx.accounts.owed_account)?;
    let (owing_tokens_before, owing_derivs_before) = holdings(&ctx.accounts.owing_account)?;
    let position = |d: &[DerivativePosition]| -> Result<(i64, i64)> {
        let slot = find_derivative(d, market.market_index).ok_or(BallastError::NoDerivativePosition)?;
        Ok((d[slot].contracts, d[slot].quote))
    };
    let (owed_contracts, owed_quote) = position(&owed_derivs_before)?;
    let (owing_contracts, owing_quote) = position(&owing_derivs_before)?;
    let pnl = |contracts: i64, q: i64| -> Result<I80F48> {
        I80F48::from_num(contracts).mul_c(mark).anchor()?.add_c(I80F48::from_num(q)).anchor()
    };
    let owed_pnl = pnl(owed_contracts, owed_quote)?;
    let owing_pnl = pnl(owing_contracts, owing_quote)?;
    let settleable = settleable_pnl(owed_pnl, owing_pnl);
    require!(settleable > I80F48::ZERO, BallastError::PnlSignsDoNotMatch);
    // whole quote-native units, rounded down (so neither side crosses zero)
    let amount = crate::math::to_u64_floor(settleable).anchor()?.min(max_amount);
    require!(amount > 0, BallastError::NothingToSettle);
    let amount_i64 = i64::try_from(amount).map_err(|_| error!(BallastError::MathOverflow))?;

    // The new positions: closed at settlement first when settled, then the PnL moved.
    let close = |contracts: i64, q: i64| -> Result<(i64, i64)> {
        if !settled {
            return Ok((contracts, q));
        }
        let cash = i128::from(contracts)
            .checked_mul(i128::from(market.settlement_per_contract()?))
            .and_then(|c| c.checked_add(i128::from(q)))
            .and_then(|c| i64::try_from(c).ok())
            .ok_or(BallastError::MathOverflow)?;
        Ok((0, cash))
    };
    let (owed_c, owed_q) = close(owed_contracts, owed_quote)?;
    let (owing_c, owing_q) = close(owing_contracts, owing_quote)?;
    let owed_q = owed_q.checked_sub(amount_i64).ok_or(BallastError::MathOverflow)?;
    let owing_q = owing_q.checked_add(amount_i64).ok_or(BallastError::MathOverflow)?;
    let mut owed_derivs = owed_derivs_before.clone();
    let mut owing_derivs = owing_derivs_before.clone();
    set_derivative(&mut owed_derivs, market.market_index, market.underlying_index, owed_c, owed_q)?;
    set_derivative(&mut owing_derivs, market.market_index, market.underlying_index, owing_c, owing_q)?;
    if settled {
        let closed_longs = u64::try_from(owed_contracts.max(0))
            .ok()
            .and_then(|a| a.checked_add(u64::try_from(owing_contracts.max(0)).ok()?))
            .ok_or(BallastError::MathOverflow)?;
        market.open_interest = market.open_interest.saturating_sub(closed_longs);
    }

    // The tokens: the owing account's balance falls by `amount`, the owed account's rises.
    let mut lending = quote.lending_state();
    let amount_fixed = I80F48::from_num(amount);
    let mut owing_tokens = owing_tokens_before.clone();
    let s = owing_tokens.shares_of(quote.asset_index);
    let new_owing_shares = lending.change_native(s, I80F48::ZERO.sub_c(amount_fixed).anchor()?).anchor()?;
    owing_tokens.set_shares(quote.asset_index, new_owing_shares)?;
    let mut owed_tokens = owed_tokens_before;
    let s = owed_tokens.shares_of(quote.asset_index);
    let new_owed_shares = lending.change_native(s, amount_fixed).anchor()?;
    owed_tokens.set_shares(quote.asset_index, new_owed_shares)?;
    quote.set_lending_state(&lending);

    check_owing_maint(
        priced,
        quote.asset_index,
        lending,
        (&owing_tokens_before, &owing_derivs_before),
        (&owing_tokens, &owing_derivs),
    )?;

    // Effects.
    *ctx.accounts.quote_asset.load_mut()? = *quote;
    {
        let mut a = ctx.accounts.owed_account.load_mut()?;
        a.positions.copy_from_slice(&owed_tokens);
        a.derivatives.copy_from_slice(&owed_derivs);
    }
    {
        let mut a = ctx.accounts.owing_account.load_mut()?;
        a.positions.copy_from_slice(&owing_tokens);
        a.derivatives.copy_from_slice(&owing_derivs);
    }
    if settled {
        ctx.accounts.market.load_mut()?.open_interest = market.open_interest;
    }
    emit!(PnlSettled {
        group: group_key,
        market: ctx.accounts.market.key(),
        market_index: market.market_index,
        owed: ctx.accounts.owed_account.key(),
        owing: ctx.accounts.owing_account.key(),
        amount,
        mark: mark.floor().saturating_to_num::<i64>(),
        closed_at_settlement: settled,
    });
    Ok(())
}

#[inline(never)]
fn load_priced<'info>(
    group_key: &Pubkey,
    params: crate::risk::HealthParams,
    remaining: &'info [AccountInfo<'info>],
    now: i64,
    quote_key: &Pubkey,
    quote: &Asset,
) -> Result<Box<PricedAssets>> {
    Ok(Box::new(PricedAssets::load(
        group_key,
        params,
        remaining,
        OraclePolicy::Liquidation,
        now,
        Some((quote_key, quote)),
    )?))
}

/// The owing account's Maint health before and after: refused when settlement takes it from
/// at or above zero to below. The quote's risk factors stay as priced before (the pool's
/// totals move by the amount at most); its shares convert at the same indexes.
#[inline(never)]
fn check_owing_maint(
    mut priced: Box<PricedAssets>,
    quote_index: u16,
    lending: crate::risk::LendingState,
    before: (&[TokenPosition], &[DerivativePosition]),
    after: (&[TokenPosition], &[DerivativePosition]),
) -> Result<()> {
    let mut buf = priced.portfolio(before.0, before.1, None)?;
    let maint_before = priced.health_of(&buf, HealthType::Maint)?;
    priced.get_mut(quote_index)?.lending = lending;
    priced.portfolio_into(after.0, after.1, None, &mut buf)?;
    let maint_after = priced.health_of(&buf, HealthType::Maint)?;
    if maint_before >= I80F48::ZERO && maint_after < I80F48::ZERO {
        msg!("owing account's maint health {} -> {}", maint_before, maint_after);
        return err!(BallastError::SettlementBreaksMaint);
    }
    Ok(())
}
