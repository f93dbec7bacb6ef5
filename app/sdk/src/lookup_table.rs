//! Address lookup tables on chain: decoding one, the addresses a group's wide transactions need,
//! and keeping a table that holds them (created once, extended when assets are listed).
//!
//! A liquidation of an account at 16 positions names 36 accounts: 1,387 bytes as a legacy
//! transaction paid by the liquidator (1,483 with a separate fee payer), over the 1,232 of a
//! packet. As a v0 transaction that loads the group, the Assets and their oracles from a table
//! it is about 440 bytes (`tx::v0_message`). A table's new
//! addresses are usable from the slot after the one that added them, so a client builds the
//! table ahead ([`ensure_lookup_table`]) and waits for it ([`wait_until_usable`]) before the
//! first transaction that needs it.

use crate::chain::Chain;
use crate::snapshot::GroupSnapshot;
use crate::tx::{self, ADDRESS_LOOKUP_TABLE_PROGRAM_ID, LOOKUP_TABLE_MAX_ADDRESSES};
use crate::{SdkError, SdkResult};
use anchor_lang::prelude::Pubkey;
use solana_account::Account;
use solana_keypair::Keypair;
use solana_message::AddressLookupTableAccount;
use solana_signer::Signer;

/// Bytes of a table's header (`LookupTableMeta` in its 56-byte slot); addresses follow.
pub const LOOKUP_TABLE_META_SIZE: usize = 56;

/// An address lookup table account, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupTable {
    pub key: Pubkey,
    /// Who may extend, deactivate and close it (None: frozen).
    pub authority: Option<Pubkey>,
    /// `u64::MAX` while active; the slot it was deactivated in otherwise.
    pub deactivation_slot: u64,
    /// The slot of the last extension: the addresses it added are usable from the next slot.
    pub last_extended_slot: u64,
    /// How many addresses the table had before the last extension.
    pub last_extended_slot_start_index: u8,
    pub addresses: Vec<Pubkey>,
}

impl LookupTable {
    /// Decodes the account data of the address-lookup-table program (`ProgramState`, bincode:
    /// a u32 tag, 1 for a table; deactivation slot, last extended slot, its start index, the
    /// optional authority; the addresses from byte 56).
    pub fn decode(key: &Pubkey, data: &[u8]) -> SdkResult<LookupTable> {
        let bad = || SdkError::WrongAccountType(*key, "address lookup table");
        if data.len() < LOOKUP_TABLE_META_SIZE || !(data.len() - LOOKUP_TABLE_META_SIZE).is_multiple_of(32) {
            return Err(bad());
        }
        let u64_at = |o: usize| u64::from_le_bytes(data[o..o + 8].try_into().expect("8 bytes"));
        if data[..4] != 1u32.to_le_bytes() {
            return Err(bad());
        }
        let authority = match data[21] {
            0 => None,
            1 => Some(Pubkey::new_from_array(data[22..54].try_into().expect("32 bytes"))),
            _ => return Err(bad()),
        };
        let addresses = data[LOOKUP_TABLE_META_SIZE..]
            .as_chunks::<32>()
            .0
            .iter()
            .map(|c| Pubkey::new_from_array(*c))
            .collect();
        Ok(LookupTable {
            key: *key,
            authority,
            deactivation_slot: u64_at(4),
            last_extended_slot: u64_at(12),
            last_extended_slot_start_index: data[20],
            addresses,
        })
    }

    /// [`decode`](Self::decode), after checking the account belongs to the lookup-table program.
    pub fn from_account(key: &Pubkey, account: &Account) -> SdkResult<LookupTable> {
        if account.owner != ADDRESS_LOOKUP_TABLE_PROGRAM_ID {
            return Err(SdkError::WrongAccountType(*key, "address lookup table"));
        }
        LookupTable::decode(key, &account.data)
    }

    /// Whether it has been deactivated (a deactivated table cannot be extended and, once its
    /// deactivation slot leaves SlotHashes, not used).
    pub fn is_deactivated(&self) -> bool {
        self.deactivation_slot != u64::MAX
    }

    /// The first slot in which every address is usable.
    pub fn ready_slot(&self) -> u64 {
        self.last_extended_slot.saturating_add(1)
    }

    /// How many of its addresses (a prefix) a transaction processed in `slot` may load: all of
    /// them after the slot of the last extension, else those that were there before it.
    pub fn usable_len(&self, slot: u64) -> usize {
        if slot > self.last_extended_slot {
            self.addresses.len()
        } else {
            usize::from(self.last_extended_slot_start_index).min(self.addresses.len())
        }
    }

    /// The table as a v0 message compiled for `slot` may use it (only its usable prefix, so
    /// the message never names an index the runtime would refuse).
    pub fn usable_at(&self, slot: u64) -> AddressLookupTableAccount {
        AddressLookupTableAccount {
            key: self.key,
            addresses: self.addresses[..self.usable_len(slot)].to_vec(),
        }
    }

    /// Every address, as a v0 message reads it once the table is ready.
    pub fn account(&self) -> AddressLookupTableAccount {
        AddressLookupTableAccount { key: self.key, addresses: self.addresses.clone() }
    }

    /// `wanted` addresses it does not hold, in `wanted`'s order, each once.
    pub fn missing(&self, wanted: &[Pubkey]) -> Vec<Pubkey> {
        let mut out: Vec<Pubkey> = vec![];
        for k in wanted {
            if !self.addresses.contains(k) && !out.contains(k) {
                out.push(*k);
            }
        }
        out
    }
}

/// The addresses a group's wide transactions load from a table, in a fixed order so a table
/// only ever grows at its end: the group; for each asset by index its Asset, its oracle (the
/// snapshot's, i.e. the pinned one unless overridden), its vault and its mint; then the token
/// programs. Liquidations and bankruptcy write-offs need the group, Assets and oracles; withdraw
/// and borrow at many positions also use the vault, mint and token program. Programs a
/// transaction invokes (Ballast itself) cannot be loaded from a table and are not listed; margin
/// accounts, token accounts and signers are per transaction and not listed either. 1 + 4 per
/// asset + the token programs: 63 assets fit in one table.
pub fn group_addresses(snapshot: &GroupSnapshot) -> Vec<Pubkey> {
    let mut out = vec![snapshot.key];
    let mut programs: Vec<Pubkey> = vec![];
    for a in &snapshot.assets {
        out.extend([a.key, a.oracle_key, a.state.vault, a.state.mint]);
        if !programs.contains(&a.state.token_program) {
            programs.push(a.state.token_program);
        }
    }
    out.extend(programs);
    out.extend(snapshot.markets.iter().map(|m| m.key));
    out
}

/// What [`ensure_lookup_table`] did.
#[derive(Debug, Clone)]
pub struct EnsuredTable {
    /// The table as it is on chain now.
    pub table: LookupTable,
    /// Whether it was created by this call.
    pub created: bool,
    /// Addresses this call added.
    pub added: usize,
    /// Transactions this call sent.
    pub transactions: usize,
}

impl EnsuredTable {
    /// Whether the table is usable in full at `slot`.
    pub fn ready_at(&self, slot: u64) -> bool {
        self.table.usable_len(slot) == self.table.addresses.len()
    }
}

/// Makes sure a lookup table owned by `authority` holds every address of `wanted`: reuses
/// `existing` when it is on chain, active and `authority`'s, extending it with what it lacks
/// (in transactions of `tx::MAX_ADDRESSES_PER_EXTEND` addresses); otherwise creates a new table
/// at a recent slot (`Chain::recent_slot`) and fills it. `payer` pays the rent (about 0.0013 SOL
/// plus 0.00022 per address) and the fees. Returns the table as it is now; what this call added
/// becomes usable from `table.ready_slot()` ([`wait_until_usable`]).
///
/// An `existing` table that cannot be used (closed, deactivated, another authority, or with no
/// room for the missing addresses: 256 at most) is left alone and a new one is made; the caller
/// keeps the returned key.
pub async fn ensure_lookup_table<C: Chain>(
    chain: &C,
    payer: &Keypair,
    authority: &Keypair,
    existing: Option<Pubkey>,
    wanted: &[Pubkey],
) -> SdkResult<EnsuredTable> {
    let signers: Vec<&Keypair> = if authority.pubkey() == payer.pubkey() { vec![] } else { vec![authority] };
    if let Some(key) = existing {
        let table = chain.lookup_table(&key).await?.filter(|t| !t.is_deactivated());
        if let Some(table) = table {
            let missing = table.missing(wanted);
            if missing.is_empty() {
                return Ok(EnsuredTable { table, created: false, added: 0, transactions: 0 });
            }
            let extendable = table.authority == Some(authority.pubkey())
                && table.addresses.len() + missing.len() <= LOOKUP_TABLE_MAX_ADDRESSES;
            if extendable {
                let txs = tx::extend_lookup_table(key, authority.pubkey(), payer.pubkey(), &missing);
                for ixs in &txs {
                    chain.send(ixs, payer, &signers).await?;
                }
                let table = chain.lookup_table(&key).await?.ok_or(SdkError::AccountNotFound(key))?;
                return Ok(EnsuredTable {
                    table,
                    created: false,
                    added: missing.len(),
                    transactions: txs.len(),
                });
            }
        }
    }
    let mut unique: Vec<Pubkey> = vec![];
    for k in wanted {
        if !unique.contains(k) {
            unique.push(*k);
        }
    }
    let recent_slot = chain.recent_slot().await?;
    let plan = tx::create_lookup_table(authority.pubkey(), payer.pubkey(), recent_slot, &unique)?;
    for ixs in &plan.transactions {
        chain.send(ixs, payer, &signers).await?;
    }
    let table = chain.lookup_table(&plan.address).await?.ok_or(SdkError::AccountNotFound(plan.address))?;
    Ok(EnsuredTable { table, created: true, added: unique.len(), transactions: plan.transactions.len() })
}

/// Waits until every address of `table` is usable (`Chain::wait_for_slot` of its ready slot)
/// and returns the slot reached. On the in-process chain, which does not advance by itself, this
/// is [`SdkError::SlotNotReached`] until the test warps past the table's last extension.
pub async fn wait_until_usable<C: Chain>(chain: &C, table: &LookupTable) -> SdkResult<u64> {
    chain.wait_for_slot(table.ready_slot()).await
}

/// The table of `group_addresses(snapshot)`: [`ensure_lookup_table`] then
/// [`wait_until_usable`]; returns it as a v0 message may use it now.
pub async fn group_lookup_table<C: Chain>(
    chain: &C,
    payer: &Keypair,
    authority: &Keypair,
    existing: Option<Pubkey>,
    snapshot: &GroupSnapshot,
) -> SdkResult<(EnsuredTable, AddressLookupTableAccount)> {
    let ensured = ensure_lookup_table(chain, payer, authority, existing, &group_addresses(snapshot)).await?;
    let slot = wait_until_usable(chain, &ensured.table).await?;
    let account = ensured.table.usable_at(slot);
    Ok((ensured, account))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(t: &LookupTable) -> Vec<u8> {
        let mut d = vec![0u8; LOOKUP_TABLE_META_SIZE];
        d[..4].copy_from_slice(&1u32.to_le_bytes());
        d[4..12].copy_from_slice(&t.deactivation_slot.to_le_bytes());
        d[12..20].copy_from_slice(&t.last_extended_slot.to_le_bytes());
        d[20] = t.last_extended_slot_start_index;
        if let Some(a) = t.authority {
            d[21] = 1;
            d[22..54].copy_from_slice(a.as_ref());
        }
        for a in &t.addresses {
            d.extend_from_slice(a.as_ref());
        }
        d
    }

    #[test]
    fn decodes_a_table_and_knows_what_is_usable_when() {
        let key = Pubkey::new_unique();
        let t = LookupTable {
            key,
            authority: Some(Pubkey::new_unique()),
            deactivation_slot: u64::MAX,
            last_extended_slot: 7,
            last_extended_slot_start_index: 2,
            addresses: (0..5).map(|_| Pubkey::new_unique()).collect(),
        };
        let decoded = LookupTable::decode(&key, &encode(&t)).unwrap();
        assert_eq!(decoded, t);
        assert!(!t.is_deactivated());
        assert_eq!(t.ready_slot(), 8);
        assert_eq!(t.usable_len(7), 2);
        assert_eq!(t.usable_len(8), 5);
        assert_eq!(t.usable_at(7).addresses, t.addresses[..2]);
        let wanted = [t.addresses[1], Pubkey::new_unique(), t.addresses[4]];
        assert_eq!(t.missing(&wanted), vec![wanted[1]]);

        // frozen (no authority), and data that is not a table
        let frozen = LookupTable { authority: None, ..t.clone() };
        assert_eq!(LookupTable::decode(&key, &encode(&frozen)).unwrap().authority, None);
        assert!(LookupTable::decode(&key, &encode(&t)[..60]).is_err());
        let mut uninitialized = encode(&t);
        uninitialized[..4].copy_from_slice(&0u32.to_le_bytes());
        assert!(LookupTable::decode(&key, &uninitialized).is_err());
    }
}
