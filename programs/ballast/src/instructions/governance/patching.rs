//! What the patch instructions share: who the signer is, whether its entries may apply at once,
//! and committing a validated patch to an asset, a market or the group (used by `apply_*_patch` directly
//! and by `execute_proposal` after the timelock).

use crate::error::{BallastError, IntoAnchor};
use crate::events::{AssetPatched, GroupPatched, MarketPatched};
use crate::math::{from_bps, I80F48};
use crate::oracle::pyth_pull::pin_default_account;
use crate::oracle::read_oracle;
use crate::patch::{apply, GroupSettings, JudgedEntry, PatchTarget};
use crate::risk::governance::{
    classify_maint_weight, may_apply_now, value_to_u64, AssetField, Change, GroupField, MarketField,
    PatchRefusal, Role,
};
use crate::risk::AssetWeights;
use crate::state::{Asset, AssetConfig, Group, Market, MarketConfig, PatchEntry};
use crate::validation::{validate_asset_config, validate_group_config, validate_market_params};
use anchor_lang::prelude::*;

/// The signer's role in `group`: the admin, else the guardian, else refused.
pub fn role_of(group: &Group, signer: &Pubkey) -> Result<Role> {
    if *signer == group.admin {
        Ok(Role::Admin)
    } else if *signer == group.risk_guardian && group.risk_guardian != Pubkey::default() {
        Ok(Role::Guardian)
    } else {
        err!(BallastError::NotAdminOrGuardian)
    }
}

/// Refuses the first entry `role` may not apply at once, naming its field.
pub fn require_may_apply<F: Copy + Into<u16>>(
    role: Role,
    judged: &[JudgedEntry<F>],
    guardian_may_tighten: impl Fn(F) -> bool,
    label: impl Fn(F) -> &'static str,
    timelock_delay_secs: u32,
) -> Result<()> {
    for j in judged {
        if let Err(refusal) =
            may_apply_now(role, j.change, guardian_may_tighten(j.field), timelock_delay_secs)
        {
            msg!("field {} cannot change at once", label(j.field));
            return Err(match (refusal, role) {
                (PatchRefusal::AdminOnly, _) => error!(BallastError::GuardianCannotFreeze),
                (PatchRefusal::NeedsTimelock, Role::Guardian) => error!(BallastError::GuardianCannotLoosen),
                (PatchRefusal::NeedsTimelock, Role::Admin) => error!(BallastError::LooseningNeedsProposal),
            });
        }
    }
    Ok(())
}

/// `patch::apply` on an asset's config at `now`, with an unset pull-oracle account pinned to the
/// feed's sponsored account (as at listing); maintenance weights judged against the weights in
/// force (`governance::classify_maint_weight`: stopping a glide where it stands is a tightening);
/// the result validated, and its liquidation fee checked against the loosest maintenance asset
/// weight that will be in force while a glide runs (the weight now, if above the new target).
pub fn patched_asset_config(
    asset: &Asset,
    entries: &[PatchEntry],
    now: i64,
) -> Result<(AssetConfig, Vec<JudgedEntry<AssetField>>)> {
    let current = &asset.config;
    let in_force = asset.weights_at(now).anchor()?;
    let (mut next, mut judged) = apply(current, entries)?;
    pin_default_account(&mut next);
    for j in judged.iter_mut() {
        j.new = next.get(j.field);
        j.change = judge_asset_change(j.field, &j.old, &j.new, &in_force);
    }
    require!(judged.iter().any(|j| j.change != Change::Unchanged), BallastError::PatchChangesNothing);
    validate_asset_config(&next)?;
    let loosest_maint = in_force.maint_asset.max(from_bps(next.maint_asset_weight_bps));
    require!(
        next.max_liquidation_fee_bps == 0
            || from_bps(next.max_liquidation_fee_bps) < I80F48::ONE - loosest_maint,
        BallastError::InvalidLiquidationFee
    );
    Ok((next, judged))
}

/// What changing `field` from `old` to `new` does, given the weights in force: the field's
/// direction, except that maintenance weights are judged against the weight in force
/// (`governance::classify_maint_weight`). The program's judgement, for clients too.
pub fn judge_asset_change(
    field: AssetField,
    old: &[u8; 32],
    new: &[u8; 32],
    in_force: &AssetWeights,
) -> Change {
    let bps = |v: &[u8; 32]| value_to_u64(v, u64::MAX).unwrap_or(u64::MAX);
    match field {
        AssetField::MaintAssetWeightBps => {
            classify_maint_weight(true, bps(old), bps(new), in_force.maint_asset)
        }
        AssetField::MaintLiabWeightBps => {
            classify_maint_weight(false, bps(old), bps(new), in_force.maint_liab)
        }
        _ => AssetConfig::classify(field, old, new),
    }
}

/// `patch::apply` on a group's settings, validated.
pub fn patched_group_settings(
    group: &Group,
    entries: &[PatchEntry],
) -> Result<(GroupSettings, Vec<JudgedEntry<GroupField>>)> {
    let current = GroupSettings { config: group.config, risk_guardian: group.risk_guardian };
    let (next, judged) = apply(&current, entries)?;
    validate_group_config(&next.config)?;
    Ok((next, judged))
}

/// Writes a validated asset config at `now`: the oracle account must match it (a structurally
/// wrong one is refused), interest is accrued under the old curve first, a new oracle account
/// restarts the replay guard and the volatility samples, and tightened maintenance weights glide
/// over the asset's window, or `min_glide_secs` if longer (the guardian's floor).
#[allow(clippy::too_many_arguments)]
pub fn commit_asset_config(
    asset: &mut Asset,
    asset_key: Pubkey,
    oracle: &AccountInfo,
    config: &AssetConfig,
    judged: &[JudgedEntry<AssetField>],
    by: Pubkey,
    proposal: Option<Pubkey>,
    now: i64,
    min_glide_secs: u32,
) -> Result<()> {
    let reading = read_oracle(config, oracle)?;
    asset.accrue_interest(now).anchor()?;
    if config.oracle != asset.config.oracle {
        // Another account is another price series: its first reading is a new start, for the
        // replay guard and for the volatility samples (no return across the two feeds).
        asset.oracle_last_publish_ts = reading.publish_time;
        asset.vol_last_price = I80F48::ZERO.into();
        asset.vol_last_publish_ts = 0;
    }
    asset.change_config(config, now, min_glide_secs).anchor()?;
    let glide_ends_at = [asset.maint_asset_weight_glide, asset.maint_liab_weight_glide]
        .iter()
        .filter(|g| g.secs > 0 && g.start_ts == now)
        .map(|g| g.start_ts.saturating_add(i64::from(g.secs)))
        .max()
        .unwrap_or(0);
    emit!(AssetPatched {
        group: asset.group,
        asset: asset_key,
        asset_index: asset.asset_index,
        by,
        proposal,
        changes: judged.iter().filter(|j| j.change != Change::Unchanged).map(|j| j.event()).collect(),
        glide_ends_at,
    });
    Ok(())
}

/// Writes validated group settings.
pub fn commit_group_settings(
    group: &mut Group,
    group_key: Pubkey,
    settings: &GroupSettings,
    judged: &[JudgedEntry<GroupField>],
    by: Pubkey,
    proposal: Option<Pubkey>,
) {
    group.config = settings.config;
    group.risk_guardian = settings.risk_guardian;
    emit!(GroupPatched {
        group: group_key,
        by,
        proposal,
        changes: judged.iter().filter(|j| j.change != Change::Unchanged).map(|j| j.event()).collect(),
    });
}

/// `patch::apply` on a market's config, validated (the series' terms are not fields, so its
/// expiry is as listed).
pub fn patched_market_config(
    market: &Market,
    entries: &[PatchEntry],
) -> Result<(MarketConfig, Vec<JudgedEntry<MarketField>>)> {
    let (next, judged) = apply(&market.config, entries)?;
    validate_market_params(&next)?;
    Ok((next, judged))
}

/// Writes a validated market config. Scan and PnL parameters apply to the next health check:
/// what moves Maint reaches here only through the timelock.
pub fn commit_market_config(
    market: &mut Market,
    market_key: Pubkey,
    config: &MarketConfig,
    judged: &[JudgedEntry<MarketField>],
    by: Pubkey,
    proposal: Option<Pubkey>,
) {
    market.config = *config;
    emit!(MarketPatched {
        group: market.group,
        market: market_key,
        market_index: market.market_index,
        by,
        proposal,
        changes: judged.iter().filter(|j| j.change != Change::Unchanged).map(|j| j.event()).collect(),
    });
}
