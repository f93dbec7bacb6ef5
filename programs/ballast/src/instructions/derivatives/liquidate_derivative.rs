use crate::error::{BallastError, IntoAnchor};
use crate::events::{DerivativeLiquidation, LiquidationEnded};
use crate::health_accounts::{OraclePolicy, Portfolio, PricedAssets};
use crate::math::{CheckedFixed, I80F48};
use crate::risk::{
    is_liquidatable, liquidation_bonus, open_interest_after, solvency_capped_bonus, HealthType,
    SOLVENCY_MARGIN,
};
use crate::state::{find_derivative, set_derivative, DerivativePosition, Group, MarginAccount, Market};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct LiquidateDerivative<'info> {
    pub group: AccountLoader<'info, Group>,
    #[account(mut, constraint = market.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub market: AccountLoader<'info, Market>,
    pub liquidator: Signer<'info>,
    #[account(
        mut,
        constraint = liquidator_account.load()?.group == group.key() @ BallastError::WrongGroup,
        constraint = liquidator_account.load()?.owner == liquidator.key() @ BallastError::NotOwner
    )]
    pub liquidator_account: AccountLoader<'info, MarginAccount>,
    #[account(
        mut,
        constraint = liquidatee_account.load()?.group == group.key() @ BallastError::WrongGroup,
        constraint = liquidatee_account.key() != liquidator_account.key() @ BallastError::SelfLiquidation
    )]
    pub liquidatee_account: AccountLoader<'info, MarginAccount>,
}

/// The per-contract price of a liquidation transfer: the mark less the bonus for a long the
/// liquidator buys, plus it for a short the liquidator takes over, rounded against the
/// liquidatee.
pub fn derivative_liquidation_price(mark: I80F48, bonus: I80F48, liquidatee_long: bool) -> Result<i64> {
    let price = if liquidatee_long {
        mark.mul_c(I80F48::ONE.sub_c(bonus).anchor()?).anchor()?.floor()
    } else {
        mark.mul_c(I80F48::ONE.add_c(bonus).anchor()?).anchor()?.ceil()
    };
    price.checked_to_num::<i64>().filter(|p| *p >= 0).ok_or_else(|| error!(BallastError::MathOverflow))
}

/// The result of `derivative_takeover`: the liquidatee's and the liquidator's slots after, and
/// each one's contracts before and after.
pub struct Takeover {
    pub liquidatee: Vec<DerivativePosition>,
    pub liquidator: Vec<DerivativePosition>,
    pub liquidatee_contracts: (i64, i64),
    pub liquidator_contracts: (i64, i64),
}

/// Both sides' derivative slots after the liquidator takes over `n` contracts of the
/// liquidatee's position in `market` at `price` per contract, and the liquidatee's contracts
/// before and after (for the open interest).
pub fn derivative_takeover(
    market: &Market,
    liquidatee: &[DerivativePosition],
    liquidator: &[DerivativePosition],
    n: u64,
    price: i64,
) -> Result<Takeover> {
    let position = |d: &[DerivativePosition]| {
        find_derivative(d, market.market_index).map(|i| (d[i].contracts, d[i].quote)).unwrap_or((0, 0))
    };
    let (c, q) = position(liquidatee);
    let (lc, lq) = position(liquidator);
    let n = i64::try_from(n).map_err(|_| error!(BallastError::MathOverflow))?;
    // a long is sold to the liquidator (the liquidatee's contracts fall), a short bought back
    let moved = if c > 0 { -n } else { n };
    let cash = i128::from(n)
        .checked_mul(i128::from(price))
        .and_then(|v| i64::try_from(v).ok())
        .ok_or(BallastError::MathOverflow)?;
    // the liquidatee receives the price for a long sold, pays it for a short bought back
    let liqee_cash = if c > 0 { cash } else { -cash };
    let step = |(c, q): (i64, i64), dc: i64, dq: i64| -> Result<(i64, i64)> {
        Ok((
            c.checked_add(dc).ok_or(BallastError::MathOverflow)?,
            q.checked_add(dq).ok_or(BallastError::MathOverflow)?,
        ))
    };
    let liqee_after = step((c, q), moved, liqee_cash)?;
    let liqor_after = step((lc, lq), -moved, -liqee_cash)?;
    let mut liqee = liquidatee.to_vec();
    let mut liqor = liquidator.to_vec();
    set_derivative(&mut liqee, market.market_index, market.underlying_index, liqee_after.0, liqee_after.1)?;
    set_derivative(&mut liqor, market.market_index, market.underlying_index, liqor_after.0, liqor_after.1)?;
    Ok(Takeover {
        liquidatee: liqee,
        liquidator: liqor,
        liquidatee_contracts: (c, liqee_after.0),
        liquidator_contracts: (lc, liqor_after.0),
    })
}

/// What a takeover of the liquidatee's position in `market` (`contracts`, signed; `before` its
/// whole portfolio) is priced at: the mark less (for a long) or plus (for a short) the bonus.
/// The bonus ramps with `elapsed` from the underlying's fee to its cap, and is capped by the
/// account's equity over the whole position's value at the mark
/// (`risk::solvency_capped_bonus`, less a quote-native unit per contract for the price's
/// rounding), so no takeover makes a solvent account insolvent. The program and the SDK's
/// sizing both price with it. Returns (bonus, price per contract). Not inlined: on SBF the
/// handler's frame would exceed the stack.
#[inline(never)]
pub fn derivative_liquidation_terms(
    priced: &PricedAssets,
    market: &Market,
    before: &Portfolio,
    contracts: i64,
    elapsed: i64,
    ramp_secs: u32,
) -> Result<(I80F48, i64)> {
    let u = priced.get(market.underlying_index)?;
    let mark = market.mark_per_contract(u.template.prices.spot, priced.now)?;
    let ramped = liquidation_bonus(u.liquidation_fee, u.max_liquidation_fee, elapsed, ramp_secs);
    let n = I80F48::from_num(contracts.unsigned_abs());
    let equity = priced.equity_of(before)?;
    // a solvent account keeps at least the margin after the price's rounding
    let equity = if equity > I80F48::ZERO { equity.sub_c(n).anchor()?.max(SOLVENCY_MARGIN) } else { equity };
    let value_taken = mark.mul_c(n).anchor()?;
    let bonus = solvency_capped_bonus(ramped, u.liquidation_fee, equity, value_taken).anchor()?;
    Ok((bonus, derivative_liquidation_price(mark, bonus, contracts > 0)?))
}

/// Permissionless: an account below maintenance (or in a live liquidation episode and below
/// LiquidationEnd) has up to `max_contracts` of its position in the market taken over by the
/// liquidator at the mark (the underlying's oracle spot per contract) less a discount that
/// ramps like the token liquidation bonus (`risk::liquidation_bonus` over the underlying's
/// liquidation fees). The least that brings the liquidatee's LiquidationEnd health to zero:
/// a size whose one contract less would already do is refused (`LiquidationExceedsTarget`;
/// the SDK's `min_derivative_liquidation` finds the size), unless the whole position goes.
/// The liquidatee's health must improve and the liquidator must pass Init afterwards. A market
/// whose settlement is final is closed by `settle_pnl` instead (`MarketSettled`). The discount
/// is the liquidator's alone (it arrives as PnL, not tokens, so no insurance share is taken).
///
/// `remaining_accounts`: the health accounts of both margin accounts together, read-only
/// (`health_accounts`), priced as a liquidation prices them.
pub fn liquidate_derivative<'info>(
    ctx: Context<'info, LiquidateDerivative<'info>>,
    max_contracts: u64,
) -> Result<()> {
    require!(max_contracts > 0, BallastError::ZeroAmount);
    let now = Clock::get()?.unix_timestamp;
    let group_key = ctx.accounts.group.key();
    let config = ctx.accounts.group.load()?.config;
    let market = *ctx.accounts.market.load()?;
    require!(!market.is_settled(now), BallastError::MarketSettled);
    let priced = Box::new(PricedAssets::load(
        &group_key,
        config.health_params(),
        ctx.remaining_accounts,
        OraclePolicy::Liquidation,
        now,
        None,
    )?);
    let (liqee_tokens, liqee_derivs, live, start_ts) = {
        let a = ctx.accounts.liquidatee_account.load()?;
        let live = a.liquidation_live(now, config.liquidation_bonus_ramp_secs);
        (a.positions.to_vec(), a.derivatives.to_vec(), live, a.liquidation_start_ts)
    };
    let (liqor_tokens, liqor_derivs) = {
        let a = ctx.accounts.liquidator_account.load()?;
        (a.positions.to_vec(), a.derivatives.to_vec())
    };
    let slot =
        find_derivative(&liqee_derivs, market.market_index).ok_or(BallastError::NoDerivativePosition)?;
    let contracts = liqee_derivs[slot].contracts;
    require!(contracts != 0, BallastError::NoDerivativePosition);

    let dust_value = I80F48::from_num(config.dust_value);
    let mut buf = Portfolio::default();
    priced.portfolio_into(&liqee_tokens, &liqee_derivs, None, &mut buf)?;
    priced.tolerate_only_dust_faults(&mut buf.tokens, dust_value)?;
    let maint_before = priced.health_of(&buf, HealthType::Maint)?;
    let le_before = priced.health_of(&buf, HealthType::LiquidationEnd)?;
    require!(is_liquidatable(maint_before, Some(le_before), live), BallastError::NotLiquidatable);
    let start_ts = if live { start_ts } else { now };

    let (bonus, price) = derivative_liquidation_terms(
        &priced,
        &market,
        &buf,
        contracts,
        now.saturating_sub(start_ts),
        config.liquidation_bonus_ramp_secs,
    )?;
    let n = max_contracts.min(contracts.unsigned_abs());
    let le_at = |n: u64, buf: &mut Portfolio| -> Result<I80F48> {
        let t = derivative_takeover(&market, &liqee_derivs, &liqor_derivs, n, price)?;
        priced.portfolio_into(&liqee_tokens, &t.liquidatee, None, buf)?;
        priced.tolerate_only_dust_faults(&mut buf.tokens, dust_value)?;
        priced.health_of(buf, HealthType::LiquidationEnd)
    };
    let le_after = le_at(n, &mut buf)?;
    require!(le_after > le_before, BallastError::HealthNotImproved);
    if n > 1 && le_after > I80F48::ZERO {
        require!(le_at(n - 1, &mut buf)? < I80F48::ZERO, BallastError::LiquidationExceedsTarget);
    }
    let Takeover {
        liquidatee: liqee_after,
        liquidator: liqor_after,
        liquidatee_contracts: liqee_c,
        liquidator_contracts: liqor_c,
    } = derivative_takeover(&market, &liqee_derivs, &liqor_derivs, n, price)?;
    priced.portfolio_into(&liqor_tokens, &liqor_after, None, &mut buf)?;
    let liqor_init = priced.health_of(&buf, HealthType::Init)?;
    require!(liqor_init >= I80F48::ZERO, BallastError::LiquidatorInsufficientHealth);
    let open_interest =
        open_interest_after(market.open_interest, (liqee_c.0, liqor_c.0), (liqee_c.1, liqor_c.1))
            .ok_or(BallastError::MathOverflow)?;

    // Effects.
    let ended = le_after >= I80F48::ZERO;
    {
        let mut liqee = ctx.accounts.liquidatee_account.load_mut()?;
        liqee.derivatives.copy_from_slice(&liqee_after);
        if ended {
            liqee.end_liquidation();
        } else {
            liqee.record_liquidation_step(start_ts, now);
        }
    }
    ctx.accounts.liquidator_account.load_mut()?.derivatives.copy_from_slice(&liqor_after);
    ctx.accounts.market.load_mut()?.open_interest = open_interest;
    emit!(DerivativeLiquidation {
        group: group_key,
        market: ctx.accounts.market.key(),
        market_index: market.market_index,
        liquidatee: ctx.accounts.liquidatee_account.key(),
        liquidator: ctx.accounts.liquidator_account.key(),
        contracts: n,
        price,
        bonus: bonus.to_bits(),
        maint_health_before: maint_before.to_bits(),
        liquidation_end_health_before: le_before.to_bits(),
        liquidation_end_health_after: le_after.to_bits(),
        liquidation_started_at: start_ts,
    });
    if ended {
        emit!(LiquidationEnded { group: group_key, account: ctx.accounts.liquidatee_account.key() });
    }
    Ok(())
}
