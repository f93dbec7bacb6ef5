//! What the SDK needs from a cluster, over JSON-RPC or the in-process test chain.

use crate::lookup_table::LookupTable;
use crate::{SdkError, SdkResult};
use anchor_lang::prelude::Pubkey;
use solana_account::Account;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_message::AddressLookupTableAccount;
#[cfg(any(feature = "rpc", feature = "banks"))]
use solana_signer::Signer;
use solana_transaction::Transaction;

/// The SlotHashes sysvar: the hashes of the most recent slots (up to 512), newest first.
pub const SLOT_HASHES_SYSVAR: Pubkey = Pubkey::from_str_const("SysvarS1otHashes111111111111111111111111111");
/// The Clock sysvar: the slot and the unix time the programs see.
pub const CLOCK_SYSVAR: Pubkey = Pubkey::from_str_const("SysvarC1ock11111111111111111111111111111111");

/// A filter for a program-account scan: accounts of exactly `data_size` bytes whose data at
/// `offset` equals `bytes`.
#[derive(Debug, Clone)]
pub struct AccountFilter {
    pub data_size: usize,
    pub memcmp: Vec<(usize, Vec<u8>)>,
}

impl AccountFilter {
    pub fn matches(&self, data: &[u8]) -> bool {
        data.len() == self.data_size
            && self.memcmp.iter().all(|(o, b)| data.get(*o..o + b.len()).is_some_and(|d| d == &b[..]))
    }
}

#[allow(async_fn_in_trait)]
pub trait Chain {
    async fn account(&self, key: &Pubkey) -> SdkResult<Option<Account>>;
    async fn accounts(&self, keys: &[Pubkey]) -> SdkResult<Vec<Option<Account>>> {
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            out.push(self.account(k).await?);
        }
        Ok(out)
    }
    /// All accounts of `program` matching `filter` (getProgramAccounts).
    async fn program_accounts(
        &self,
        program: &Pubkey,
        filter: &AccountFilter,
    ) -> SdkResult<Vec<(Pubkey, Account)>>;
    /// Signs with `payer` and `signers`, sends as a legacy transaction, waits for confirmation.
    async fn send(&self, ixs: &[Instruction], payer: &Keypair, signers: &[&Keypair]) -> SdkResult<String>;
    /// Like [`send`](Chain::send), as a v0 transaction that loads every account it can from
    /// `tables` (an account reaches the message as a 1-byte index instead of 32 bytes; signers
    /// and invoked programs stay static). Refused before sending when the transaction would be
    /// over 1232 bytes or 64 account locks (`tx::checked_v0_message`). Pass each table as it is
    /// usable now (`LookupTable::usable_at`): an address added in the current slot is not yet.
    async fn send_versioned(
        &self,
        ixs: &[Instruction],
        payer: &Keypair,
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> SdkResult<String>;
    /// `ixs` as an unsigned legacy transaction paid by `payer`, with a recent blockhash: for a
    /// transaction signed in several places (`cosign`).
    async fn unsigned_transaction(&self, ixs: &[Instruction], payer: &Pubkey) -> SdkResult<Transaction>;
    /// Sends a transaction every signer has signed; waits for confirmation.
    async fn send_transaction(&self, tx: &Transaction) -> SdkResult<String>;
    /// The compute units `ixs` would consume, paid by `payer`, simulated against the chain's
    /// latest state without signatures (through `tables` as v0 when any are given). A
    /// transaction the simulation refuses is an error, with its logs, and costs nothing.
    /// `Ok(None)` where the chain does not simulate (the in-process chains: there the estimate
    /// from the positions stands).
    async fn simulate_units(
        &self,
        _ixs: &[Instruction],
        _payer: &Pubkey,
        _tables: &[AddressLookupTableAccount],
    ) -> SdkResult<Option<u64>> {
        Ok(None)
    }
    /// The cluster's clock.
    async fn unix_timestamp(&self) -> SdkResult<i64>;
    /// The slot the chain is at (confirmed, over RPC): a transaction sent now lands in it or a
    /// later one.
    async fn slot(&self) -> SdkResult<u64>;
    /// Returns (the slot reached) once the chain is at `slot` or later. Over RPC it polls, up to
    /// `RpcChain::slot_timeout`; the in-process chain never advances by itself (only a test's
    /// `warp_to_slot` moves it), so there it returns at once, with
    /// [`SdkError::SlotNotReached`] when the slot is still ahead.
    async fn wait_for_slot(&self, slot: u64) -> SdkResult<u64> {
        let current = self.slot().await?;
        if current >= slot {
            Ok(current)
        } else {
            Err(SdkError::SlotNotReached { slot, current })
        }
    }
    /// A slot in the SlotHashes sysvar (its newest entry): what `CreateLookupTable` needs to
    /// derive a table's address and accepts for the next transactions.
    async fn recent_slot(&self) -> SdkResult<u64> {
        let sysvar =
            self.account(&SLOT_HASHES_SYSVAR).await?.ok_or(SdkError::AccountNotFound(SLOT_HASHES_SYSVAR))?;
        // u64 count, then (u64 slot, 32-byte hash) entries, newest first.
        match sysvar.data.get(..16) {
            Some(d) if d[..8] != [0; 8] => Ok(u64::from_le_bytes(d[8..16].try_into().expect("8 bytes"))),
            _ => Err(SdkError::Program("the SlotHashes sysvar is empty".into())),
        }
    }
    /// An address lookup table, decoded (None when there is no account at `key`).
    async fn lookup_table(&self, key: &Pubkey) -> SdkResult<Option<LookupTable>> {
        match self.account(key).await? {
            Some(a) => LookupTable::from_account(key, &a).map(Some),
            None => Ok(None),
        }
    }
}

/// `unix_timestamp` of the Clock sysvar's bincode bytes: slot, epoch_start_timestamp, epoch and
/// leader_schedule_epoch (8 bytes each) come first.
pub fn clock_unix_timestamp(data: &[u8]) -> Option<i64> {
    Some(i64::from_le_bytes(data.get(32..40)?.try_into().ok()?))
}

/// The keypairs that sign a transaction: the fee payer first, then `signers`.
pub fn signing_keys<'a>(payer: &'a Keypair, signers: &[&'a Keypair]) -> Vec<&'a Keypair> {
    let mut keys = vec![payer];
    keys.extend_from_slice(signers);
    keys
}

/// `ixs` then a self-transfer of `nonce` lamports by `payer`, for the in-process chains: a
/// bank answers a repeated transaction (same instructions, same blockhash) from its status
/// cache instead of running it; a fresh `nonce` per send makes every transaction unique, so
/// retries really retry (and a test repeating an instruction is never deduplicated).
pub fn unique_instructions(ixs: &[Instruction], payer: &Pubkey, nonce: u64) -> Vec<Instruction> {
    let mut all = ixs.to_vec();
    all.push(solana_system_interface::instruction::transfer(payer, payer, nonce));
    all
}

#[cfg(feature = "rpc")]
pub mod rpc {
    use super::*;
    use solana_account_decoder_client_types::UiAccountEncoding;
    use solana_message::VersionedMessage;
    use solana_rpc_client::nonblocking::rpc_client::RpcClient;
    use solana_rpc_client_types::config::{
        RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSimulateTransactionConfig,
    };
    use solana_rpc_client_types::filter::{Memcmp, RpcFilterType};
    use solana_transaction::versioned::VersionedTransaction;

    /// `filter` as getProgramAccounts and programSubscribe take it (data size, then each
    /// memcmp; base64 accounts), at `commitment` (None: the client's).
    pub fn program_accounts_config(
        filter: &AccountFilter,
        commitment: Option<solana_commitment_config::CommitmentConfig>,
    ) -> RpcProgramAccountsConfig {
        let mut filters = vec![RpcFilterType::DataSize(filter.data_size as u64)];
        filters.extend(
            filter.memcmp.iter().map(|(o, b)| RpcFilterType::Memcmp(Memcmp::new_raw_bytes(*o, b.clone()))),
        );
        RpcProgramAccountsConfig {
            filters: Some(filters),
            account_config: RpcAccountInfoConfig {
                encoding: Some(UiAccountEncoding::Base64),
                commitment,
                ..RpcAccountInfoConfig::default()
            },
            ..RpcProgramAccountsConfig::default()
        }
    }

    /// A cluster over JSON-RPC (confirmed commitment).
    pub struct RpcChain {
        pub client: RpcClient,
        /// How long `wait_for_slot` polls before giving up (default 30 s: about 75 slots).
        pub slot_timeout: std::time::Duration,
    }

    impl RpcChain {
        pub fn new(url: &str) -> RpcChain {
            RpcChain {
                client: RpcClient::new_with_commitment(
                    url.to_string(),
                    solana_commitment_config::CommitmentConfig::confirmed(),
                ),
                slot_timeout: std::time::Duration::from_secs(30),
            }
        }
    }

    fn transport<E: core::fmt::Display>(e: E) -> SdkError {
        SdkError::Transport(e.to_string())
    }

    impl Chain for RpcChain {
        async fn account(&self, key: &Pubkey) -> SdkResult<Option<Account>> {
            Ok(self
                .client
                .get_account_with_commitment(key, self.client.commitment())
                .await
                .map_err(transport)?
                .value)
        }

        async fn accounts(&self, keys: &[Pubkey]) -> SdkResult<Vec<Option<Account>>> {
            let mut out = Vec::with_capacity(keys.len());
            for chunk in keys.chunks(100) {
                out.extend(self.client.get_multiple_accounts(chunk).await.map_err(transport)?);
            }
            Ok(out)
        }

        async fn program_accounts(
            &self,
            program: &Pubkey,
            filter: &AccountFilter,
        ) -> SdkResult<Vec<(Pubkey, Account)>> {
            let config = program_accounts_config(filter, None);
            // The raw-Account variant is deprecated in favour of UiAccount; the bytes are the same.
            #[allow(deprecated)]
            let accounts =
                self.client.get_program_accounts_with_config(program, config).await.map_err(transport)?;
            Ok(accounts)
        }

        async fn send(
            &self,
            ixs: &[Instruction],
            payer: &Keypair,
            signers: &[&Keypair],
        ) -> SdkResult<String> {
            let blockhash = self.client.get_latest_blockhash().await.map_err(transport)?;
            let keys = super::signing_keys(payer, signers);
            let tx = Transaction::new_signed_with_payer(ixs, Some(&payer.pubkey()), &keys, blockhash);
            let sig = self
                .client
                .send_and_confirm_transaction(&tx)
                .await
                .map_err(|e| SdkError::Program(e.to_string()))?;
            Ok(sig.to_string())
        }

        async fn send_versioned(
            &self,
            ixs: &[Instruction],
            payer: &Keypair,
            signers: &[&Keypair],
            tables: &[AddressLookupTableAccount],
        ) -> SdkResult<String> {
            let blockhash = self.client.get_latest_blockhash().await.map_err(transport)?;
            let message = crate::tx::checked_v0_message(&payer.pubkey(), ixs, tables, blockhash)?;
            let keys = super::signing_keys(payer, signers);
            let tx = crate::tx::sign(message, &keys)?;
            let sig = self
                .client
                .send_and_confirm_transaction(&tx)
                .await
                .map_err(|e| SdkError::Program(e.to_string()))?;
            Ok(sig.to_string())
        }

        async fn unsigned_transaction(&self, ixs: &[Instruction], payer: &Pubkey) -> SdkResult<Transaction> {
            let mut tx = Transaction::new_unsigned(solana_message::Message::new(ixs, Some(payer)));
            tx.message.recent_blockhash = self.client.get_latest_blockhash().await.map_err(transport)?;
            Ok(tx)
        }

        async fn send_transaction(&self, tx: &Transaction) -> SdkResult<String> {
            let sig = self
                .client
                .send_and_confirm_transaction(tx)
                .await
                .map_err(|e| SdkError::Program(e.to_string()))?;
            Ok(sig.to_string())
        }

        async fn simulate_units(
            &self,
            ixs: &[Instruction],
            payer: &Pubkey,
            tables: &[AddressLookupTableAccount],
        ) -> SdkResult<Option<u64>> {
            // The node puts its own blockhash in (`replace_recent_blockhash`).
            let blockhash = Default::default();
            let message = if tables.is_empty() {
                VersionedMessage::Legacy(solana_message::Message::new_with_blockhash(
                    ixs,
                    Some(payer),
                    &blockhash,
                ))
            } else {
                crate::tx::checked_v0_message(payer, ixs, tables, blockhash)?
            };
            let signatures = vec![
                solana_signature::Signature::default();
                message.header().num_required_signatures as usize
            ];
            let tx = VersionedTransaction { signatures, message };
            let config = RpcSimulateTransactionConfig {
                sig_verify: false,
                replace_recent_blockhash: true,
                commitment: Some(self.client.commitment()),
                ..RpcSimulateTransactionConfig::default()
            };
            let result =
                self.client.simulate_transaction_with_config(&tx, config).await.map_err(transport)?.value;
            if let Some(err) = result.err {
                let logs = result.logs.unwrap_or_default().join(" | ");
                return Err(SdkError::Program(format!("refused in simulation: {err:?}; logs: {logs}")));
            }
            Ok(result.units_consumed)
        }

        /// The Clock sysvar's time, which is what the program judges staleness by (a block's
        /// time, `getBlockTime`, is not yet available for the newest confirmed slot).
        async fn unix_timestamp(&self) -> SdkResult<i64> {
            let account =
                self.account(&CLOCK_SYSVAR).await?.ok_or(SdkError::AccountNotFound(CLOCK_SYSVAR))?;
            clock_unix_timestamp(&account.data)
                .ok_or_else(|| SdkError::Transport("short Clock sysvar".into()))
        }

        async fn slot(&self) -> SdkResult<u64> {
            self.client.get_slot().await.map_err(transport)
        }

        async fn wait_for_slot(&self, slot: u64) -> SdkResult<u64> {
            let started = std::time::Instant::now();
            loop {
                let current = self.slot().await?;
                if current >= slot {
                    return Ok(current);
                }
                if started.elapsed() >= self.slot_timeout {
                    return Err(SdkError::SlotNotReached { slot, current });
                }
                // The client has no sleep of its own to lend; waiting for the next blockhash
                // polls about twice a slot (and gives up after 5 s, when the loop asks again).
                let hash = self.client.get_latest_blockhash().await.map_err(transport)?;
                let _ = self.client.get_new_latest_blockhash(&hash).await;
            }
        }
    }
}

// BanksClient is marked for Agave's unstable API from v4; program-test 3.1 is what we run.
#[cfg(feature = "banks")]
#[allow(deprecated)]
pub mod banks {
    use super::*;
    use anchor_lang::prelude::Clock;
    use solana_banks_client::BanksClient;
    use std::sync::Mutex;

    /// The in-process chain of solana-program-test. BanksClient has no program-account scan,
    /// so the chain scans the accounts registered with `track` (the sandbox registers every
    /// margin account and asset it creates); everything else is the real runtime.
    pub struct BanksChain {
        pub client: BanksClient,
        tracked: Mutex<Vec<Pubkey>>,
        nonce: std::sync::atomic::AtomicU64,
    }

    impl BanksChain {
        pub fn new(client: BanksClient) -> BanksChain {
            BanksChain { client, tracked: Mutex::new(vec![]), nonce: std::sync::atomic::AtomicU64::new(0) }
        }

        pub fn track(&self, key: Pubkey) {
            let mut t = self.tracked.lock().unwrap();
            if !t.contains(&key) {
                t.push(key);
            }
        }
    }

    fn transport<E: core::fmt::Debug>(e: E) -> SdkError {
        SdkError::Transport(format!("{e:?}"))
    }

    impl Chain for BanksChain {
        async fn account(&self, key: &Pubkey) -> SdkResult<Option<Account>> {
            self.client.clone().get_account(*key).await.map_err(transport)
        }

        async fn program_accounts(
            &self,
            program: &Pubkey,
            filter: &AccountFilter,
        ) -> SdkResult<Vec<(Pubkey, Account)>> {
            let keys = self.tracked.lock().unwrap().clone();
            let mut out = vec![];
            for k in keys {
                if let Some(a) = self.account(&k).await? {
                    if a.owner == *program && filter.matches(&a.data) {
                        out.push((k, a));
                    }
                }
            }
            Ok(out)
        }

        async fn send(
            &self,
            ixs: &[Instruction],
            payer: &Keypair,
            signers: &[&Keypair],
        ) -> SdkResult<String> {
            let client = self.client.clone();
            let blockhash = client.get_latest_blockhash().await.map_err(transport)?;
            let keys = super::signing_keys(payer, signers);
            let n = self.nonce.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            let all = unique_instructions(ixs, &payer.pubkey(), n);
            // A program at static index 38 or more would panic the bank's thread (and hang every
            // later call); refuse instead.
            if crate::tx::program_index_overflows(&payer.pubkey(), &all) {
                return Err(SdkError::Program(format!(
                    "legacy transaction of {} accounts: an instruction's program is at a static \
                     index of {} or more, which solana-program-test 3.1 cannot process; send it \
                     as v0 with a lookup table (send_versioned)",
                    crate::tx::account_locks(&payer.pubkey(), &all),
                    crate::tx::MAX_STATIC_ACCOUNTS_PER_PACKET
                )));
            }
            let tx = Transaction::new_signed_with_payer(&all, Some(&payer.pubkey()), &keys, blockhash);
            let sig = tx.signatures[0].to_string();
            client.process_transaction(tx).await.map_err(|e| SdkError::Program(format!("{e:?}")))?;
            Ok(sig)
        }

        async fn send_versioned(
            &self,
            ixs: &[Instruction],
            payer: &Keypair,
            signers: &[&Keypair],
            tables: &[AddressLookupTableAccount],
        ) -> SdkResult<String> {
            let client = self.client.clone();
            let blockhash = client.get_latest_blockhash().await.map_err(transport)?;
            let keys = super::signing_keys(payer, signers);
            // Unique like `send`'s (the self-transfer's System program stays static: programs
            // are never loaded from a table).
            let n = self.nonce.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            let all = unique_instructions(ixs, &payer.pubkey(), n);
            let message = crate::tx::checked_v0_message(&payer.pubkey(), &all, tables, blockhash)?;
            let tx = crate::tx::sign(message, &keys)?;
            let sig = tx.signatures[0].to_string();
            client.process_transaction(tx).await.map_err(|e| SdkError::Program(format!("{e:?}")))?;
            Ok(sig)
        }

        async fn unsigned_transaction(&self, ixs: &[Instruction], payer: &Pubkey) -> SdkResult<Transaction> {
            let mut tx = Transaction::new_unsigned(solana_message::Message::new(ixs, Some(payer)));
            tx.message.recent_blockhash =
                self.client.clone().get_latest_blockhash().await.map_err(transport)?;
            Ok(tx)
        }

        async fn send_transaction(&self, tx: &Transaction) -> SdkResult<String> {
            let sig = tx.signatures[0].to_string();
            self.client
                .clone()
                .process_transaction(tx.clone())
                .await
                .map_err(|e| SdkError::Program(format!("{e:?}")))?;
            Ok(sig)
        }

        async fn unix_timestamp(&self) -> SdkResult<i64> {
            let clock: Clock = self.client.clone().get_sysvar().await.map_err(transport)?;
            Ok(clock.unix_timestamp)
        }

        /// The working bank's slot (program-test keeps every commitment level on it).
        async fn slot(&self) -> SdkResult<u64> {
            let clock: Clock = self.client.clone().get_sysvar().await.map_err(transport)?;
            Ok(clock.slot)
        }
    }
}
