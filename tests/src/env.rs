//! Setting up the chain (`ballast-testkit`'s program-test), sending, the clock, raw accounts,
//! SPL tokens and reading Ballast state.

use crate::{SendFailure, SendMetadata, TestEnv, TxResult, T0};
use anchor_lang::prelude::Pubkey;
use ballast::state::{Asset, Group, MarginAccount};
use solana_account::Account;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;
use solana_transaction::Transaction;

impl TestEnv {
    /// A chain with the program, native by default. With `BALLAST_SBF_SO_DIR` set (a folder
    /// holding `ballast.so`, as `scripts/sbf/build.sh` makes), the program runs from that SBF
    /// build instead, in the chain's real virtual machine with compute metering.
    pub async fn new() -> TestEnv {
        let mut ctx = ballast_testkit::start(crate::sbf_so_dir().as_deref()).await;
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
        let mut limited = vec![crate::set_compute_unit_limit_ix(1_400_000)];
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
        let program_units = crate::program_compute_units(&logs, &ballast::ID);
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
}
