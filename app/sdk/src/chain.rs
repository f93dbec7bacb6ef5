//! What the SDK needs from a cluster, over JSON-RPC or the in-process test chain.

use crate::{SdkError, SdkResult};
use anchor_lang::prelude::Pubkey;
use solana_account::Account;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;
use solana_transaction::Transaction;

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
    /// Signs with `payer` and `signers`, sends, waits for confirmation.
    async fn send(&self, ixs: &[Instruction], payer: &Keypair, signers: &[&Keypair]) -> SdkResult<String>;
    /// The cluster's clock.
    async fn unix_timestamp(&self) -> SdkResult<i64>;
}

#[cfg(feature = "rpc")]
pub mod rpc {
    use super::*;
    use solana_account_decoder_client_types::UiAccountEncoding;
    use solana_rpc_client::nonblocking::rpc_client::RpcClient;
    use solana_rpc_client_types::config::{RpcAccountInfoConfig, RpcProgramAccountsConfig};
    use solana_rpc_client_types::filter::{Memcmp, RpcFilterType};

    /// A cluster over JSON-RPC (confirmed commitment).
    pub struct RpcChain {
        pub client: RpcClient,
    }

    impl RpcChain {
        pub fn new(url: &str) -> RpcChain {
            RpcChain {
                client: RpcClient::new_with_commitment(
                    url.to_string(),
                    solana_commitment_config::CommitmentConfig::confirmed(),
                ),
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
            let mut filters = vec![RpcFilterType::DataSize(filter.data_size as u64)];
            filters.extend(
                filter
                    .memcmp
                    .iter()
                    .map(|(o, b)| RpcFilterType::Memcmp(Memcmp::new_raw_bytes(*o, b.clone()))),
            );
            let config = RpcProgramAccountsConfig {
                filters: Some(filters),
                account_config: RpcAccountInfoConfig {
                    encoding: Some(UiAccountEncoding::Base64),
                    ..RpcAccountInfoConfig::default()
                },
                ..RpcProgramAccountsConfig::default()
            };
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
            let mut keys: Vec<&Keypair> = vec![payer];
            keys.extend_from_slice(signers);
            let tx = Transaction::new_signed_with_payer(ixs, Some(&payer.pubkey()), &keys, blockhash);
            let sig = self
                .client
                .send_and_confirm_transaction(&tx)
                .await
                .map_err(|e| SdkError::Program(e.to_string()))?;
            Ok(sig.to_string())
        }

        async fn unix_timestamp(&self) -> SdkResult<i64> {
            let slot = self.client.get_slot().await.map_err(transport)?;
            self.client.get_block_time(slot).await.map_err(transport)
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

    /// The program's Anchor entrypoint in the plain function shape solana-program-test's
    /// `processor!` takes for a natively run program (Anchor ties all account lifetimes to one).
    pub fn native_entry(
        program_id: &Pubkey,
        accounts: &[anchor_lang::prelude::AccountInfo],
        data: &[u8],
    ) -> anchor_lang::solana_program::entrypoint::ProgramResult {
        // SAFETY: the accounts outlive the call; Anchor only needs one lifetime for all of them.
        let accounts: &[anchor_lang::prelude::AccountInfo] = unsafe { core::mem::transmute(accounts) };
        ballast::entry(program_id, accounts, data)
    }

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
            let mut keys: Vec<&Keypair> = vec![payer];
            keys.extend_from_slice(signers);
            // The in-process bank answers a repeated transaction (same instructions, same
            // blockhash) from its status cache instead of running it; a self-transfer of a fresh
            // number of lamports makes every send unique, so retries really retry.
            let n = self.nonce.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            let mut all = ixs.to_vec();
            all.push(solana_system_interface::instruction::transfer(&payer.pubkey(), &payer.pubkey(), n));
            let tx = Transaction::new_signed_with_payer(&all, Some(&payer.pubkey()), &keys, blockhash);
            let sig = tx.signatures[0].to_string();
            client.process_transaction(tx).await.map_err(|e| SdkError::Program(format!("{e:?}")))?;
            Ok(sig)
        }

        async fn unix_timestamp(&self) -> SdkResult<i64> {
            let clock: Clock = self.client.clone().get_sysvar().await.map_err(transport)?;
            Ok(clock.unix_timestamp)
        }
    }
}
