//! Every Ballast instruction the tests send, built by the SDK (`ballast_sdk::ix` and the
//! `GroupSnapshot` builders, with their health-account lists), and the sends that go with them.

use crate::{TestEnv, TxResult};
use anchor_lang::prelude::Pubkey;
use ballast::state::{AssetConfig, MarginAccount};
use ballast_sdk::snapshot::AssetEntry;
use ballast_sdk::GroupSnapshot;
use solana_instruction::{AccountMeta, Instruction};
use solana_keypair::Keypair;
use solana_signer::Signer;

impl TestEnv {
    /// The SDK's entry for asset `i` as it is on chain now (no oracle account loaded: the
    /// builders only need its address, the one the harness listed it with).
    pub async fn asset_entry(&mut self, i: usize) -> AssetEntry {
        let state = self.asset_state(i).await;
        AssetEntry { key: self.assets[i].asset, state, oracle_key: self.assets[i].oracle, oracle: None }
    }

    /// The group as the SDK sees it, built from the harness's asset list (`GroupSnapshot::load`
    /// would scan program accounts, which program-test cannot): every asset, by index, with its
    /// oracle account loaded when `with_oracles`.
    pub async fn group_snapshot(&mut self, with_oracles: bool) -> GroupSnapshot {
        let all: Vec<usize> = (0..self.assets.len()).collect();
        self.group_snapshot_of(&all, with_oracles).await
    }

    /// `group_snapshot` holding only the assets at `indexes` (harness indexes): pricing an
    /// account needs its own assets' oracles and no others.
    pub async fn group_snapshot_of(&mut self, indexes: &[usize], with_oracles: bool) -> GroupSnapshot {
        let mut indexes = indexes.to_vec();
        indexes.sort_by_key(|&i| self.assets[i].index);
        indexes.dedup();
        let mut assets = Vec::with_capacity(indexes.len());
        for i in indexes {
            let mut entry = self.asset_entry(i).await;
            if with_oracles {
                entry.oracle = self.account(entry.oracle_key).await;
            }
            assets.push(entry);
        }
        let group = self.group_state().await;
        let mut markets = Vec::with_capacity(usize::from(group.market_count));
        for n in 0..group.market_count {
            let key = ballast_sdk::ix::market_address(&self.group, n);
            markets.push(ballast_sdk::markets::MarketEntry::new(key, self.load(key).await));
        }
        let now = self.now().await;
        let mut snapshot = GroupSnapshot { key: self.group, group, assets, markets, now };
        if with_oracles {
            snapshot.crank_risk_arrays();
        }
        snapshot
    }

    /// The accounts of a token movement, for tests that assemble an instruction by hand (bad
    /// inputs the SDK's builders would never produce: a foreign vault, a wrong mint, ...). The
    /// SDK's own `token_move` is private to its builders.
    pub fn token_move(
        &self,
        account: Pubkey,
        asset: usize,
        user_token_account: Pubkey,
    ) -> ballast::accounts::TokenMove {
        let a = &self.assets[asset];
        ballast::accounts::TokenMove {
            group: self.group,
            account,
            asset: a.asset,
            vault: a.vault,
            mint: a.mint,
            user_token_account,
            token_program: a.token_program,
        }
    }

    /// Health accounts in the documented order (`GroupSnapshot::health_accounts`): the Assets of
    /// every position the account will hold (its current ones plus `touching`), then their
    /// oracles in the same order. For tests that append them to a hand-built instruction.
    pub async fn health_accounts(&mut self, account: Pubkey, touching: usize) -> Vec<AccountMeta> {
        let state = self.margin_account(account).await;
        let snap = self.group_snapshot(false).await;
        snap.health_accounts(&state, &[self.assets[touching].index], false).unwrap()
    }

    /// A margin account's state as the SDK's builders take it, with `owner` as the signer the
    /// instruction names: adversarial tests sign with someone who is not the owner (a delegate,
    /// an attacker), which the SDK (taking the owner from the account) never builds.
    async fn signed_by(&mut self, account: Pubkey, owner: Pubkey) -> MarginAccount {
        let mut state = self.margin_account(account).await;
        state.owner = owner;
        state
    }

    /// A deposit without health accounts (what the SDK builds for an unflagged account).
    pub async fn deposit_ix(
        &mut self,
        authority: Pubkey,
        account: Pubkey,
        asset: usize,
        from: Pubkey,
        amount: u64,
    ) -> Instruction {
        let entry = self.asset_entry(asset).await;
        ballast_sdk::ix::deposit(self.group, account, &entry, from, authority, amount)
    }

    /// A deposit, with the health accounts that let it cure a flagged account
    /// (`GroupSnapshot::with_cure_accounts`).
    pub async fn deposit(
        &mut self,
        user: &Keypair,
        account: Pubkey,
        asset: usize,
        from: Pubkey,
        amount: u64,
    ) -> TxResult {
        let snap = self.group_snapshot(false).await;
        let state = self.margin_account(account).await;
        let index = self.assets[asset].index;
        let ix = snap.deposit(account, index, from, user.pubkey(), amount).unwrap();
        let ix = snap.with_cure_accounts(ix, &state, index).unwrap();
        self.send(&[ix], &[user]).await
    }

    /// A repay, with the health accounts that let it cure a flagged account.
    pub async fn repay(
        &mut self,
        user: &Keypair,
        account: Pubkey,
        asset: usize,
        from: Pubkey,
        amount: u64,
    ) -> TxResult {
        let snap = self.group_snapshot(false).await;
        let state = self.margin_account(account).await;
        let index = self.assets[asset].index;
        let ix = snap.repay(account, index, from, user.pubkey(), amount).unwrap();
        let ix = snap.with_cure_accounts(ix, &state, index).unwrap();
        self.send(&[ix], &[user]).await
    }

    pub async fn withdraw_ix(
        &mut self,
        owner: Pubkey,
        account: Pubkey,
        asset: usize,
        to: Pubkey,
        amount: u64,
    ) -> Instruction {
        let snap = self.group_snapshot(false).await;
        let state = self.signed_by(account, owner).await;
        snap.withdraw(account, &state, self.assets[asset].index, to, amount).unwrap()
    }

    pub async fn withdraw(
        &mut self,
        user: &Keypair,
        account: Pubkey,
        asset: usize,
        to: Pubkey,
        amount: u64,
    ) -> TxResult {
        let ix = self.withdraw_ix(user.pubkey(), account, asset, to, amount).await;
        self.send(&[ix], &[user]).await
    }

    pub async fn borrow_ix(
        &mut self,
        owner: Pubkey,
        account: Pubkey,
        asset: usize,
        to: Pubkey,
        amount: u64,
    ) -> Instruction {
        let snap = self.group_snapshot(false).await;
        let state = self.signed_by(account, owner).await;
        snap.borrow(account, &state, self.assets[asset].index, to, amount).unwrap()
    }

    pub async fn borrow(
        &mut self,
        user: &Keypair,
        account: Pubkey,
        asset: usize,
        to: Pubkey,
        amount: u64,
    ) -> TxResult {
        let ix = self.borrow_ix(user.pubkey(), account, asset, to, amount).await;
        self.send(&[ix], &[user]).await
    }

    /// Sets the asset's whole config as the admin, as one patch of the fields that differ (the
    /// harness's groups have no timelock, so loosenings apply at once too).
    pub async fn update_asset(&mut self, asset: usize, config: AssetConfig) -> TxResult {
        let admin = self.admin.insecure_clone();
        self.patch_asset_as(&admin, asset, config).await
    }

    /// Sets the asset's config to `config` by one `apply_asset_patch` signed by `authority`.
    pub async fn patch_asset_as(
        &mut self,
        authority: &Keypair,
        asset: usize,
        config: AssetConfig,
    ) -> TxResult {
        let a = self.assets[asset].clone();
        let current = self.asset_state(asset).await.config;
        let mut desired = config;
        ballast::oracle::pyth_pull::pin_default_account(&mut desired);
        let entries = ballast::patch::diff(&current, &desired);
        let ix = ballast_sdk::ix::apply_asset_patch(
            self.group,
            authority.pubkey(),
            a.asset,
            desired.oracle,
            entries,
        );
        self.send(&[ix], &[authority]).await
    }

    pub async fn close_margin_account(&mut self, owner: &Keypair, account: Pubkey) -> TxResult {
        let ix = ballast_sdk::ix::close_account(account, owner.pubkey(), owner.pubkey());
        self.send(&[ix], &[owner]).await
    }

    /// A liquidation, with the health accounts of both accounts' assets (writable), as the SDK
    /// builds it.
    pub async fn liquidate_ix(
        &mut self,
        liquidator: Pubkey,
        liquidator_account: Pubkey,
        liquidatee_account: Pubkey,
        liab_asset: usize,
        max_liab_amount: u64,
        min_value_ratio_bps: u32,
    ) -> Instruction {
        let snap = self.group_snapshot(false).await;
        let liquidator_state = self.margin_account(liquidator_account).await;
        let liquidatee_state = self.margin_account(liquidatee_account).await;
        snap.liquidate(
            liquidator,
            liquidator_account,
            &liquidator_state,
            liquidatee_account,
            &liquidatee_state,
            self.assets[liab_asset].index,
            max_liab_amount,
            min_value_ratio_bps,
        )
        .unwrap()
    }

    pub async fn liquidate(
        &mut self,
        liquidator: &Keypair,
        liquidator_account: Pubkey,
        liquidatee_account: Pubkey,
        liab_asset: usize,
        max_liab_amount: u64,
        min_value_ratio_bps: u32,
    ) -> TxResult {
        let ix = self
            .liquidate_ix(
                liquidator.pubkey(),
                liquidator_account,
                liquidatee_account,
                liab_asset,
                max_liab_amount,
                min_value_ratio_bps,
            )
            .await;
        self.send(&[ix], &[liquidator]).await
    }

    /// Sets the group's config as the admin, as one patch of the fields that differ.
    pub async fn update_group(&mut self, config: ballast::state::GroupConfig) -> TxResult {
        let admin = self.admin.insecure_clone();
        self.patch_group_as(&admin, config).await
    }

    /// Sets the group's config to `config` by one `apply_group_patch` signed by `authority`.
    pub async fn patch_group_as(
        &mut self,
        authority: &Keypair,
        config: ballast::state::GroupConfig,
    ) -> TxResult {
        let group = self.group_state().await;
        let current =
            ballast::patch::GroupSettings { config: group.config, risk_guardian: group.risk_guardian };
        let desired = ballast::patch::GroupSettings { config, ..current };
        let entries = ballast::patch::diff(&current, &desired);
        let ix = ballast_sdk::ix::apply_group_patch(self.group, authority.pubkey(), entries);
        self.send(&[ix], &[authority]).await
    }

    pub async fn update_volatility(&mut self, asset: usize) -> TxResult {
        let entry = self.asset_entry(asset).await;
        self.send(&[ballast_sdk::ix::update_volatility(&entry)], &[]).await
    }

    pub async fn resolve_bankruptcy(&mut self, account: Pubkey, asset: usize) -> TxResult {
        let ix = self.resolve_bankruptcy_ix(account, asset).await;
        self.send(&[ix], &[]).await
    }

    /// `resolve_bankruptcy` with the health accounts of all the account's positions (writable)
    /// when it still holds collateral, which price it.
    pub async fn resolve_bankruptcy_ix(&mut self, account: Pubkey, asset: usize) -> Instruction {
        let snap = self.group_snapshot(false).await;
        let state = self.margin_account(account).await;
        snap.resolve_bankruptcy(account, &state, self.assets[asset].index).unwrap()
    }
}

impl TestEnv {
    /// Lists a market on `underlying` settled in `quote` (harness asset indexes), signed by the
    /// admin; returns its market index.
    pub async fn list_market(
        &mut self,
        underlying: usize,
        quote: usize,
        config: ballast::state::MarketConfig,
    ) -> u16 {
        let n = self.group_state().await.market_count;
        let admin = self.admin.insecure_clone();
        let i = ballast_sdk::ix::register_market(
            self.group,
            admin.pubkey(),
            self.payer(),
            n,
            self.assets[underlying].asset,
            self.assets[quote].asset,
            config,
        );
        self.send(&[i], &[&admin]).await.unwrap();
        n
    }

    pub fn market_key(&self, market_index: u16) -> Pubkey {
        ballast_sdk::ix::market_address(&self.group, market_index)
    }

    pub async fn market_state(&mut self, market_index: u16) -> ballast::state::Market {
        let key = self.market_key(market_index);
        self.load(key).await
    }

    /// The SDK's trade instruction, health accounts of both sides included.
    pub async fn trade_ix(
        &mut self,
        market_index: u16,
        buyer: Pubkey,
        seller: Pubkey,
        contracts: u64,
        price: u64,
    ) -> Instruction {
        let snap = self.group_snapshot(false).await;
        let b = self.margin_account(buyer).await;
        let s = self.margin_account(seller).await;
        snap.trade(market_index, buyer, &b, seller, &s, contracts, price).unwrap()
    }

    /// `buyer_account` buys `contracts` from `seller_account` at `price` per contract; both
    /// owners sign.
    #[allow(clippy::too_many_arguments)]
    pub async fn trade(
        &mut self,
        market_index: u16,
        buyer: &Keypair,
        buyer_account: Pubkey,
        seller: &Keypair,
        seller_account: Pubkey,
        contracts: u64,
        price: u64,
    ) -> TxResult {
        let mut ixs = self.risk_array_cranks(&[buyer_account, seller_account], &[market_index]).await;
        ixs.push(self.trade_ix(market_index, buyer_account, seller_account, contracts, price).await);
        self.send(&ixs, &[buyer, seller]).await
    }

    /// The option risk-array cranks an instruction valuing `accounts` and touching `markets`
    /// needs in front of it (`GroupSnapshot::risk_array_cranks`), behind a compute-unit limit
    /// of 1.4M (a crank alone is past the default 200k on SBF); none without options.
    pub async fn risk_array_cranks(&mut self, accounts: &[Pubkey], markets: &[u16]) -> Vec<Instruction> {
        let snap = self.group_snapshot(false).await;
        let mut states = Vec::new();
        for a in accounts {
            states.push(self.margin_account(*a).await);
        }
        let refs: Vec<&ballast::state::MarginAccount> = states.iter().collect();
        let cranks = snap.risk_array_cranks(&refs, markets).unwrap();
        if cranks.is_empty() {
            return cranks;
        }
        let mut ixs = vec![crate::set_compute_unit_limit_ix(1_400_000)];
        ixs.extend(cranks);
        ixs
    }

    /// Permissionless: prices option market `market_index` at the oracle spot now.
    pub async fn update_risk_array(&mut self, market_index: u16) -> TxResult {
        let ix = self.group_snapshot(false).await.update_risk_array(market_index).unwrap();
        self.send(&[crate::set_compute_unit_limit_ix(1_400_000), ix], &[]).await
    }

    pub async fn settle_pnl_ix(
        &mut self,
        market_index: u16,
        owed: Pubkey,
        owing: Pubkey,
        max: u64,
    ) -> Instruction {
        let snap = self.group_snapshot(false).await;
        let state = self.margin_account(owing).await;
        snap.settle_pnl(market_index, owed, owing, &state, max).unwrap()
    }

    /// Permissionless: signed by the payer only.
    pub async fn settle_pnl(&mut self, market_index: u16, owed: Pubkey, owing: Pubkey, max: u64) -> TxResult {
        let mut ixs = self.risk_array_cranks(&[owing], &[market_index]).await;
        ixs.push(self.settle_pnl_ix(market_index, owed, owing, max).await);
        self.send(&ixs, &[]).await
    }

    pub async fn settle_expiry(&mut self, market_index: u16) -> TxResult {
        let snap = self.group_snapshot(false).await;
        let ix = snap.settle_expiry(market_index).unwrap();
        self.send(&[ix], &[]).await
    }
}

impl TestEnv {
    /// The SDK's `liquidate_derivative`, health accounts of both sides included.
    pub async fn liquidate_derivative_ix(
        &mut self,
        market_index: u16,
        liquidator: Pubkey,
        liquidator_account: Pubkey,
        liquidatee_account: Pubkey,
        max_contracts: u64,
    ) -> Instruction {
        let snap = self.group_snapshot(false).await;
        let liqor = self.signed_by(liquidator_account, liquidator).await;
        let liqee = self.margin_account(liquidatee_account).await;
        snap.liquidate_derivative(
            market_index,
            liquidator,
            liquidator_account,
            &liqor,
            liquidatee_account,
            &liqee,
            max_contracts,
        )
        .unwrap()
    }

    /// The size the program accepts now (`GroupSnapshot::derivative_liquidation_size`).
    pub async fn derivative_liquidation_size(
        &mut self,
        market_index: u16,
        liquidator_account: Pubkey,
        liquidatee_account: Pubkey,
    ) -> Option<u64> {
        let snap = self.group_snapshot(true).await;
        let liqor = self.margin_account(liquidator_account).await;
        let liqee = self.margin_account(liquidatee_account).await;
        // None when the accounts cannot be priced now (a stale oracle, say), as the program would refuse
        let priced = snap.priced(ballast::health_accounts::OraclePolicy::Liquidation).ok()?;
        snap.derivative_liquidation_size(&priced, &liqee, &liqor, market_index).ok().flatten()
    }
}
