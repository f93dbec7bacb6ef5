//! The sandbox's chain: `ballast-testkit`'s LiteSVM with the program compiled for the host
//! (`SvmChain`), driven through the SDK's `Chain` (as the keeper drives a cluster).

use crate::die;
use anchor_lang::prelude::Pubkey;
use ballast_sdk::{sponsored_feed_address, Chain};
use ballast_testkit::pyth::{price_update_account, to_pyth_int};
use ballast_testkit::svm::SvmChain;
use ballast_testkit::token::{create_mint_ixs, create_token_account_ixs, mint_to_ix};
use solana_keypair::Keypair;
use solana_signer::Signer;

pub struct Sim {
    pub chain: SvmChain,
    pub payer: Keypair,
}

impl Sim {
    pub async fn start() -> Sim {
        let chain = SvmChain::new();
        let payer = chain.payer.insecure_clone();
        Sim { chain, payer }
    }

    pub async fn send(&self, ixs: &[solana_instruction::Instruction], signers: &[&Keypair]) {
        if let Err(e) = self.chain.send(ixs, &self.payer, signers).await {
            die(format!("transaction failed: {e}"));
        }
    }

    /// The group as the SDK sees it now (stops the sandbox if it cannot be read).
    pub async fn snapshot(&self, group: Pubkey) -> ballast_sdk::GroupSnapshot {
        ballast_sdk::GroupSnapshot::load(&self.chain, group, &std::collections::HashMap::new())
            .await
            .unwrap_or_else(|e| die(e))
    }

    /// A margin account's state now.
    pub async fn margin_account(&self, key: Pubkey) -> ballast::state::MarginAccount {
        let raw =
            self.chain.account(&key).await.unwrap_or_else(|e| die(e)).unwrap_or_else(|| die("no account"));
        ballast_sdk::decode(&key, &raw.data, "MarginAccount").unwrap_or_else(|e| die(e))
    }

    pub async fn set_time(&mut self, unix_timestamp: i64) {
        self.chain.warp_to_time(unix_timestamp);
    }

    /// Posts `price` (EMA `ema`, confidence `conf_bps` of the price) to the feed's sponsored
    /// account, published `now`.
    pub fn set_price(&mut self, feed_id: [u8; 32], price: f64, ema: f64, conf_bps: u32, now: i64) {
        let conf = (price * f64::from(conf_bps) / 10_000.0 * 1e8).round() as u64;
        let account = price_update_account(feed_id, to_pyth_int(price), conf, to_pyth_int(ema), now);
        self.chain.set_account(sponsored_feed_address(&feed_id, 0), account);
    }

    pub async fn create_mint(&self, token_program: Pubkey, decimals: u8) -> Pubkey {
        let mint = Keypair::new();
        let rent = self.chain.rent();
        let payer = self.payer.pubkey();
        let ixs = create_mint_ixs(&rent, payer, mint.pubkey(), token_program, payer, decimals);
        self.send(&ixs, &[&mint]).await;
        mint.pubkey()
    }

    /// A token account of `owner` holding `amount` freshly minted.
    pub async fn funded(&self, mint: Pubkey, token_program: Pubkey, owner: Pubkey, amount: u64) -> Pubkey {
        let acc = Keypair::new();
        let rent = self.chain.rent();
        let payer = self.payer.pubkey();
        let mut ixs =
            create_token_account_ixs(&rent, payer, acc.pubkey(), mint, owner, token_program).to_vec();
        if amount > 0 {
            ixs.push(mint_to_ix(token_program, mint, acc.pubkey(), payer, amount));
        }
        self.send(&ixs, &[&acc]).await;
        acc.pubkey()
    }
}
