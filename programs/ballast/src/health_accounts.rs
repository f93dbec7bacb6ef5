//! Health checks inside instructions: gathers the account's positions, their assets and oracles
//! from `remaining_accounts`, and runs the risk engine.
//!
//! Documented order of `remaining_accounts` for every instruction that checks health:
//!
//!   [Asset_0, ..., Asset_{n-1}, Oracle_0, ..., Oracle_{n-1}]
//!
//! n Asset accounts, then the oracle of each in the same order. They must cover every token
//! position the account holds after the instruction (including the asset the instruction
//! touches); matching is by asset index, so order among the assets is free and extra assets are
//! ignored. The SDK builds this list in position-slot order.

use crate::error::{BallastError, IntoAnchor};
use crate::math::I80F48;
use crate::oracle::read_oracle;
use crate::risk::{assess_oracle, HealthType, OracleLimits, PositionInput};
use crate::state::{Asset, AssetConfig, MarginAccount};
use anchor_lang::prelude::*;

/// Which oracle checks the current action requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OraclePolicy {
    /// Withdraw, borrow: every oracle fresh and tight.
    RiskIncreasing,
}

impl OraclePolicy {
    fn limits(&self, config: &AssetConfig) -> OracleLimits {
        match self {
            OraclePolicy::RiskIncreasing => config.risk_increasing_limits(),
        }
    }
}

/// The asset the instruction is changing, already accrued in memory, and the position's new shares.
pub struct PendingChange<'a> {
    pub asset_key: Pubkey,
    pub asset: &'a Asset,
    pub new_shares: I80F48,
}

/// Risk inputs for one provided asset, with interest accrued to `now` in memory so the health
/// matches what the indexes would be if every asset had just been touched.
struct PricedAsset {
    asset_index: u16,
    template: PositionInput,
    asset: Asset,
}

fn priced_asset(asset: &Asset, oracle: &AccountInfo, policy: OraclePolicy, now: i64) -> Result<PricedAsset> {
    let reading = read_oracle(&asset.config, oracle)?;
    let (prices, fault) =
        assess_oracle(&reading, &policy.limits(&asset.config), now, asset.decimals).anchor()?;
    let mut accrued = *asset;
    accrued.accrue_interest(now).anchor()?;
    Ok(PricedAsset {
        asset_index: asset.asset_index,
        template: PositionInput {
            asset_index: asset.asset_index,
            balance: I80F48::ZERO,
            weights: asset.weights(),
            conf_multiplier: asset.conf_multiplier.get(),
            prices,
            oracle_usable: fault.is_none(),
        },
        asset: accrued,
    })
}

/// Builds the engine's inputs for `account` after `change`.
pub fn health_inputs<'info>(
    group: &Pubkey,
    account: &MarginAccount,
    change: &PendingChange,
    remaining: &'info [AccountInfo<'info>],
    policy: OraclePolicy,
    now: i64,
) -> Result<Vec<PositionInput>> {
    require!(remaining.len().is_multiple_of(2), BallastError::InvalidHealthAccounts);
    let n = remaining.len() / 2;
    let mut priced: Vec<PricedAsset> = Vec::with_capacity(n);
    for i in 0..n {
        let info = &remaining[i];
        let oracle = &remaining[n + i];
        if *info.key == change.asset_key {
            priced.push(priced_asset(change.asset, oracle, policy, now)?);
            continue;
        }
        let loader = AccountLoader::<Asset>::try_from(info)
            .map_err(|_| error!(BallastError::InvalidHealthAccounts))?;
        let asset = loader.load()?;
        require_keys_eq!(asset.group, *group, BallastError::WrongGroup);
        priced.push(priced_asset(&asset, oracle, policy, now)?);
    }

    let mut inputs = Vec::with_capacity(n);
    let changed_index = change.asset.asset_index;
    let mut changed_seen = false;
    for pos in account.active_positions() {
        let shares = if pos.asset_index == changed_index {
            changed_seen = true;
            change.new_shares
        } else {
            pos.shares()
        };
        push_input(&mut inputs, &priced, pos.asset_index, shares)?;
    }
    if !changed_seen {
        push_input(&mut inputs, &priced, changed_index, change.new_shares)?;
    }
    Ok(inputs)
}

fn push_input(
    inputs: &mut Vec<PositionInput>,
    priced: &[PricedAsset],
    asset_index: u16,
    shares: I80F48,
) -> Result<()> {
    if shares == I80F48::ZERO {
        return Ok(());
    }
    let p = priced.iter().find(|p| p.asset_index == asset_index).ok_or_else(|| {
        msg!("health accounts lack asset {}", asset_index);
        error!(BallastError::InvalidHealthAccounts)
    })?;
    let mut input = p.template;
    input.balance = p.asset.native_balance(shares).anchor()?;
    inputs.push(input);
    Ok(())
}

/// Init health of `account` after `change`; errors with `InsufficientHealth` when negative.
pub fn require_init_health_after<'info>(
    group: &Pubkey,
    account: &MarginAccount,
    change: &PendingChange,
    remaining: &'info [AccountInfo<'info>],
    now: i64,
) -> Result<I80F48> {
    let inputs = health_inputs(group, account, change, remaining, OraclePolicy::RiskIncreasing, now)?;
    let health = crate::risk::health(&inputs, HealthType::Init).anchor()?;
    if health < I80F48::ZERO {
        msg!("init health after: {}", health);
        return err!(BallastError::InsufficientHealth);
    }
    Ok(health)
}
