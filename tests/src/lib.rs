//! Test harness: a solana-program-test chain with the Ballast program (native, via `processor!`),
//! the real SPL Token and Token-2022 programs that program-test ships, and Pyth accounts built
//! byte for byte in their real formats under their real owners (the chain itself is
//! `ballast-testkit`'s, shared with the sandbox).

pub use ballast_testkit::pyth;
pub use ballast_testkit::{sbf_so_dir, BPF_LOADER, SPL_TOKEN, TOKEN_2022};

use anchor_lang::{InstructionData, ToAccountMetas};
use ballast::state::{Asset, AssetConfig, Group, MarginAccount};
use solana_account::Account;
use solana_instruction::{AccountMeta, Instruction};
use solana_keypair::Keypair;
use solana_program_test::{BanksClientError, ProgramTestContext};
use solana_signer::Signer;
use solana_transaction::Transaction;

pub use anchor_lang::prelude::{Clock, Pubkey};
pub use ballast::error::BallastError;
pub use ballast::health_accounts::OraclePolicy;
pub use ballast::math::I80F48;
pub use ballast::risk::HealthType;

/// Deterministic start time for every test chain.
pub const T0: i64 = 1_700_000_000;

/// One listed token as the tests know it.
#[derive(Clone, Debug)]
pub struct TestAsset {
    pub mint: Pubkey,
    pub token_program: Pubkey,
    pub decimals: u8,
    pub asset: Pubkey,
    pub vault: Pubkey,
    pub oracle: Pubkey,
    pub index: u16,
}

pub struct TestEnv {
    pub ctx: ProgramTestContext,
    pub admin: Keypair,
    /// The group's risk guardian.
    pub guardian: Keypair,
    pub group: Pubkey,
    pub assets: Vec<TestAsset>,
    /// Every margin account created through the harness: the invariants sum over them.
    pub margin_accounts: Vec<Pubkey>,
    /// Check the invariants after every successful transaction (on by default).
    pub check_invariants: bool,
    nonce: u64,
}

pub type TxResult = Result<(), BanksClientError>;

impl TestEnv {
    /// A chain with the program, native by default. With `BALLAST_SBF_SO_DIR` set (a folder
    /// holding `ballast.so`, as `scripts/sbf/build.sh` makes), the program runs from that SBF
    /// build instead, in the chain's real virtual machine with compute metering.
    pub async fn new() -> TestEnv {
        let mut ctx = ballast_testkit::start(sbf_so_dir().as_deref()).await;
        ballast_testkit::set_unix_time(&mut ctx, T0).await;
        let admin = Keypair::new();
        let mut env = TestEnv {
            ctx,
            admin,
            guardian: Keypair::new(),
            group: Pubkey::default(),
            assets: vec![],
            margin_accounts: vec![],
            check_invariants: true,
            nonce: 0,
        };
        env.group = env.init_group(0).await.unwrap();
        env
    }

    pub fn payer(&self) -> Pubkey {
        self.ctx.payer.pubkey()
    }

    /// Sends `ixs` signed by the payer and `signers`. A tiny self-transfer with a fresh amount
    /// makes every transaction unique, so repeating an instruction is never deduplicated.
    pub async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> TxResult {
        self.nonce += 1;
        let payer = self.ctx.payer.pubkey();
        let all = ballast_testkit::unique_instructions(ixs, &payer, self.nonce);
        let mut keys: Vec<&Keypair> = vec![&self.ctx.payer];
        keys.extend_from_slice(signers);
        let blockhash = self.ctx.banks_client.get_latest_blockhash().await.unwrap();
        let tx = Transaction::new_signed_with_payer(&all, Some(&payer), &keys, blockhash);
        let result = self.ctx.banks_client.process_transaction(tx).await;
        if result.is_ok() && self.check_invariants && ixs.iter().any(|i| i.program_id == ballast::ID) {
            self.assert_invariants().await;
        }
        result
    }

    /// Sends `ixs` like `send`, with the compute-unit limit raised to the maximum (1.4M), and
    /// returns the compute units each top-level Ballast instruction consumed, in order (read from
    /// the runtime's `Program <id> consumed N of M compute units` log lines; CPIs it makes are
    /// included). Meaningful only on an SBF build (`BALLAST_SBF_SO_DIR`): natively programs
    /// consume nothing.
    pub async fn send_with_metadata(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<SendMetadata, SendFailure> {
        self.nonce += 1;
        let payer = self.ctx.payer.pubkey();
        let mut limited = vec![set_compute_unit_limit_ix(1_400_000)];
        limited.extend_from_slice(ixs);
        let all = ballast_testkit::unique_instructions(&limited, &payer, self.nonce);
        let mut keys: Vec<&Keypair> = vec![&self.ctx.payer];
        keys.extend_from_slice(signers);
        let blockhash = self.ctx.banks_client.get_latest_blockhash().await.unwrap();
        let tx = Transaction::new_signed_with_payer(&all, Some(&payer), &keys, blockhash);
        let out = self
            .ctx
            .banks_client
            .process_transaction_with_metadata(tx)
            .await
            .map_err(|e| SendFailure { error: format!("{e:?}"), logs: vec![] })?;
        let logs = out.metadata.as_ref().map(|m| m.log_messages.clone()).unwrap_or_default();
        if let Err(e) = out.result {
            return Err(SendFailure { error: format!("{e:?}"), logs });
        }
        let total = out.metadata.as_ref().map(|m| m.compute_units_consumed).unwrap_or(0);
        let program_units = program_compute_units(&logs, &ballast::ID);
        Ok(SendMetadata { program_units, total_units: total, logs })
    }

    pub async fn now(&mut self) -> i64 {
        ballast_testkit::now(&mut self.ctx).await
    }

    /// Moves the chain's clock forward by `secs` (and one slot, for a fresh blockhash).
    pub async fn advance_time(&mut self, secs: i64) {
        ballast_testkit::advance_time(&mut self.ctx, secs).await
    }

    pub async fn account(&mut self, key: Pubkey) -> Option<Account> {
        self.ctx.banks_client.get_account(key).await.unwrap()
    }

    pub async fn set_account(&mut self, key: Pubkey, account: Account) {
        self.ctx.set_account(&key, &account.into());
    }

    /// Raw state of several accounts, to prove a failed instruction changed nothing.
    pub async fn snapshot(&mut self, keys: &[Pubkey]) -> Vec<Option<Account>> {
        let mut out = vec![];
        for k in keys {
            out.push(self.account(*k).await);
        }
        out
    }

    // ---- SPL tokens -------------------------------------------------------------------------

    pub async fn create_mint(&mut self, token_program: Pubkey, decimals: u8) -> Pubkey {
        let mint = Keypair::new();
        let rent = ballast_testkit::rent(&self.ctx).await;
        let payer = self.payer();
        let ixs = ballast_testkit::token::create_mint_ixs(
            &rent,
            payer,
            mint.pubkey(),
            token_program,
            payer,
            decimals,
        );
        self.send(&ixs, &[&mint]).await.unwrap();
        mint.pubkey()
    }

    pub async fn create_token_account(&mut self, mint: Pubkey, owner: Pubkey) -> Pubkey {
        let token_program = self.account(mint).await.unwrap().owner;
        let acc = Keypair::new();
        let rent = ballast_testkit::rent(&self.ctx).await;
        let ixs = ballast_testkit::token::create_token_account_ixs(
            &rent,
            self.payer(),
            acc.pubkey(),
            mint,
            owner,
            token_program,
        );
        self.send(&ixs, &[&acc]).await.unwrap();
        acc.pubkey()
    }

    /// Mints `amount` to `dest`; the payer is every test mint's authority.
    pub async fn mint_to(&mut self, mint: Pubkey, dest: Pubkey, amount: u64) {
        let token_program = self.account(mint).await.unwrap().owner;
        let ix = ballast_testkit::token::mint_to_ix(token_program, mint, dest, self.payer(), amount);
        self.send(&[ix], &[]).await.unwrap();
    }

    pub async fn token_balance(&mut self, account: Pubkey) -> u64 {
        ballast_testkit::token::token_amount(&self.account(account).await.unwrap().data)
    }

    /// A wallet with a funded token account for `asset`.
    pub async fn funded_token_account(&mut self, owner: Pubkey, asset: usize, amount: u64) -> Pubkey {
        let mint = self.assets[asset].mint;
        let ta = self.create_token_account(mint, owner).await;
        if amount > 0 {
            self.mint_to(mint, ta, amount).await;
        }
        ta
    }

    // ---- Ballast state ----------------------------------------------------------------------

    pub async fn load<T: bytemuck::Pod>(&mut self, key: Pubkey) -> T {
        let data = self.account(key).await.expect("account exists").data;
        bytemuck::pod_read_unaligned(&data[8..8 + core::mem::size_of::<T>()])
    }

    pub async fn group_state(&mut self) -> Group {
        let g = self.group;
        self.load(g).await
    }

    pub async fn asset_state(&mut self, i: usize) -> Asset {
        let a = self.assets[i].asset;
        self.load(a).await
    }

    pub async fn margin_account(&mut self, key: Pubkey) -> MarginAccount {
        self.load(key).await
    }

    // ---- Ballast instructions ---------------------------------------------------------------

    pub async fn init_group(&mut self, group_num: u16) -> Result<Pubkey, BanksClientError> {
        let admin = self.admin.pubkey();
        let group = ballast_sdk::ix::group_address(&admin, group_num);
        let ix = Instruction {
            program_id: ballast::ID,
            accounts: ballast::accounts::InitGroup {
                payer: self.payer(),
                admin,
                group,
                system_program: anchor_lang::system_program::ID,
            }
            .to_account_metas(None),
            data: ballast::instruction::InitGroup {
                group_num,
                risk_guardian: self.guardian.pubkey(),
                config: group_config(),
            }
            .data(),
        };
        let admin_kp = self.admin.insecure_clone();
        self.send(&[ix], &[&admin_kp]).await?;
        Ok(group)
    }

    pub fn register_asset_ix(
        &self,
        group: Pubkey,
        admin: Pubkey,
        mint: Pubkey,
        token_program: Pubkey,
        oracle: Pubkey,
        config: AssetConfig,
    ) -> Instruction {
        ballast_sdk::ix::register_asset(group, admin, self.payer(), mint, token_program, oracle, config)
    }

    /// Creates a mint and a Pyth pull oracle for it at `price_usd`, and lists it.
    pub async fn list_asset(
        &mut self,
        token_program: Pubkey,
        decimals: u8,
        price_usd: f64,
        config: AssetConfig,
    ) -> usize {
        let mint = self.create_mint(token_program, decimals).await;
        let feed_id = Pubkey::new_unique().to_bytes();
        let oracle = Pubkey::new_unique();
        let now = self.now().await;
        self.set_account(oracle, pyth::pull_account(feed_id, price_usd, 0.0, now)).await;
        let config = AssetConfig { feed_id, oracle, oracle_kind: 0, ..config };
        self.list_with_oracle(mint, token_program, decimals, oracle, config).await
    }

    pub async fn list_with_oracle(
        &mut self,
        mint: Pubkey,
        token_program: Pubkey,
        decimals: u8,
        oracle: Pubkey,
        config: AssetConfig,
    ) -> usize {
        let ix = self.register_asset_ix(self.group, self.admin.pubkey(), mint, token_program, oracle, config);
        let admin = self.admin.insecure_clone();
        self.send(&[ix], &[&admin]).await.unwrap();
        let asset = asset_address(&self.group, &mint);
        let index = self.assets.len() as u16;
        self.assets.push(TestAsset {
            mint,
            token_program,
            decimals,
            asset,
            vault: vault_address(&asset),
            oracle,
            index,
        });
        self.assets.len() - 1
    }

    /// Rewrites a pull oracle's price (publish time = now).
    pub async fn set_price(&mut self, asset: usize, price_usd: f64, conf_usd: f64) {
        let now = self.now().await;
        let key = self.assets[asset].oracle;
        let feed_id = self.asset_state(asset).await.config.feed_id;
        self.set_account(key, pyth::pull_account(feed_id, price_usd, conf_usd, now)).await;
    }

    pub async fn create_margin_account(&mut self, owner: &Keypair, account_num: u32) -> TxResult {
        let (key, ix) =
            ballast_sdk::ix::create_account(self.group, owner.pubkey(), self.payer(), account_num);
        let r = self.send(&[ix], &[owner]).await;
        if r.is_ok() && !self.margin_accounts.contains(&key) {
            self.margin_accounts.push(key);
        }
        r
    }

    /// A new user with a margin account (number 0).
    pub async fn new_trader(&mut self) -> (Keypair, Pubkey) {
        let user = Keypair::new();
        self.create_margin_account(&user, 0).await.unwrap();
        let account = margin_account_address(&self.group, &user.pubkey(), 0);
        (user, account)
    }

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

    /// Health accounts in the documented order: the Assets of every position the account will
    /// hold (its current ones plus `touching`), then their oracles in the same order.
    pub async fn health_accounts(&mut self, account: Pubkey, touching: usize) -> Vec<AccountMeta> {
        let state = self.margin_account(account).await;
        let mut indexes: Vec<usize> = state.active_positions().map(|p| p.asset_index as usize).collect();
        if !indexes.contains(&touching) {
            indexes.push(touching);
        }
        let mut metas: Vec<AccountMeta> =
            indexes.iter().map(|&i| AccountMeta::new_readonly(self.assets[i].asset, false)).collect();
        metas.extend(indexes.iter().map(|&i| AccountMeta::new_readonly(self.assets[i].oracle, false)));
        metas
    }

    pub fn deposit_ix(
        &self,
        authority: Pubkey,
        account: Pubkey,
        asset: usize,
        from: Pubkey,
        amount: u64,
    ) -> Instruction {
        Instruction {
            program_id: ballast::ID,
            accounts: ballast::accounts::Deposit { token: self.token_move(account, asset, from), authority }
                .to_account_metas(None),
            data: ballast::instruction::Deposit { amount }.data(),
        }
    }

    pub async fn deposit(
        &mut self,
        user: &Keypair,
        account: Pubkey,
        asset: usize,
        from: Pubkey,
        amount: u64,
    ) -> TxResult {
        let mut accounts = ballast::accounts::Deposit {
            token: self.token_move(account, asset, from),
            authority: user.pubkey(),
        }
        .to_account_metas(None);
        accounts.extend(self.cure_accounts(account, asset).await);
        let ix = Instruction {
            program_id: ballast::ID,
            accounts,
            data: ballast::instruction::Deposit { amount }.data(),
        };
        self.send(&[ix], &[user]).await
    }

    pub async fn repay(
        &mut self,
        user: &Keypair,
        account: Pubkey,
        asset: usize,
        from: Pubkey,
        amount: u64,
    ) -> TxResult {
        let mut accounts = ballast::accounts::Repay {
            token: self.token_move(account, asset, from),
            authority: user.pubkey(),
        }
        .to_account_metas(None);
        accounts.extend(self.cure_accounts(account, asset).await);
        let ix = Instruction {
            program_id: ballast::ID,
            accounts,
            data: ballast::instruction::Repay { amount }.data(),
        };
        self.send(&[ix], &[user]).await
    }

    /// Health accounts for a deposit or repay into a flagged account (so a cure ends its
    /// liquidation, as the SDK's `with_cure_accounts` does); none for an unflagged one.
    pub async fn cure_accounts(&mut self, account: Pubkey, asset: usize) -> Vec<AccountMeta> {
        if self.margin_account(account).await.is_being_liquidated() {
            self.health_accounts(account, asset).await
        } else {
            vec![]
        }
    }

    pub async fn withdraw_ix(
        &mut self,
        owner: Pubkey,
        account: Pubkey,
        asset: usize,
        to: Pubkey,
        amount: u64,
    ) -> Instruction {
        let mut accounts = ballast::accounts::Withdraw { token: self.token_move(account, asset, to), owner }
            .to_account_metas(None);
        accounts.extend(self.health_accounts(account, asset).await);
        Instruction {
            program_id: ballast::ID,
            accounts,
            data: ballast::instruction::Withdraw { amount }.data(),
        }
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
        let mut accounts = ballast::accounts::Borrow { token: self.token_move(account, asset, to), owner }
            .to_account_metas(None);
        accounts.extend(self.health_accounts(account, asset).await);
        Instruction {
            program_id: ballast::ID,
            accounts,
            data: ballast::instruction::Borrow { amount }.data(),
        }
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

    pub async fn update_asset(&mut self, asset: usize, config: AssetConfig) -> TxResult {
        let a = self.assets[asset].clone();
        let ix = ballast_sdk::ix::update_asset(self.group, self.admin.pubkey(), a.asset, a.oracle, config);
        let admin = self.admin.insecure_clone();
        self.send(&[ix], &[&admin]).await
    }

    pub async fn close_margin_account(&mut self, owner: &Keypair, account: Pubkey) -> TxResult {
        let ix = ballast_sdk::ix::close_account(account, owner.pubkey(), owner.pubkey());
        self.send(&[ix], &[owner]).await
    }

    /// The account's assets priced off chain exactly as the program prices them (the same
    /// bytes, oracle parsing and engine), or None where an oracle account cannot be read.
    pub async fn priced_for(
        &mut self,
        account: Pubkey,
        policy: OraclePolicy,
    ) -> Option<(MarginAccount, ballast::health_accounts::PricedAssets)> {
        let state = self.margin_account(account).await;
        let now = self.now().await;
        let mut assets = vec![];
        for (i, p) in state.active_positions().enumerate() {
            let a = self.assets[p.asset_index as usize].clone();
            let asset: Asset = self.load(a.asset).await;
            let oracle = self.account(a.oracle).await?;
            let reading =
                ballast::oracle::read_oracle_data(&asset.config, &a.oracle, &oracle.owner, &oracle.data)
                    .ok()?;
            assets
                .push(ballast::health_accounts::price_asset(a.asset, i, &asset, &reading, policy, now).ok()?);
        }
        let group: Group = self.load(self.group).await;
        let priced = ballast::health_accounts::PricedAssets {
            assets,
            params: group.config.health_params(),
            now,
            pending: None,
        };
        Some((state, priced))
    }

    /// `health`, or None where the program could not compute it either (an unusable liability
    /// oracle, a malformed oracle account).
    pub async fn try_health(
        &mut self,
        account: Pubkey,
        level: HealthType,
        policy: OraclePolicy,
    ) -> Option<I80F48> {
        let (state, priced) = self.priced_for(account, policy).await?;
        let inputs = priced.inputs(&state.positions, None).ok()?;
        ballast::risk::health(&inputs, &priced.params, level).ok()
    }

    /// Whether the program would let a third party liquidate `account` now, by the program's
    /// own rules (oracle faults tolerated only on dust, the episode's lapse, the predicate);
    /// None where it would fail on an oracle.
    pub async fn liquidatable(&mut self, account: Pubkey) -> Option<bool> {
        let (state, priced) = self.priced_for(account, OraclePolicy::Liquidation).await?;
        let group: Group = self.load(self.group).await;
        priced.liquidatable(&state, &group.config).map(|(yes, _)| yes)
    }

    /// Health of `account` at `level` computed off-chain exactly as the program does: the same
    /// account bytes, the same oracle parsing, the same engine.
    pub async fn health(&mut self, account: Pubkey, level: HealthType, policy: OraclePolicy) -> I80F48 {
        self.try_health(account, level, policy).await.expect("health of the account can be computed")
    }

    /// Health accounts for a liquidation: the union of both accounts' assets, writable, then
    /// their oracles.
    pub async fn liquidation_accounts(&mut self, a: Pubkey, b: Pubkey) -> Vec<AccountMeta> {
        let mut indexes: Vec<usize> = vec![];
        for key in [a, b] {
            let state = self.margin_account(key).await;
            for p in state.active_positions() {
                if !indexes.contains(&(p.asset_index as usize)) {
                    indexes.push(p.asset_index as usize);
                }
            }
        }
        let mut metas: Vec<AccountMeta> =
            indexes.iter().map(|&i| AccountMeta::new(self.assets[i].asset, false)).collect();
        metas.extend(indexes.iter().map(|&i| AccountMeta::new_readonly(self.assets[i].oracle, false)));
        metas
    }

    pub async fn liquidate_ix(
        &mut self,
        liquidator: Pubkey,
        liquidator_account: Pubkey,
        liquidatee_account: Pubkey,
        liab_asset: usize,
        max_liab_amount: u64,
        min_value_ratio_bps: u32,
    ) -> Instruction {
        let mut accounts = ballast::accounts::Liquidate {
            group: self.group,
            liquidator,
            liquidator_account,
            liquidatee_account,
        }
        .to_account_metas(None);
        accounts.extend(self.liquidation_accounts(liquidator_account, liquidatee_account).await);
        Instruction {
            program_id: ballast::ID,
            accounts,
            data: ballast::instruction::Liquidate {
                liab_asset_index: self.assets[liab_asset].index,
                max_liab_amount,
                min_value_ratio_bps,
            }
            .data(),
        }
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
        let mut accounts = ballast::accounts::Liquidate {
            group: self.group,
            liquidator: liquidator.pubkey(),
            liquidator_account,
            liquidatee_account,
        }
        .to_account_metas(None);
        accounts.extend(self.liquidation_accounts(liquidator_account, liquidatee_account).await);
        let ix = Instruction {
            program_id: ballast::ID,
            accounts,
            data: ballast::instruction::Liquidate {
                liab_asset_index: self.assets[liab_asset].index,
                max_liab_amount,
                min_value_ratio_bps,
            }
            .data(),
        };
        self.send(&[ix], &[liquidator]).await
    }

    pub async fn update_group(&mut self, config: ballast::state::GroupConfig) -> TxResult {
        let ix = ballast_sdk::ix::update_group(self.group, self.admin.pubkey(), config);
        let admin = self.admin.insecure_clone();
        self.send(&[ix], &[&admin]).await
    }

    pub async fn update_volatility(&mut self, asset: usize) -> TxResult {
        let a = &self.assets[asset];
        let ix = Instruction {
            program_id: ballast::ID,
            accounts: ballast::accounts::UpdateVolatility { asset: a.asset, oracle: a.oracle }
                .to_account_metas(None),
            data: ballast::instruction::UpdateVolatility {}.data(),
        };
        self.send(&[ix], &[]).await
    }

    pub async fn resolve_bankruptcy(&mut self, account: Pubkey, asset: usize) -> TxResult {
        let ix = self.resolve_bankruptcy_ix(account, asset).await;
        self.send(&[ix], &[]).await
    }

    /// `resolve_bankruptcy` with the health accounts of all the account's positions (writable)
    /// when it still holds collateral, which price it.
    pub async fn resolve_bankruptcy_ix(&mut self, account: Pubkey, asset: usize) -> Instruction {
        let mut accounts = ballast::accounts::ResolveBankruptcy {
            group: self.group,
            asset: self.assets[asset].asset,
            account,
        }
        .to_account_metas(None);
        let state = self.margin_account(account).await;
        if state.active_positions().any(|p| p.shares() > I80F48::ZERO) {
            let held: Vec<usize> = state.active_positions().map(|p| p.asset_index as usize).collect();
            accounts.extend(held.iter().map(|&i| AccountMeta::new(self.assets[i].asset, false)));
            accounts.extend(held.iter().map(|&i| AccountMeta::new_readonly(self.assets[i].oracle, false)));
        }
        Instruction {
            program_id: ballast::ID,
            accounts,
            data: ballast::instruction::ResolveBankruptcy {}.data(),
        }
    }

    /// Native balance of `account` in `asset` (negative for debt), as the program values it.
    pub async fn native_balance(&mut self, account: Pubkey, asset: usize) -> I80F48 {
        let state = self.margin_account(account).await;
        let a = self.asset_state(asset).await;
        match state.find_position(asset as u16) {
            Some(slot) => a.native_balance(state.positions[slot].shares()).unwrap(),
            None => I80F48::ZERO,
        }
    }

    /// The book-keeping invariants, checked after every successful transaction by `send`:
    /// 1. for every asset, the recorded deposit and borrow share totals equal the sums over all
    ///    margin accounts' positions, exactly;
    /// 2. every vault holds at least what the positions (each valued as the program values it,
    ///    against the account) and the insurance fund are owed, net of what borrowers owe it,
    ///    less the bad debt the asset has recorded (a shortfall the program reports, never hides).
    pub async fn assert_invariants(&mut self) {
        if let Err(e) = self.check_invariants().await {
            panic!("invariant broken: {e}");
        }
    }

    /// `assert_invariants` as a result, for the fuzzer (which shrinks a failing sequence).
    pub async fn check_invariants(&mut self) -> Result<(), String> {
        if self.assets.is_empty() {
            return Ok(());
        }
        let mut states = vec![];
        for key in self.margin_accounts.clone() {
            if let Some(acc) = self.account(key).await {
                if acc.data.len() >= 8 + core::mem::size_of::<MarginAccount>() {
                    let m = bytemuck::pod_read_unaligned::<MarginAccount>(
                        &acc.data[8..8 + core::mem::size_of::<MarginAccount>()],
                    );
                    if m.group == self.group {
                        states.push(m);
                    }
                }
            }
        }
        for i in 0..self.assets.len() {
            let asset = self.asset_state(i).await;
            let s = asset.lending_state();
            let (mut deposit_shares, mut borrow_shares) = (I80F48::ZERO, I80F48::ZERO);
            let (mut deposits, mut borrows) = (I80F48::ZERO, I80F48::ZERO);
            for m in &states {
                for p in m.active_positions().filter(|p| p.asset_index == asset.asset_index) {
                    let native = s.native_balance(p.shares()).unwrap();
                    if p.shares() > I80F48::ZERO {
                        deposit_shares += p.shares();
                        deposits += native;
                    } else {
                        borrow_shares -= p.shares();
                        borrows -= native;
                    }
                }
            }
            if s.deposit_shares != deposit_shares {
                return Err(format!(
                    "asset {i}: recorded deposit shares {} != positions {deposit_shares}",
                    s.deposit_shares
                ));
            }
            if s.borrow_shares != borrow_shares {
                return Err(format!(
                    "asset {i}: recorded borrow shares {} != positions {borrow_shares}",
                    s.borrow_shares
                ));
            }
            let balance = I80F48::from_num(self.token_balance(self.assets[i].vault).await);
            let owed = deposits + s.insurance_fund - borrows - asset.bad_debt.get();
            if balance < owed {
                return Err(format!("vault {i} holds {balance} but owes {owed} (positions)"));
            }
        }
        Ok(())
    }

    /// Vault solvency: every vault holds at least what depositors and the insurance fund are
    /// owed, net of what borrowers owe it.
    pub async fn assert_vaults_cover_claims(&mut self) {
        for i in 0..self.assets.len() {
            let asset = self.asset_state(i).await;
            let vault = self.assets[i].vault;
            let balance = self.token_balance(vault).await;
            let s = asset.lending_state();
            let owed = s.total_deposits().unwrap() + s.insurance_fund
                - s.total_borrows().unwrap()
                - asset.bad_debt.get();
            assert!(I80F48::from_num(balance) >= owed, "vault {i} holds {balance} but owes {owed}");
        }
    }
}

pub const COMPUTE_BUDGET: Pubkey = Pubkey::from_str_const("ComputeBudget111111111111111111111111111111");

/// Whether the program runs from an SBF build (see `TestEnv::new`).
pub fn is_sbf() -> bool {
    sbf_so_dir().is_some()
}

/// What `send_with_metadata` measured.
#[derive(Clone, Debug)]
pub struct SendMetadata {
    /// Compute units of each top-level Ballast instruction, in order.
    pub program_units: Vec<u64>,
    /// Compute units of the whole transaction.
    pub total_units: u64,
    pub logs: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct SendFailure {
    pub error: String,
    pub logs: Vec<String>,
}

/// ComputeBudget `SetComputeUnitLimit(units)`, encoded by hand (tag 2, then the limit).
pub fn set_compute_unit_limit_ix(units: u32) -> Instruction {
    let mut data = vec![2u8];
    data.extend_from_slice(&units.to_le_bytes());
    Instruction { program_id: COMPUTE_BUDGET, accounts: vec![], data }
}

/// Compute units of each top-level invocation of `program` in a transaction's logs.
pub fn program_compute_units(logs: &[String], program: &Pubkey) -> Vec<u64> {
    let invoke = format!("Program {program} invoke [1]");
    let consumed = format!("Program {program} consumed ");
    let mut out = vec![];
    let mut depth_one = false;
    for line in logs {
        if line == &invoke {
            depth_one = true;
        } else if depth_one && line.starts_with(&consumed) {
            // "... consumed N of M compute units"; the program never calls itself, so the first
            // such line after its top-level invoke is its own (CPIs it makes log other ids).
            if let Some(n) = line[consumed.len()..].split(' ').next().and_then(|n| n.parse().ok()) {
                out.push(n);
                depth_one = false;
            }
        }
    }
    out
}

pub use ballast_sdk::ix::{asset_address, margin_account_address, vault_address};

/// A sound default config: weights 0.8/0.9 and 1.2/1.1, 5% fee, 60 s staleness, 2% confidence.
pub fn default_config() -> AssetConfig {
    AssetConfig {
        oracle: Pubkey::default(),
        feed_id: [0; 32],
        deposit_cap: u64::MAX,
        borrow_cap: u64::MAX,
        max_staleness_secs: 60,
        max_conf_bps: 200,
        liquidation_max_conf_bps: 500,
        conf_multiplier_bps: 10_000,
        max_ema_deviation_bps: 1_000,
        init_asset_weight_bps: 8_000,
        maint_asset_weight_bps: 9_000,
        init_liab_weight_bps: 12_000,
        maint_liab_weight_bps: 11_000,
        liquidation_fee_bps: 500,
        max_liquidation_fee_bps: 900,
        protocol_fee_bps: 1_000,
        util0_bps: 5_000,
        rate0_bps: 500,
        util1_bps: 8_000,
        rate1_bps: 2_000,
        max_rate_bps: 20_000,
        oracle_kind: 0,
        flags: 0,
        padding: [0; 2],
        deposit_weight_scale_start: 0,
        borrow_weight_scale_start: 0,
        sigma_floor_bps: 0,
        liquidation_horizon_secs: 0,
        vol_sample_interval_secs: 3_600,
        ewma_lambda_bps: 9_400,
        size_imf_ppm: 0,
        concentration_threshold_bps: 0,
        concentration_haircut_bps: 0,
        correlation_group: 0,
        padding2: [0; 3],
        reserved: [0; 16],
    }
}

/// Liquidation bonus ramps over an hour; 20% of bonuses go to insurance; dust is a cent; the
/// volatility factor and correlation groups are off until a test turns them on.
pub fn group_config() -> ballast::state::GroupConfig {
    ballast::state::GroupConfig {
        liquidation_bonus_ramp_secs: 3_600,
        insurance_share_bps: 2_000,
        dust_value: 10_000,
        z_init_bps: 0,
        z_maint_bps: 0,
        correlation_groups: [ballast::state::CorrelationGroupConfig::default(); 8],
    }
}

/// The custom error code Anchor gives a `BallastError`.
pub fn code(e: BallastError) -> u32 {
    anchor_lang::error::ERROR_CODE_OFFSET + e as u32
}

/// The custom program error of a failed transaction, if it was one.
pub fn custom_error(result: &TxResult) -> Option<u32> {
    use solana_instruction::error::InstructionError;
    use solana_program_test::BanksClientError::TransactionError;
    match result {
        Err(TransactionError(solana_transaction::TransactionError::InstructionError(
            _,
            InstructionError::Custom(c),
        ))) => Some(*c),
        _ => None,
    }
}

#[track_caller]
pub fn assert_ballast_error(result: &TxResult, expected: BallastError) {
    assert_eq!(
        custom_error(result),
        Some(code(expected)),
        "expected {expected:?} ({}), got {result:?}",
        code(expected)
    );
}
