use crate::error::{BallastError, IntoAnchor};
use crate::events::{LiquidatedCollateral, Liquidation, LiquidationEnded};
use crate::health_accounts::{OraclePolicy, PricedAssets};
use crate::math::{from_bps, CheckedFixed, I80F48};
use crate::risk::{
    health, is_liquidatable, liquidation_bonus, plan_liquidation, CollateralTerms, HealthType,
    LiquidationError, LiquidationRequest,
};
use crate::state::{Group, MarginAccount, PositionSlots};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct Liquidate<'info> {
    pub group: AccountLoader<'info, Group>,
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

/// Takes over up to `max_liab_amount` native units of the liquidatee's debt in `liab_asset_index`
/// and pays the liquidator for it in the liquidatee's collateral, at oracle spot prices plus a
/// bonus, in the documented priority order (see `risk::liquidation`). Takes the least that brings
/// the liquidatee's LiquidationEnd health to zero. The bonus never makes a solvent account
/// insolvent: it is capped by the account's equity over the value taken over
/// (`risk::solvency_capped_bonus`), and an insolvent account pays each asset's starting fee. `remaining_accounts`: the health accounts of
/// both margin accounts (assets writable), see `health_accounts`.
///
/// `min_value_ratio_bps`: the least collateral value (at spot) per unit of liability value the
/// liquidator accepts, 10_000 = 1.0; every leg's `1 + bonus * (1 - insurance share)` (what
/// the liquidator receives) must reach it.
pub fn liquidate<'info>(
    ctx: Context<'info, Liquidate<'info>>,
    liab_asset_index: u16,
    max_liab_amount: u64,
    min_value_ratio_bps: u32,
) -> Result<()> {
    crate::cu_probe!("liquidate: entry (accounts deserialised)");
    require!(max_liab_amount > 0, BallastError::ZeroAmount);
    let group_key = ctx.accounts.group.key();
    let config = ctx.accounts.group.load()?.config;
    let now = Clock::get()?.unix_timestamp;
    let remaining = ctx.remaining_accounts;
    let mut priced = load_priced(&group_key, &config, remaining, now)?;
    crate::cu_probe!("liquidate: assets priced");

    let (mut liqee_positions, liqee_derivatives, live, start_ts) = {
        let a = ctx.accounts.liquidatee_account.load()?;
        let live = a.liquidation_live(now, config.liquidation_bonus_ramp_secs);
        (a.positions.to_vec(), a.derivatives.to_vec(), live, a.liquidation_start_ts)
    };
    let (mut liqor_positions, liqor_derivatives) = {
        let a = ctx.accounts.liquidator_account.load()?;
        (a.positions.to_vec(), a.derivatives.to_vec())
    };
    crate::cu_probe!("liquidate: positions copied");

    // Liquidatable: Maint health below zero, or in a live episode and below LiquidationEnd.
    // One inputs buffer serves the before, after and liquidator checks (the heap never frees).
    let mut inputs = priced.portfolio(&liqee_positions, &liqee_derivatives, None)?;
    crate::cu_probe!("liquidate: liquidatee inputs");
    // The liquidator chose every account and the moment: a price that fails the liquidation
    // checks on one of the liquidatee's positions (stale, too uncertain) stops the liquidation
    // instead of valuing that position at zero, unless the position is dust
    // (`tolerate_only_dust_faults`).
    let dust_value = I80F48::from_num(config.dust_value);
    priced.tolerate_only_dust_faults(&mut inputs.tokens, dust_value)?;
    crate::cu_probe!("liquidate: oracle faults");
    let before = &inputs;
    let maint_before = priced.health_of(before, HealthType::Maint)?;
    crate::cu_probe!("liquidate: maint health before");
    // The tokens' LiquidationEnd health and the derivatives' part apart: the plan moves tokens
    // and holds the derivatives' part fixed (a hedge's credit moves with its spot leg; the
    // result is checked in full).
    let tokens_le = level_health(&before.tokens, &priced.params, HealthType::LiquidationEnd)?;
    crate::cu_probe!("liquidate: liquidation-end health before (tokens)");
    let le_before = priced.health_from(before, HealthType::LiquidationEnd, tokens_le)?;
    let other_health = le_before.sub_c(tokens_le).anchor()?;
    crate::cu_probe!("liquidate: liquidation-end health before (derivatives)");
    require!(is_liquidatable(maint_before, Some(le_before), live), BallastError::NotLiquidatable);
    // A lapsed or new episode starts now (and its bonus ramp with it).
    let start_ts = if live { start_ts } else { now };

    // Each collateral's bonus at this point of the liquidation, and whether the liquidator can
    // receive it: collateral it does not hold yet needs one of its free position slots (and
    // taking over a debt it does not hold needs one too).
    let elapsed = now.saturating_sub(start_ts);
    let holds = |index: u16| liqor_positions.find(index).is_some();
    let free_slots = liqor_positions.iter().filter(|p| !p.is_active()).count();
    let max_new_collateral = free_slots.saturating_sub(usize::from(!holds(liab_asset_index)));
    let terms: Vec<CollateralTerms> = priced
        .assets
        .iter()
        .map(|p| CollateralTerms {
            asset_index: p.asset_index,
            bonus: liquidation_bonus(
                p.liquidation_fee,
                p.max_liquidation_fee,
                elapsed,
                config.liquidation_bonus_ramp_secs,
            ),
            insolvent_bonus: p.liquidation_fee,
            held_by_liquidator: holds(p.asset_index),
        })
        .collect();
    crate::cu_probe!("liquidate: bonus terms");
    // every leg's bonus is capped so a solvent account stays solvent
    let equity = priced.equity_of(before)?;
    crate::cu_probe!("liquidate: equity");
    let request = LiquidationRequest {
        liab_index: liab_asset_index,
        max_liab: I80F48::from_num(max_liab_amount),
        dust_value,
        max_new_collateral,
        other_health,
        token_health: tokens_le,
        equity,
    };
    let plan = plan_boxed(&before.tokens, &priced.params, &terms, &request).map_err(|e| match e {
        LiquidationError::NotALiability => error!(BallastError::NotALiability),
        LiquidationError::NoUsableCollateral => error!(BallastError::NoLiquidatableCollateral),
        LiquidationError::Risk(r) => error!(BallastError::from(r)),
    })?;
    crate::cu_probe!("liquidate: plan");
    // What the liquidator receives per unit of value taken over: 1 + its share of the bonus
    // (the insurance fund's share never reaches the liquidator).
    let min_ratio = from_bps(min_value_ratio_bps);
    let insurance_share = from_bps(config.insurance_share_bps);
    let liquidator_share = I80F48::ONE.sub_c(insurance_share).anchor()?;
    for leg in &plan.legs {
        let received = I80F48::ONE.add_c(leg.bonus.mul_c(liquidator_share).anchor()?).anchor()?;
        require!(received >= min_ratio, BallastError::BonusBelowMinimum);
    }

    // Move the liability: the liquidatee's debt shrinks, the liquidator's position takes it on.
    let liab = priced.get_mut(liab_asset_index)?;
    let liqee_shares = liqee_positions.shares_of(liab_asset_index);
    let new_liqee = liab.lending.change_native(liqee_shares, plan.liab_amount).anchor()?;
    liqee_positions.set_shares(liab_asset_index, new_liqee)?;
    let liqor_shares = liqor_positions.shares_of(liab_asset_index);
    let new_liqor =
        liab.lending.change_native(liqor_shares, I80F48::ZERO.sub_c(plan.liab_amount).anchor()?).anchor()?;
    liqor_positions.set_shares(liab_asset_index, new_liqor)?;
    crate::cu_probe!("liquidate: liability moved");

    // Move the collateral, less the insurance fund's share of the bonus.
    let mut seized = Vec::with_capacity(plan.legs.len());
    for leg in &plan.legs {
        let asset = priced.get_mut(leg.asset_index)?;
        let bonus_part =
            leg.amount.mul_c(leg.bonus).anchor()?.div_c(I80F48::ONE.add_c(leg.bonus).anchor()?).anchor()?;
        let to_insurance = bonus_part.mul_c(insurance_share).anchor()?;
        let to_liquidator = leg.amount.sub_c(to_insurance).anchor()?;
        let s = liqee_positions.shares_of(leg.asset_index);
        let new_s = asset.lending.change_native(s, I80F48::ZERO.sub_c(leg.amount).anchor()?).anchor()?;
        liqee_positions.set_shares(leg.asset_index, new_s)?;
        let s = liqor_positions.shares_of(leg.asset_index);
        let new_s = asset.lending.change_native(s, to_liquidator).anchor()?;
        liqor_positions.set_shares(leg.asset_index, new_s)?;
        asset.lending.insurance_fund = asset.lending.insurance_fund.add_c(to_insurance).anchor()?;
        seized.push(LiquidatedCollateral {
            asset_index: leg.asset_index,
            amount: leg.amount.to_bits(),
            to_insurance: to_insurance.to_bits(),
            bonus: leg.bonus.to_bits(),
        });
    }
    crate::cu_probe!("liquidate: collateral moved");

    // Checks on the result: the liquidatee is better off, the liquidator stays healthy.
    priced.portfolio_into(&liqee_positions, &liqee_derivatives, None, &mut inputs)?;
    priced.tolerate_only_dust_faults(&mut inputs.tokens, dust_value)?;
    let le_after = priced.health_of(&inputs, HealthType::LiquidationEnd)?;
    require!(le_after > le_before, BallastError::HealthNotImproved);
    crate::cu_probe!("liquidate: liquidatee after");
    priced.portfolio_into(&liqor_positions, &liqor_derivatives, None, &mut inputs)?;
    let liqor_init = priced.health_of(&inputs, HealthType::Init)?;
    require!(liqor_init >= I80F48::ZERO, BallastError::LiquidatorInsufficientHealth);
    crate::cu_probe!("liquidate: liquidator after");

    // Effects.
    priced.store(remaining)?;
    crate::cu_probe!("liquidate: assets stored");
    let ended = le_after >= I80F48::ZERO;
    {
        let mut liqee = ctx.accounts.liquidatee_account.load_mut()?;
        liqee.positions.copy_from_slice(&liqee_positions);
        if ended {
            liqee.end_liquidation();
        } else {
            liqee.record_liquidation_step(start_ts, now);
        }
    }
    ctx.accounts.liquidator_account.load_mut()?.positions.copy_from_slice(&liqor_positions);
    crate::cu_probe!("liquidate: accounts written");

    emit!(Liquidation {
        group: group_key,
        liquidatee: ctx.accounts.liquidatee_account.key(),
        liquidator: ctx.accounts.liquidator_account.key(),
        liab_asset_index,
        liab_amount: plan.liab_amount.to_bits(),
        collateral: seized,
        maint_health_before: maint_before.to_bits(),
        liquidation_end_health_before: le_before.to_bits(),
        liquidation_end_health_after: le_after.to_bits(),
        liquidation_started_at: start_ts,
    });
    if ended {
        emit!(LiquidationEnded { group: group_key, account: ctx.accounts.liquidatee_account.key() });
    }
    crate::cu_probe!("liquidate: events");
    // The heap high-water mark, for the benchmark that keeps full accounts within the 32 KiB heap
    // (on SBF only: a native build has no bump heap to measure).
    #[cfg(target_os = "solana")]
    msg!("heap used: {}", crate::heap::heap_used());
    Ok(())
}

#[inline(never)]
fn load_priced<'info>(
    group_key: &Pubkey,
    config: &crate::state::GroupConfig,
    remaining: &'info [AccountInfo<'info>],
    now: i64,
) -> Result<Box<PricedAssets>> {
    Ok(Box::new(PricedAssets::load(
        group_key,
        config.health_params(),
        remaining,
        OraclePolicy::Liquidation,
        now,
        None,
    )?))
}

#[inline(never)]
fn level_health(
    inputs: &[crate::risk::PositionInput],
    params: &crate::risk::HealthParams,
    level: HealthType,
) -> Result<I80F48> {
    health(inputs, params, level).anchor()
}

#[inline(never)]
fn plan_boxed(
    before: &[crate::risk::PositionInput],
    params: &crate::risk::HealthParams,
    terms: &[CollateralTerms],
    request: &LiquidationRequest,
) -> core::result::Result<crate::risk::LiquidationPlan, LiquidationError> {
    plan_liquidation(before, params, terms, request)
}
