//! The group, its listed assets and their oracles, and traders' margin accounts.

use crate::{
    asset_address, group_config, margin_account_address, pyth, vault_address, TestAsset, TestEnv, TxResult,
};
use anchor_lang::prelude::Pubkey;
use ballast::state::AssetConfig;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_program_test::BanksClientError;
use solana_signer::Signer;

impl TestEnv {
    pub async fn init_group(&mut self, group_num: u16) -> Result<Pubkey, BanksClientError> {
        let admin = self.admin.pubkey();
        let ix = ballast_sdk::ix::init_group(
            self.payer(),
            admin,
            group_num,
            self.guardian.pubkey(),
            group_config(),
        );
        let admin_kp = self.admin.insecure_clone();
        self.send(&[ix], &[&admin_kp]).await?;
        Ok(ballast_sdk::ix::group_address(&admin, group_num))
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
        self.set_price_published(asset, price_usd, conf_usd, now).await;
    }

    /// Rewrites a pull oracle's price with the update published at `publish_time`.
    pub async fn set_price_published(
        &mut self,
        asset: usize,
        price_usd: f64,
        conf_usd: f64,
        publish_time: i64,
    ) {
        let key = self.assets[asset].oracle;
        let feed_id = self.asset_state(asset).await.config.feed_id;
        self.set_account(key, pyth::pull_account(feed_id, price_usd, conf_usd, publish_time)).await;
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
}
