//! Lookup tables through `BanksChain` in solana-program-test (its address-lookup-table program is
//! the real Core BPF one): `ensure_lookup_table` creates and extends, `Chain::lookup_table`
//! decodes, and a table's new addresses are usable only from the next slot, which the in-process
//! chain reaches only when the test warps (a transaction does not move it).

use anchor_lang::prelude::Pubkey;
use ballast_sdk::chain::banks::BanksChain;
use ballast_sdk::lookup_table::{ensure_lookup_table, wait_until_usable};
use ballast_sdk::{Chain, SdkError};
use ballast_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

#[tokio::test]
async fn a_table_is_created_extended_and_usable_from_the_next_slot() {
    let mut env = TestEnv::new().await;
    let chain = BanksChain::new(env.ctx.banks_client.clone());
    let payer = env.ctx.payer.insecure_clone();
    let authority = Keypair::new();
    let wanted: Vec<Pubkey> = (0..45).map(|_| Pubkey::new_unique()).collect();

    let first = ensure_lookup_table(&chain, &payer, &authority, None, &wanted[..30]).await.unwrap();
    assert!(first.created);
    assert_eq!((first.added, first.transactions), (30, 2));
    let slot = chain.slot().await.unwrap();
    let t = &first.table;
    assert_eq!(t.addresses, wanted[..30]);
    assert_eq!(t.authority, Some(authority.pubkey()));
    assert_eq!(t.last_extended_slot, slot);
    // Nothing of it is usable in the slot that filled it, and sending does not move the slot.
    assert_eq!(t.usable_len(slot), 0);
    let to = wanted[0];
    let transfer = solana_system_interface::instruction::transfer(&payer.pubkey(), &to, 1_000_000);
    let early = chain.send_versioned(std::slice::from_ref(&transfer), &payer, &[], &[t.account()]).await;
    assert!(
        matches!(&early, Err(SdkError::Program(m)) if m.contains("InvalidAddressLookupTableIndex")),
        "an address added this slot: {early:?}"
    );
    assert_eq!(chain.slot().await.unwrap(), slot);
    assert!(matches!(wait_until_usable(&chain, t).await, Err(SdkError::SlotNotReached { .. })));
    // The prefix usable now compiles to a message that names the account statically.
    chain.send_versioned(std::slice::from_ref(&transfer), &payer, &[], &[t.usable_at(slot)]).await.unwrap();

    env.advance_time(1).await;
    assert_eq!(wait_until_usable(&chain, t).await.unwrap(), slot + 1);
    chain.send_versioned(std::slice::from_ref(&transfer), &payer, &[], &[t.account()]).await.unwrap();
    assert_eq!(env.account(to).await.unwrap().lamports, 2_000_000);

    // Extending keeps the key and the order; the new addresses wait for the next slot again.
    let second = ensure_lookup_table(&chain, &payer, &authority, Some(t.key), &wanted).await.unwrap();
    assert!(!second.created);
    assert_eq!((second.added, second.transactions), (15, 1));
    let t2 = &second.table;
    assert_eq!((t2.key, &t2.addresses[..]), (t.key, &wanted[..]));
    assert_eq!(t2.last_extended_slot, slot + 1);
    assert_eq!(usize::from(t2.last_extended_slot_start_index), 30);
    assert_eq!(t2.usable_len(slot + 1), 30);
    assert!(!second.ready_at(slot + 1) && second.ready_at(slot + 2));
    // Complete: nothing to send.
    let again = ensure_lookup_table(&chain, &payer, &authority, Some(t.key), &wanted).await.unwrap();
    assert_eq!((again.added, again.transactions), (0, 0));
    // A table holding everything is used whoever owns it; one that lacks addresses and is
    // someone else's is left alone, and a new one made.
    let stranger = Keypair::new();
    let used = ensure_lookup_table(&chain, &payer, &stranger, Some(t.key), &wanted[..1]).await.unwrap();
    assert!(!used.created && used.table.key == t.key);
    let more = [wanted[0], Pubkey::new_unique()];
    let other = ensure_lookup_table(&chain, &payer, &stranger, Some(t.key), &more).await.unwrap();
    assert!(other.created && other.table.key != t.key);
    assert_eq!(other.table.addresses, more);
    assert_eq!(other.table.authority, Some(stranger.pubkey()));
}
