//! A group with its assets and oracles, loaded once and priced once; the health of any of its
//! margin accounts then costs only the engine's arithmetic (which is what lets a keeper scan
//! many accounts a second).

use crate::chain::{AccountFilter, Chain};
use crate::markets::MarketEntry;
use crate::{decode, SdkError, SdkResult};
use anchor_lang::prelude::Pubkey;
use anchor_lang::Discriminator;
use ballast::health_accounts::{max_token_action, AssetRetriever, OraclePolicy, PricedAssets, TokenAction};
use ballast::math::I80F48;
use ballast::oracle::read_oracle_data;
use ballast::risk::OracleReading;
use ballast::risk::{HealthLevels, HealthReports};
use ballast::state::{Asset, Group, MarginAccount, Market, ASSET_SIZE, MARGIN_ACCOUNT_SIZE};
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
    /// Every market of the group, by index.
    pub markets: Vec<MarketEntry>,
    /// The chain's clock when the snapshot was taken.
    pub now: i64,
}

/// Health at the three levels: the engine's type.
pub type AccountHealth = HealthLevels;

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
        let markets = crate::markets::load_markets(chain, &group).await?;
        let now = chain.unix_timestamp().await?;
        let mut snapshot = GroupSnapshot { key: group, group: group_state, assets, markets, now };
        snapshot.crank_risk_arrays();
        Ok(snapshot)
    }

    /// Recomputes, in memory, every unsettled option market's risk array as `update_risk_array`
    /// would compute it now from the snapshot's oracle readings (`Market::compute_risk_array`),
    /// so health computed from the snapshot is what the program computes with the cranks in the
    /// same transaction (`risk_array_cranks`), which is how clients send. A market whose
    /// underlying's reading fails the crank's checks keeps its stored array (and the program
    /// would refuse the crank too). `MarketEntry::stored_risk_array` keeps what the chain holds.
    pub fn crank_risk_arrays(&mut self) {
        // the crank's own oracle checks are the liquidation ones
        let Ok(priced) = self.priced(OraclePolicy::Liquidation) else { return };
        let params = self.group.config.health_params();
        for m in self.markets.iter_mut() {
            if m.state.config.option_kind().is_none() || m.state.is_settled(self.now) {
                continue;
            }
            let (Ok(u), Some(asset)) = (
                priced.get(m.state.underlying_index),
                self.assets.iter().find(|a| a.state.asset_index == m.state.underlying_index),
            ) else {
                continue;
            };
            if u.fault.is_some() || u.publish_time < m.state.risk_array.publish_ts {
                continue;
            }
            let spot = u.template.prices.spot;
            if let Ok(c) = m.state.compute_risk_array(&asset.state, spot, &params, self.now) {
                m.state.risk_array.record(&c, spot, self.now, u.publish_time);
            }
        }
    }

    pub fn asset(&self, index: u16) -> SdkResult<&AssetEntry> {
        self.assets.iter().find(|a| a.state.asset_index == index).ok_or(SdkError::UnknownAsset(index))
    }

    pub fn market(&self, index: u16) -> SdkResult<&MarketEntry> {
        self.markets.iter().find(|m| m.state.market_index == index).ok_or(SdkError::UnknownMarket(index))
    }

    pub fn asset_by_mint(&self, mint: &Pubkey) -> Option<&AssetEntry> {
        self.assets.iter().find(|a| a.state.mint == *mint)
    }

    /// Every asset priced for `policy` at the snapshot's time, exactly as the program would
    /// (`PricedAssets::retrieve` over this snapshot, as the program runs it over its accounts).
    pub fn priced(&self, policy: OraclePolicy) -> SdkResult<PricedAssets> {
        PricedAssets::retrieve(self, self.group.config.health_params(), policy, self.now, self.assets.len())
            .map_err(|e| SdkError::Program(e.to_string()))
    }

    /// The assets `indexes` only, priced for `policy` (`SnapshotSubset`).
    pub fn priced_subset(&self, indexes: &[u16], policy: OraclePolicy) -> SdkResult<PricedAssets> {
        let subset = SnapshotSubset { snapshot: self, indexes };
        PricedAssets::retrieve(&subset, self.group.config.health_params(), policy, self.now, indexes.len())
            .map_err(|e| SdkError::Program(e.to_string()))
    }

    /// The oracle reading of an asset as the program will read it.
    pub fn reading(&self, index: u16) -> SdkResult<OracleReading> {
        let a = self.asset(index)?;
        if a.oracle.is_none() {
            return Err(SdkError::MissingOracle(index));
        }
        entry_reading(a).map_err(|e| SdkError::Program(e.to_string()))
    }

    /// The largest borrow of asset `index` that leaves `account` at Init health >= `target`
    /// (zero for the margin limit), by the program's own steps (`max_token_action`): a borrow of
    /// it lands, one unit more is refused. `vault_amount` is the asset's vault balance
    /// (`vault_amount`). `None` when the program would refuse any borrow of it now (paused,
    /// reduce-only, no free slot, a deposit held, in liquidation, below the target).
    pub fn max_borrow(
        &self,
        account: &MarginAccount,
        index: u16,
        vault_amount: u64,
        target: I80F48,
    ) -> SdkResult<Option<u64>> {
        self.max_action(account, index, TokenAction::Borrow, vault_amount, target)
    }

    /// The largest withdrawal of asset `index` that leaves `account` at Init health >= `target`
    /// (see `max_borrow`); at most the deposit. `None` when the program would refuse any.
    pub fn max_withdraw(
        &self,
        account: &MarginAccount,
        index: u16,
        vault_amount: u64,
        target: I80F48,
    ) -> SdkResult<Option<u64>> {
        self.max_action(account, index, TokenAction::Withdraw, vault_amount, target)
    }

    /// Prices only what the instruction's health accounts would hold (the account's assets and
    /// this one), so an unrelated asset's oracle cannot stop the answer.
    fn max_action(
        &self,
        account: &MarginAccount,
        index: u16,
        action: TokenAction,
        vault_amount: u64,
        target: I80F48,
    ) -> SdkResult<Option<u64>> {
        let indexes = Self::assets_of(&[account], &[index]);
        let priced = self.priced_subset(&indexes, OraclePolicy::RiskIncreasing)?;
        let reading = self.reading(index)?;
        let asset = &self.asset(index)?.state;
        Ok(max_token_action(&priced, &self.group, account, asset, &reading, action, vault_amount, target))
    }

    /// The token balance of asset `index`'s vault (SPL Token and Token-2022 accounts share the
    /// base layout: the amount at offset 64). The program pays out this less the insurance fund
    /// after accrual (`Asset::available_liquidity`).
    pub async fn vault_amount<C: Chain>(&self, chain: &C, index: u16) -> SdkResult<u64> {
        let a = self.asset(index)?;
        let vault = chain.account(&a.state.vault).await?.ok_or(SdkError::AccountNotFound(a.state.vault))?;
        vault
            .data
            .get(64..72)
            .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
            .ok_or(SdkError::WrongAccountType(a.state.vault, "token account"))
    }

    /// The assets the health accounts of `accounts` hold: each one's token positions in slot
    /// order, the underlyings of their derivatives, then `touching`, each once.
    pub fn assets_of(accounts: &[&MarginAccount], touching: &[u16]) -> Vec<u16> {
        let mut indexes: Vec<u16> = Vec::new();
        let mut add = |i: u16| {
            if !indexes.contains(&i) {
                indexes.push(i);
            }
        };
        for a in accounts {
            a.active_positions().for_each(|p| add(p.asset_index));
            a.active_derivatives().for_each(|d| add(d.underlying_index));
        }
        touching.iter().for_each(|i| add(*i));
        indexes
    }

    /// The markets of `accounts`' derivative positions plus `touching`, each once.
    pub fn markets_of(accounts: &[&MarginAccount], touching: &[u16]) -> Vec<u16> {
        let mut indexes: Vec<u16> = Vec::new();
        let held = accounts.iter().flat_map(|a| a.active_derivatives().map(|d| d.market_index));
        for i in held.chain(touching.iter().copied()) {
            if !indexes.contains(&i) {
                indexes.push(i);
            }
        }
        indexes
    }

    /// Health accounts (`remaining_accounts`) for `account` plus the assets in `touching`
    /// (`health_accounts_of`).
    pub fn health_accounts(
        &self,
        account: &MarginAccount,
        touching: &[u16],
        writable: bool,
    ) -> SdkResult<Vec<AccountMeta>> {
        self.health_accounts_of(&[account], touching, &[], writable)
    }

    /// Health accounts for several accounts checked by one instruction, plus the assets and
    /// markets it touches: the assets (`assets_of`; a market's underlying included), their
    /// oracles in the same order, then the markets (`markets_of`).
    pub fn health_accounts_of(
        &self,
        accounts: &[&MarginAccount],
        touching: &[u16],
        touching_markets: &[u16],
        writable: bool,
    ) -> SdkResult<Vec<AccountMeta>> {
        let markets = Self::markets_of(accounts, touching_markets);
        let mut touching = touching.to_vec();
        for m in &markets {
            touching.push(self.market(*m)?.state.underlying_index);
        }
        let indexes = Self::assets_of(accounts, &touching);
        let mut metas = Vec::with_capacity(indexes.len() * 2 + markets.len());
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
        for m in &markets {
            metas.push(AccountMeta::new_readonly(self.market(*m)?.key, false));
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

/// The snapshot's assets, in asset-index order, with the readings of their fetched oracles.
impl AssetRetriever for GroupSnapshot {
    fn for_each_asset(
        &self,
        visit: &mut dyn FnMut(usize, &Pubkey, &Asset, &OracleReading) -> anchor_lang::Result<()>,
    ) -> anchor_lang::Result<()> {
        for (i, a) in self.assets.iter().enumerate() {
            visit(i, &a.key, &a.state, &entry_reading(a)?)?;
        }
        Ok(())
    }

    fn for_each_market(
        &self,
        visit: &mut dyn FnMut(&Pubkey, &Market) -> anchor_lang::Result<()>,
    ) -> anchor_lang::Result<()> {
        visit_markets(&self.markets, visit)
    }
}

fn visit_markets(
    markets: &[MarketEntry],
    visit: &mut dyn FnMut(&Pubkey, &Market) -> anchor_lang::Result<()>,
) -> anchor_lang::Result<()> {
    for m in markets {
        visit(&m.key, &m.state)?;
    }
    Ok(())
}

/// Some of a snapshot's assets, in the order given (a client that prices only what one account
/// holds, as the program does with that account's health accounts).
pub struct SnapshotSubset<'a> {
    pub snapshot: &'a GroupSnapshot,
    pub indexes: &'a [u16],
}

impl AssetRetriever for SnapshotSubset<'_> {
    fn for_each_asset(
        &self,
        visit: &mut dyn FnMut(usize, &Pubkey, &Asset, &OracleReading) -> anchor_lang::Result<()>,
    ) -> anchor_lang::Result<()> {
        for (i, index) in self.indexes.iter().enumerate() {
            let a = self.snapshot.asset(*index).map_err(|_| {
                anchor_lang::prelude::msg!("asset {} is not in the group", index);
                anchor_lang::error!(ballast::error::BallastError::InvalidHealthAccounts)
            })?;
            visit(i, &a.key, &a.state, &entry_reading(a)?)?;
        }
        Ok(())
    }

    /// Every market of the snapshot (markets need no oracle, so more of them never stops an
    /// answer).
    fn for_each_market(
        &self,
        visit: &mut dyn FnMut(&Pubkey, &Market) -> anchor_lang::Result<()>,
    ) -> anchor_lang::Result<()> {
        visit_markets(&self.snapshot.markets, visit)
    }
}

/// A fetched oracle read as the program reads it; a missing oracle account is what the program
/// would see as a missing health account.
fn entry_reading(a: &AssetEntry) -> anchor_lang::Result<OracleReading> {
    let oracle = a
        .oracle
        .as_ref()
        .ok_or_else(|| anchor_lang::error!(ballast::error::BallastError::InvalidHealthAccounts))?;
    read_oracle_data(&a.state.config, &a.oracle_key, &oracle.owner, &oracle.data)
}

fn program_err<E: core::fmt::Debug>(e: E) -> SdkError {
    SdkError::Program(format!("{e:?}"))
}

/// Health of `account` at the three levels with pre-priced assets (the keeper's hot path).
pub fn account_health(priced: &PricedAssets, account: &MarginAccount) -> SdkResult<HealthLevels> {
    priced.health_levels(account).map_err(program_err)
}

/// Full reports (with the factor breakdown) at Init, LiquidationEnd and Maint.
pub fn account_reports(priced: &PricedAssets, account: &MarginAccount) -> SdkResult<HealthReports> {
    priced.health_reports(account).map_err(program_err)
}

/// Net value of `account` at oracle spot prices, no haircuts (collateral minus debt), in
/// quote-native units (`risk::net_spot_value`).
pub fn account_spot_value(priced: &PricedAssets, account: &MarginAccount) -> SdkResult<I80F48> {
    priced.spot_value(account).map_err(program_err)
}
