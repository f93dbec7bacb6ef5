//! A LiteSVM chain with the SBF build of Ballast, the real SPL Token and address-lookup-table
//! programs LiteSVM ships, and Pyth pull accounts in their real format under the receiver
//! program. Everything Ballast holds is set up by sending the program's own instructions.
//!
//! Unlike solana-program-test 3.1, LiteSVM loads transactions of any number of accounts (up to
//! the 64 locks) and v0 transactions with address lookup tables; it does not enforce the
//! 1232-byte packet limit, so callers compute sizes with `ballast_sdk::tx`.

use anchor_lang::prelude::{Clock, Pubkey};
use ballast::state::{AssetConfig, MarginAccount};
use ballast_sdk::snapshot::AssetEntry;
use ballast_sdk::{tx, GroupSnapshot};
use ballast_tests::{
    default_config, every_factor_config, every_factor_group_config, group_config, program_compute_units,
    pyth, BPF_LOADER, SPL_TOKEN, T0,
};
use litesvm::LiteSVM;
use solana_account::Account;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_message::VersionedMessage;
use solana_program_pack::Pack;
use solana_signer::Signer;
use solana_slot_hashes::SlotHashes;
use solana_transaction::Transaction;

pub const DECIMALS: u8 = 6;
pub const UNIT: u64 = 1_000_000;

/// One listed token.
#[derive(Clone, Debug)]
pub struct Listed {
    pub mint: Pubkey,
    pub asset: Pubkey,
    pub oracle: Pubkey,
    pub feed_id: [u8; 32],
    pub index: u16,
    pub price: f64,
}

/// What a transaction did.
#[derive(Clone, Debug)]
pub struct Sent {
    /// Compute units of each top-level Ballast instruction (CPIs included).
    pub ballast_units: Vec<u64>,
    pub logs: Vec<String>,
    /// Serialized size of the transaction as sent.
    pub tx_bytes: usize,
    /// Accounts the transaction locks (static and loaded).
    pub locks: usize,
}

impl Sent {
    /// The `heap used: N` line the liquidate handler logs, if the build logs it.
    pub fn heap_used(&self) -> Option<u64> {
        self.logs.iter().find_map(|l| l.strip_prefix("Program log: heap used: ")?.trim().parse().ok())
    }
}

#[derive(Clone, Debug)]
pub struct SendError {
    pub error: String,
    pub logs: Vec<String>,
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.error)?;
        for l in &self.logs {
            write!(f, "\n  {l}")?;
        }
        Ok(())
    }
}

pub struct Env {
    pub svm: LiteSVM,
    pub payer: Keypair,
    pub admin: Keypair,
    pub group: Pubkey,
    pub assets: Vec<Listed>,
    slot_hashes: Vec<(u64, solana_message::Hash)>,
    /// `RequestHeapFrame` prepended to every transaction, for a diagnosis build whose allocator
    /// assumes a larger heap (`LIQUIDATION_BENCH_HEAP_FRAME`, see scripts/sbf/README.md).
    heap_frame: Option<u32>,
    /// Every factor of the model on (`every_factor_config`, `every_factor_group_config`).
    factors: bool,
}

impl Env {
    /// A chain at `T0` with `so` (the SBF build) under the BPF loader, as program-test loads it,
    /// and a group; with `factors`, the group and every asset listed after have every factor of
    /// the model on.
    pub fn new(so: &[u8], factors: bool) -> Env {
        let mut svm = LiteSVM::new().with_log_bytes_limit(None);
        svm.add_program_with_loader(ballast::ID, so, BPF_LOADER).expect("load ballast.so");
        let payer = Keypair::new();
        svm.airdrop(&payer.pubkey(), 1_000_000_000_000).unwrap();
        let admin = Keypair::new();
        let heap_frame = std::env::var("LIQUIDATION_BENCH_HEAP_FRAME").ok().and_then(|v| v.parse().ok());
        let mut env = Env {
            svm,
            payer,
            admin,
            group: Pubkey::default(),
            assets: vec![],
            slot_hashes: vec![],
            heap_frame,
            factors,
        };
        let mut clock: Clock = env.svm.get_sysvar();
        clock.unix_timestamp = T0;
        clock.slot = 1;
        env.svm.set_sysvar(&clock);
        env.push_slot_hash();
        let ix = ballast_sdk::ix::init_group(
            env.payer.pubkey(),
            env.admin.pubkey(),
            0,
            Pubkey::new_unique(),
            if factors { every_factor_group_config() } else { group_config() },
        );
        env.group = ballast_sdk::ix::group_address(&env.admin.pubkey(), 0);
        let admin = env.admin.insecure_clone();
        env.send(&[ix], &[&admin]).expect("init_group");
        env
    }

    pub fn now(&self) -> i64 {
        self.svm.get_sysvar::<Clock>().unix_timestamp
    }

    pub fn slot(&self) -> u64 {
        self.svm.get_sysvar::<Clock>().slot
    }

    /// The current slot's hash into SlotHashes (lookup tables are derived from a recent slot).
    fn push_slot_hash(&mut self) {
        let slot = self.slot();
        self.slot_hashes.insert(0, (slot, self.svm.latest_blockhash()));
        self.slot_hashes.truncate(64);
        self.svm.set_sysvar(&SlotHashes::new(&self.slot_hashes));
    }

    /// `secs` later and one slot on, with a new blockhash.
    pub fn advance(&mut self, secs: i64) {
        let mut clock: Clock = self.svm.get_sysvar();
        clock.unix_timestamp += secs;
        clock.slot += 1;
        self.svm.set_sysvar(&clock);
        self.svm.expire_blockhash();
        self.push_slot_hash();
    }

    fn with_heap_frame(&self, ixs: &[Instruction]) -> Vec<Instruction> {
        let mut out: Vec<Instruction> = self.heap_frame.map(tx::request_heap_frame).into_iter().collect();
        out.extend_from_slice(ixs);
        out
    }

    fn keys<'a>(&'a self, signers: &[&'a Keypair]) -> Vec<&'a Keypair> {
        let mut keys: Vec<&Keypair> = vec![&self.payer];
        for s in signers {
            if s.pubkey() != self.payer.pubkey() {
                keys.push(s);
            }
        }
        keys
    }

    fn submit(
        &mut self,
        vtx: solana_transaction::versioned::VersionedTransaction,
        locks: usize,
    ) -> Result<Sent, SendError> {
        let tx_bytes = tx::transaction_size(&vtx.message);
        let out = self.svm.send_transaction(vtx);
        // A new blockhash after every transaction, so an identical one is never deduplicated.
        self.svm.expire_blockhash();
        match out {
            Ok(meta) => Ok(Sent {
                ballast_units: program_compute_units(&meta.logs, &ballast::ID),
                logs: meta.logs,
                tx_bytes,
                locks,
            }),
            Err(f) => Err(SendError { error: format!("{:?}", f.err), logs: f.meta.logs }),
        }
    }

    /// A legacy transaction of `ixs` paid by the payer, signed by it and `signers`.
    pub fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<Sent, SendError> {
        let ixs = &self.with_heap_frame(ixs)[..];
        let payer = self.payer.pubkey();
        let keys = self.keys(signers);
        let t = Transaction::new_signed_with_payer(ixs, Some(&payer), &keys, self.svm.latest_blockhash());
        let locks = tx::account_locks(&payer, ixs);
        self.submit(t.into(), locks)
    }

    /// Sends `ixs` in a v0 transaction through a new lookup table holding every account that can
    /// be looked up (`ballast_sdk::tx`): creates and fills the table with the real program, waits
    /// a slot for it to activate, then sends. Returns what the table took (its transactions) too.
    pub fn send_with_lookup_table(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<(Sent, tx::LookupTablePlan), SendError> {
        let ixs = &self.with_heap_frame(ixs)[..];
        let payer = self.payer.pubkey();
        let candidates = tx::lookup_table_candidates(&payer, ixs);
        // The previous slot, in SlotHashes; with the payer as authority it derives the address,
        // so every table needs a slot of its own.
        self.advance(0);
        let recent_slot = self.slot() - 1;
        let plan = tx::create_lookup_table(payer, payer, recent_slot, &candidates)
            .map_err(|e| SendError { error: e.to_string(), logs: vec![] })?;
        for t in &plan.transactions {
            self.send(t, &[])?;
        }
        // Addresses added in a slot are usable from the next one.
        self.advance(0);
        let message = tx::message_for(&payer, ixs, &[plan.account()], self.svm.latest_blockhash())
            .map_err(|e| SendError { error: e.to_string(), logs: vec![] })?;
        assert!(matches!(message, VersionedMessage::V0(_)), "expected a v0 message");
        let keys = self.keys(signers);
        let vtx = tx::sign(message, &keys).map_err(|e| SendError { error: e.to_string(), logs: vec![] })?;
        let locks = tx::account_locks(&payer, ixs);
        Ok((self.submit(vtx, locks)?, plan))
    }

    pub fn account(&self, key: &Pubkey) -> Option<Account> {
        self.svm.get_account(key)
    }

    pub fn margin_account(&self, key: &Pubkey) -> MarginAccount {
        let data = self.account(key).expect("margin account exists").data;
        bytemuck::pod_read_unaligned(&data[8..8 + core::mem::size_of::<MarginAccount>()])
    }

    // ---- SPL Token --------------------------------------------------------------------------

    pub fn create_mint(&mut self) -> Pubkey {
        let mint = Keypair::new();
        let len = spl_token_interface::state::Mint::LEN;
        let payer = self.payer.pubkey();
        let ixs = [
            solana_system_interface::instruction::create_account(
                &payer,
                &mint.pubkey(),
                self.svm.minimum_balance_for_rent_exemption(len),
                len as u64,
                &SPL_TOKEN,
            ),
            spl_token_interface::instruction::initialize_mint2(
                &SPL_TOKEN,
                &mint.pubkey(),
                &payer,
                None,
                DECIMALS,
            )
            .unwrap(),
        ];
        self.send(&ixs, &[&mint]).expect("create mint");
        mint.pubkey()
    }

    /// A token account of `owner` for asset `i` holding `amount` (minted by the payer).
    pub fn token_account(&mut self, owner: Pubkey, i: usize, amount: u64) -> Pubkey {
        let mint = self.assets[i].mint;
        let acc = Keypair::new();
        let len = spl_token_interface::state::Account::LEN;
        let payer = self.payer.pubkey();
        let mut ixs = vec![
            solana_system_interface::instruction::create_account(
                &payer,
                &acc.pubkey(),
                self.svm.minimum_balance_for_rent_exemption(len),
                len as u64,
                &SPL_TOKEN,
            ),
            spl_token_interface::instruction::initialize_account3(&SPL_TOKEN, &acc.pubkey(), &mint, &owner)
                .unwrap(),
        ];
        if amount > 0 {
            ixs.push(
                spl_token_interface::instruction::mint_to(
                    &SPL_TOKEN,
                    &mint,
                    &acc.pubkey(),
                    &payer,
                    &[],
                    amount,
                )
                .unwrap(),
            );
        }
        self.send(&ixs, &[&acc]).expect("token account");
        acc.pubkey()
    }

    // ---- Ballast ----------------------------------------------------------------------------

    /// Lists a new token priced at `price` by a Pyth pull account the asset pins
    /// (`config.oracle`, feed id set, oracle kind 0).
    pub fn list_asset(&mut self, price: f64) -> usize {
        let mint = self.create_mint();
        let feed_id = Pubkey::new_unique().to_bytes();
        let oracle = Pubkey::new_unique();
        let now = self.now();
        self.svm.set_account(oracle, pyth::pull_account(feed_id, price, 0.0, now)).unwrap();
        let admin = self.admin.insecure_clone();
        let template = if self.factors { every_factor_config(self.assets.len()) } else { default_config() };
        let register = |pinned: Pubkey| {
            let config = AssetConfig { feed_id, oracle: pinned, oracle_kind: 0, ..template };
            ballast_sdk::ix::register_asset(
                self.group,
                self.admin.pubkey(),
                self.payer.pubkey(),
                mint,
                SPL_TOKEN,
                oracle,
                config,
            )
        };
        let (pinned, unpinned) = (register(oracle), register(Pubkey::default()));
        if let Err(e) = self.send(&[pinned], &[&admin]) {
            // Builds from before pull assets pinned their account take the feed id alone.
            if !e.logs.iter().any(|l| l.contains("InvalidOracleConfig")) {
                panic!("register_asset: {e}");
            }
            self.send(&[unpinned], &[&admin]).expect("register_asset (feed id only)");
        }
        let asset = ballast_sdk::ix::asset_address(&self.group, &mint);
        let index = self.assets.len() as u16;
        self.assets.push(Listed { mint, asset, oracle, feed_id, index, price });
        self.assets.len() - 1
    }

    /// Every oracle republished now at its asset's price.
    pub fn refresh_prices(&mut self) {
        let now = self.now();
        for a in &self.assets {
            self.svm.set_account(a.oracle, pyth::pull_account(a.feed_id, a.price, 0.0, now)).unwrap();
        }
    }

    /// A new owner with margin account 0.
    pub fn new_trader(&mut self) -> (Keypair, Pubkey) {
        let user = Keypair::new();
        let (account, ix) =
            ballast_sdk::ix::create_account(self.group, user.pubkey(), self.payer.pubkey(), 0);
        self.send(&[ix], &[&user]).expect("create_account");
        (user, account)
    }

    fn decode<T: bytemuck::Pod + anchor_lang::Discriminator>(&self, key: &Pubkey, what: &'static str) -> T {
        ballast_sdk::decode(key, &self.account(key).expect("account exists").data, what).unwrap()
    }

    /// The group as the SDK's builders take it, from the chain's accounts (LiteSVM has no
    /// program-account scan; the bench knows its assets). Oracle accounts are not loaded: the
    /// builders only need their addresses.
    pub fn snapshot(&self) -> GroupSnapshot {
        let assets = self
            .assets
            .iter()
            .map(|a| AssetEntry {
                key: a.asset,
                state: self.decode(&a.asset, "Asset"),
                oracle_key: a.oracle,
                oracle: None,
            })
            .collect();
        GroupSnapshot {
            key: self.group,
            group: self.decode(&self.group, "Group"),
            assets,
            markets: vec![],
            now: self.now(),
        }
    }

    /// Deposits `amount` of asset `i` from a freshly funded wallet of `user`.
    pub fn deposit(&mut self, user: &Keypair, account: Pubkey, i: usize, amount: u64) {
        let from = self.token_account(user.pubkey(), i, amount);
        let ix = self.snapshot().deposit(account, self.assets[i].index, from, user.pubkey(), amount).unwrap();
        self.send(&[ix], &[user]).expect("deposit");
    }

    /// The account's state with `owner` as the instruction's signer (the SDK takes the owner
    /// from the account).
    fn signed_by(&self, account: Pubkey, owner: Pubkey) -> MarginAccount {
        MarginAccount { owner, ..self.margin_account(&account) }
    }

    pub fn withdraw_ix(
        &self,
        owner: Pubkey,
        account: Pubkey,
        i: usize,
        to: Pubkey,
        amount: u64,
    ) -> Instruction {
        let state = self.signed_by(account, owner);
        self.snapshot().withdraw(account, &state, self.assets[i].index, to, amount).unwrap()
    }

    pub fn borrow_ix(
        &self,
        owner: Pubkey,
        account: Pubkey,
        i: usize,
        to: Pubkey,
        amount: u64,
    ) -> Instruction {
        let state = self.signed_by(account, owner);
        self.snapshot().borrow(account, &state, self.assets[i].index, to, amount).unwrap()
    }

    /// Liquidate: the health accounts are the union of both accounts' assets (the liquidatee's,
    /// then the liquidator's others), writable.
    pub fn liquidate_ix(
        &self,
        liquidator: Pubkey,
        liquidator_account: Pubkey,
        liquidatee_account: Pubkey,
        liab: usize,
        max_liab_amount: u64,
    ) -> Instruction {
        self.snapshot()
            .liquidate(
                liquidator,
                liquidator_account,
                &self.margin_account(&liquidator_account),
                liquidatee_account,
                &self.margin_account(&liquidatee_account),
                self.assets[liab].index,
                max_liab_amount,
                10_000,
            )
            .unwrap()
    }
}
