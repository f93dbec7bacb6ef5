//! The sandbox's chain: LiteSVM with the Ballast program and the stand-in DAO compiled for the
//! host and run as builtins ([`crate::native`]), the SPL Token and Token-2022 programs LiteSVM
//! ships (their SBF builds, in its VM), and the SDK's [`Chain`] on top, so the keeper and the
//! SDK drive it as they drive a cluster.
//!
//! Against program-test's bank it differs in what a sandbox does not need:
//! - no banks server, no accounts-db, no status cache: a fresh nonce per send keeps transactions
//!   unique anyway, but a pre-signed transaction sent twice would run twice;
//! - only the latest blockhash is accepted, and every warp moves it: a transaction signed before
//!   a warp (`unsigned_transaction`, co-signing) must be sent before it;
//! - mainnet's feature set (LiteSVM's), where program-test activates every feature: SPL Token's
//!   address runs p-token, the Token program mainnet runs;
//! - SlotHashes is written here (a slot and its blockhash on each warp; LiteSVM writes it once, at
//!   genesis), because the keeper derives its lookup table from a recent slot.

use crate::{dao, native_entry, unique_instructions};
use anchor_lang::prelude::{Clock, Pubkey, Rent};
use ballast_sdk::chain::{AccountFilter, Chain};
use ballast_sdk::{SdkError, SdkResult};
use litesvm::types::FailedTransactionMetadata;
use litesvm::LiteSVM;
use solana_account::{Account, ReadableAccount};
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_message::AddressLookupTableAccount;
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;
use solana_transaction::Transaction;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// The payer's starting balance: 1,000,000 SOL.
const PAYER_LAMPORTS: u64 = 1_000_000_000_000_000;
/// SlotHashes holds at most this many entries, newest first.
const MAX_SLOT_HASHES: usize = 512;

pub struct SvmChain {
    svm: Mutex<LiteSVM>,
    slot_hashes: Mutex<Vec<(u64, solana_message::Hash)>>,
    nonce: AtomicU64,
    /// Funded at start; pays for every transaction the sandbox sends.
    pub payer: Keypair,
}

impl Default for SvmChain {
    fn default() -> Self {
        SvmChain::new()
    }
}

impl SvmChain {
    /// A chain at slot 1 with Ballast and the stand-in DAO as builtins and a funded payer.
    pub fn new() -> SvmChain {
        let mut svm = LiteSVM::new().with_log_bytes_limit(None).with_transaction_history(0);
        svm.add_builtin(ballast::ID, crate::native_builtin!(native_entry));
        svm.add_builtin(dao::ID, crate::native_builtin!(dao::process));
        let payer = Keypair::new();
        let funded = Account {
            lamports: PAYER_LAMPORTS,
            owner: solana_system_interface::program::ID,
            ..Account::default()
        };
        svm.set_account(payer.pubkey(), funded).expect("fund the payer");
        let chain = SvmChain {
            svm: Mutex::new(svm),
            slot_hashes: Mutex::new(vec![]),
            nonce: AtomicU64::new(0),
            payer,
        };
        chain.warp_to_slot(1);
        chain
    }

    fn svm(&self) -> std::sync::MutexGuard<'_, LiteSVM> {
        self.svm.lock().expect("the chain's lock")
    }

    /// Writes `account` at `key` as it is (an oracle update, a test's fixture).
    pub fn set_account(&self, key: Pubkey, account: Account) {
        self.svm().set_account(key, account).expect("set_account");
    }

    pub fn clock(&self) -> Clock {
        self.svm().get_sysvar()
    }

    pub fn rent(&self) -> Rent {
        self.svm().get_sysvar()
    }

    /// Moves to `slot` with a fresh blockhash, and records the slot in SlotHashes.
    fn warp_to_slot(&self, slot: u64) {
        let mut svm = self.svm();
        svm.warp_to_slot(slot);
        svm.expire_blockhash();
        let mut hashes = self.slot_hashes.lock().expect("slot hashes");
        hashes.insert(0, (slot, svm.latest_blockhash()));
        hashes.truncate(MAX_SLOT_HASHES);
        svm.set_sysvar(&solana_slot_hashes::SlotHashes::new(&hashes));
    }

    /// One slot on, with the clock at `unix_timestamp` (the caller's timeline, not the wall's).
    pub fn warp_to_time(&self, unix_timestamp: i64) {
        self.warp_to_slot(self.clock().slot + 1);
        let mut clock = self.clock();
        clock.unix_timestamp = unix_timestamp;
        self.svm().set_sysvar(&clock);
    }

    fn next_nonce(&self) -> u64 {
        self.nonce.fetch_add(1, Ordering::Relaxed) + 1
    }

    fn process(&self, tx: VersionedTransaction) -> SdkResult<String> {
        let sig = tx.signatures[0].to_string();
        self.svm().send_transaction(tx).map_err(failed)?;
        Ok(sig)
    }
}

/// A failed transaction as the SDK reports it: the error, and the log lines that say why (the
/// program's Anchor error, a failed program).
fn failed(f: FailedTransactionMetadata) -> SdkError {
    let why: Vec<&str> = f
        .meta
        .logs
        .iter()
        .map(String::as_str)
        .filter(|l| l.starts_with("Program log: AnchorError") || l.contains(" failed: "))
        .collect();
    SdkError::Program(format!("{:?}: {}", f.err, why.join(" | ")))
}

impl Chain for SvmChain {
    async fn account(&self, key: &Pubkey) -> SdkResult<Option<Account>> {
        // LiteSVM drops an account whose lamports reach zero; a bank and RPC show none either.
        Ok(self.svm().get_account(key).filter(|a| a.lamports > 0))
    }

    /// A scan of every account on the chain, as getProgramAccounts does.
    async fn program_accounts(
        &self,
        program: &Pubkey,
        filter: &AccountFilter,
    ) -> SdkResult<Vec<(Pubkey, Account)>> {
        let svm = self.svm();
        let mut out: Vec<(Pubkey, Account)> = svm
            .accounts_db()
            .inner
            .iter()
            .filter(|(_, a)| a.owner() == program && filter.matches(a.data()))
            .map(|(k, a)| (*k, a.clone().into()))
            .collect();
        // By address, as the map's order means nothing (nor does a cluster's).
        out.sort_by_key(|(k, _)| *k);
        Ok(out)
    }

    async fn send(&self, ixs: &[Instruction], payer: &Keypair, signers: &[&Keypair]) -> SdkResult<String> {
        let all = unique_instructions(ixs, &payer.pubkey(), self.next_nonce());
        let keys = ballast_sdk::chain::signing_keys(payer, signers);
        let blockhash = self.svm().latest_blockhash();
        let tx = Transaction::new_signed_with_payer(&all, Some(&payer.pubkey()), &keys, blockhash);
        self.process(tx.into())
    }

    async fn send_versioned(
        &self,
        ixs: &[Instruction],
        payer: &Keypair,
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> SdkResult<String> {
        let all = unique_instructions(ixs, &payer.pubkey(), self.next_nonce());
        let keys = ballast_sdk::chain::signing_keys(payer, signers);
        let blockhash = self.svm().latest_blockhash();
        let message = ballast_sdk::tx::checked_v0_message(&payer.pubkey(), &all, tables, blockhash)?;
        self.process(ballast_sdk::tx::sign(message, &keys)?)
    }

    async fn unsigned_transaction(&self, ixs: &[Instruction], payer: &Pubkey) -> SdkResult<Transaction> {
        let mut tx = Transaction::new_unsigned(solana_message::Message::new(ixs, Some(payer)));
        tx.message.recent_blockhash = self.svm().latest_blockhash();
        Ok(tx)
    }

    async fn send_transaction(&self, tx: &Transaction) -> SdkResult<String> {
        self.process(tx.clone().into())
    }

    async fn unix_timestamp(&self) -> SdkResult<i64> {
        Ok(self.clock().unix_timestamp)
    }

    async fn slot(&self) -> SdkResult<u64> {
        Ok(self.clock().slot)
    }
}
