//! A group with its assets and oracles, loaded once and priced once; the health of any of its
//! margin accounts then costs only the engine's arithmetic (which is what lets a keeper scan
//! many accounts a second).

use crate::chain::{AccountFilter, Chain};
use crate::{decode, SdkError, SdkResult};
use anchor_lang::prelude::Pubkey;
use anchor_lang::Discriminator;
use ballast::health_accounts::{price_asset, OraclePolicy, PricedAssets};
use ballast::math::I80F48;
use ballast::oracle::read_oracle_data;
use ballast::risk::{health, health_report, HealthReport, HealthType};
use ballast::state::{Asset, Group, MarginAccount, TokenPosition, ASSET_SIZE, MARGIN_ACCOUNT_SIZE};
use solana_account::Account;
use solana_instruction::AccountMeta;
use std::collections::HashMap;

/// One listed asset and its oracle account as fetched.
#[derive(Clone, Debug)]
pub struct AssetEntry {
    pub key: Pubkey,
    pub state: Asset,
    pub oracle_key: Pubkey,
    pub oracle: Option<Account>,
}

#[derive(Clone, Debug)]
pub struct GroupSnapshot {
    pub key: Pubkey,
    pub group: Group,
    /// Sorted by asset index.
    pub assets: Vec<AssetEntry>,
    /// The chain's clock when the snapshot was taken.
    pub now: i64,
}

/// Health at the three levels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AccountHealth {
    pub init: I80F48,
    pub liquidation_end: I80F48,
    pub maint: I80F48,
}

/// The oracle account the asset pins (the program accepts no other).
pub fn default_oracle_address(asset: &Asset) -> Pubkey {
    asset.config.oracle
}

/// Filter for every Asset of `group`.
pub fn asset_filter(group: &Pubkey) -> AccountFilter {
    AccountFilter {
        data_size: ASSET_SIZE,
        memcmp: vec![(0, Asset::DISCRIMINATOR.to_vec()), (8, group.to_bytes().to_vec())],
    }
}

/// Filter for every MarginAccount of `group`.
pub fn margin_account_filter(group: &Pubkey) -> AccountFilter {
    AccountFilter {
        data_size: MARGIN_ACCOUNT_SIZE,
        memcmp: vec![(0, MarginAccount::DISCRIMINATOR.to_vec()), (8, group.to_bytes().to_vec())],
    }
}

impl GroupSnapshot {
    /// Loads the group, every asset of it and their oracles. `oracle_overrides` maps asset
    /// indexes to oracle accounts other than the pinned one (`default_oracle_address`), for
    /// off-chain what-ifs only: the program refuses any account but the pinned one.
    pub async fn load<C: Chain>(
        chain: &C,
        group: Pubkey,
        oracle_overrides: &HashMap<u16, Pubkey>,
    ) -> SdkResult<Self> {
        let raw = chain.account(&group).await?.ok_or(SdkError::AccountNotFound(group))?;
        let group_state: Group = decode(&group, &raw.data, "Group")?;
        let mut assets = vec![];
        for (key, account) in chain.program_accounts(&ballast::ID, &asset_filter(&group)).await? {
            let state: Asset = decode(&key, &account.data, "Asset")?;
            let oracle_key = oracle_overrides
                .get(&state.asset_index)
                .copied()
                .unwrap_or_else(|| default_oracle_address(&state));
            assets.push(AssetEntry { key, state, oracle_key, oracle: None });
        }
        assets.sort_by_key(|a| a.state.asset_index);
        let keys: Vec<Pubkey> = assets.iter().map(|a| a.oracle_key).collect();
        for (entry, oracle) in assets.iter_mut().zip(chain.accounts(&keys).await?) {
            entry.oracle = oracle;
        }
        let now = chain.unix_timestamp().await?;
        Ok(GroupSnapshot { key: group, group: group_state, assets, now })
    }

    pub fn asset(&self, index: u16) -> SdkResult<&AssetEntry> {
        self.assets.iter().find(|a| a.state.asset_index == index).ok_or(SdkError::UnknownAsset(index))
    }

    pub fn asset_by_mint(&self, mint: &Pubkey) -> Option<&AssetEntry> {
        self.assets.iter().find(|a| a.state.mint == *mint)
    }

    /// Every asset priced for `policy` at the snapshot's time, exactly as the program would.
    pub fn priced(&self, policy: OraclePolicy) -> SdkResult<PricedAssets> {
        let mut priced = vec![];
        for (i, a) in self.assets.iter().enumerate() {
            let oracle = a.oracle.as_ref().ok_or(SdkError::MissingOracle(a.state.asset_index))?;
            let reading = read_oracle_data(&a.state.config, &a.oracle_key, &oracle.owner, &oracle.data)
                .map_err(|e| SdkError::Program(e.to_string()))?;
            priced.push(
                price_asset(a.key, i, &a.state, &reading, policy, self.now)
                    .map_err(|e| SdkError::Program(e.to_string()))?,
            );
        }
        Ok(PricedAssets {
            assets: priced,
            params: self.group.config.health_params(),
            now: self.now,
            pending: None,
        })
    }

    /// Health accounts (`remaining_accounts`) for an account holding `positions` plus the
    /// assets in `touching`: the assets, then their oracles, in position-slot order.
    pub fn health_accounts(
        &self,
        positions: &[TokenPosition],
        touching: &[u16],
        writable: bool,
    ) -> SdkResult<Vec<AccountMeta>> {
        let mut indexes: Vec<u16> =
            positions.iter().filter(|p| p.is_active()).map(|p| p.asset_index).collect();
        for t in touching {
            if !indexes.contains(t) {
                indexes.push(*t);
            }
        }
        let mut metas = Vec::with_capacity(indexes.len() * 2);
        for i in &indexes {
            let a = self.asset(*i)?;
            metas.push(if writable {
                AccountMeta::new(a.key, false)
            } else {
                AccountMeta::new_readonly(a.key, false)
            });
        }
        for i in &indexes {
            metas.push(AccountMeta::new_readonly(self.asset(*i)?.oracle_key, false));
        }
        Ok(metas)
    }

    /// Loads every margin account of the group.
    pub async fn margin_accounts<C: Chain>(&self, chain: &C) -> SdkResult<Vec<(Pubkey, MarginAccount)>> {
        let mut out = vec![];
        for (key, account) in chain.program_accounts(&ballast::ID, &margin_account_filter(&self.key)).await? {
            out.push((key, decode(&key, &account.data, "MarginAccount")?));
        }
        Ok(out)
    }
}

fn program_err<E: core::fmt::Debug>(e: E) -> SdkError {
    SdkError::Program(format!("{e:?}"))
}

/// Health of `account` at the three levels with pre-priced assets (the keeper's hot path).
pub fn account_health(priced: &PricedAssets, account: &MarginAccount) -> SdkResult<AccountHealth> {
    let inputs = priced.inputs(&account.positions, None).map_err(program_err)?;
    Ok(AccountHealth {
        init: health(&inputs, &priced.params, HealthType::Init).map_err(program_err)?,
        liquidation_end: health(&inputs, &priced.params, HealthType::LiquidationEnd).map_err(program_err)?,
        maint: health(&inputs, &priced.params, HealthType::Maint).map_err(program_err)?,
    })
}

/// Full reports (with the factor breakdown) at Init, LiquidationEnd and Maint.
pub fn account_reports(priced: &PricedAssets, account: &MarginAccount) -> SdkResult<Vec<HealthReport>> {
    let inputs = priced.inputs(&account.positions, None).map_err(program_err)?;
    [HealthType::Init, HealthType::LiquidationEnd, HealthType::Maint]
        .iter()
        .map(|l| health_report(&inputs, &priced.params, *l).map_err(program_err))
        .collect()
}

/// Net value of `account` at oracle spot prices, no haircuts (collateral minus debt), in
/// quote-native units.
pub fn account_spot_value(priced: &PricedAssets, account: &MarginAccount) -> SdkResult<I80F48> {
    let mut total = I80F48::ZERO;
    for p in account.active_positions() {
        let a = priced.get(p.asset_index).map_err(program_err)?;
        let native = a.lending.native_balance(p.shares()).map_err(program_err)?;
        total += native.checked_mul(a.template.prices.spot).ok_or(SdkError::Program("overflow".into()))?;
    }
    Ok(total)
}
