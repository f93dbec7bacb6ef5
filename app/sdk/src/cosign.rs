//! A futures trade signed in two places: the initiator builds the transaction and signs it
//! (`offer`); the counterparty reads what it is asked to sign (`check_offer`) and adds its
//! signature (`cosign`). Both owners must sign a `trade`, and neither hands the other a key.
//!
//! What the counterparty's signature can authorise is checked, not trusted: the transaction
//! may hold compute-budget instructions, option risk-array cranks (`update_risk_array`, which
//! needs no signer) and exactly one Ballast `trade` in which the
//! counterparty's key is the buyer or the seller, and the counterparty must not be the fee
//! payer (a priority fee set by the initiator would otherwise be the counterparty's to pay).
//! The transaction carries a recent blockhash, so the counterparty has about a minute to sign
//! and send it (durable nonces are not used yet).

use crate::{SdkError, SdkResult};
use anchor_lang::prelude::Pubkey;
use anchor_lang::{AnchorDeserialize, Discriminator};
use serde::{Deserialize, Serialize};
use solana_keypair::Keypair;
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::Transaction;

/// The compute-budget program (its instructions only set limits and the fee rate).
pub const COMPUTE_BUDGET_PROGRAM: Pubkey =
    Pubkey::from_str_const("ComputeBudget111111111111111111111111111111");

/// What a trade transaction does, read from its instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeTerms {
    pub market: Pubkey,
    pub buyer_account: Pubkey,
    pub buyer: Pubkey,
    pub seller_account: Pubkey,
    pub seller: Pubkey,
    pub contracts: u64,
    /// Quote-native per contract.
    pub price: u64,
    pub fee_payer: Pubkey,
}

/// A partly signed trade as a file: the transaction and, for people, its terms (the
/// counterparty reads them from the transaction itself).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TradeOffer {
    pub terms: TradeTerms,
    pub transaction: Transaction,
}

fn refused(why: impl Into<String>) -> SdkError {
    SdkError::Config(format!("trade offer refused: {}", why.into()))
}

/// The terms of `tx`, refusing anything but compute-budget instructions, risk-array cranks and
/// one Ballast trade.
pub fn trade_terms(tx: &Transaction) -> SdkResult<TradeTerms> {
    let keys = &tx.message.account_keys;
    let key =
        |i: u8| keys.get(usize::from(i)).copied().ok_or_else(|| refused("an account index is out of range"));
    let mut trade = None;
    for ix in &tx.message.instructions {
        let program = key(ix.program_id_index)?;
        if program == COMPUTE_BUDGET_PROGRAM {
            continue;
        }
        if program != ballast::ID {
            return Err(refused(format!("it calls program {program}, not only Ballast")));
        }
        // an option's risk-array crank goes in front of its trade: permissionless, no signer,
        // no arguments, so the counterparty's signature authorises nothing through it
        if ix.data == ballast::instruction::UpdateRiskArray::DISCRIMINATOR {
            continue;
        }
        if trade.is_some() {
            return Err(refused("it holds more than one Ballast instruction"));
        }
        let disc = ballast::instruction::Trade::DISCRIMINATOR;
        let Some(args) = ix.data.strip_prefix(disc) else {
            return Err(refused("its Ballast instruction is not a trade"));
        };
        let args = ballast::instruction::Trade::deserialize(&mut &args[..])
            .map_err(|_| refused("its trade's arguments do not decode"))?;
        if ix.accounts.len() < 6 {
            return Err(refused("its trade lacks accounts"));
        }
        let a = |n: usize| key(ix.accounts[n]);
        trade = Some(TradeTerms {
            market: a(1)?,
            buyer_account: a(2)?,
            buyer: a(3)?,
            seller_account: a(4)?,
            seller: a(5)?,
            contracts: args.contracts,
            price: args.price,
            fee_payer: key(0)?,
        });
    }
    trade.ok_or_else(|| refused("it holds no trade"))
}

/// The initiator's side: `ixs` (a trade and its compute budget) in `tx` (unsigned, with a recent
/// blockhash, the initiator paying), signed by `signers`.
pub fn offer(mut tx: Transaction, signers: &[&Keypair]) -> SdkResult<TradeOffer> {
    let terms = trade_terms(&tx)?;
    let blockhash = tx.message.recent_blockhash;
    tx.try_partial_sign(signers, blockhash).map_err(|e| refused(format!("signing: {e}")))?;
    Ok(TradeOffer { terms, transaction: tx })
}

/// What `me` is asked to sign, checked: one trade in which `me` is a side and not the fee payer.
pub fn check_offer(offer: &TradeOffer, me: &Pubkey) -> SdkResult<TradeTerms> {
    let terms = trade_terms(&offer.transaction)?;
    if terms != offer.terms {
        return Err(refused("the terms written beside the transaction are not the transaction's"));
    }
    if terms.buyer != *me && terms.seller != *me {
        return Err(refused(format!("{me} is neither the buyer nor the seller")));
    }
    if terms.fee_payer == *me {
        return Err(refused("the counterparty would pay the fee (the initiator pays)"));
    }
    Ok(terms)
}

/// The counterparty's side: `offer` checked for `signer`, then signed by it. The transaction is
/// complete when every signature is present (`is_complete`).
pub fn cosign(mut offer: TradeOffer, signer: &Keypair) -> SdkResult<TradeOffer> {
    check_offer(&offer, &signer.pubkey())?;
    let tx = &mut offer.transaction;
    let blockhash = tx.message.recent_blockhash;
    tx.try_partial_sign(&[signer], blockhash).map_err(|e| refused(format!("signing: {e}")))?;
    Ok(offer)
}

/// Whether every required signature is present.
pub fn is_complete(tx: &Transaction) -> bool {
    tx.signatures.iter().all(|s| *s != Signature::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_instruction::{AccountMeta, Instruction};
    use solana_message::Message;

    fn trade_ix(buyer: &Pubkey, seller: &Pubkey) -> Instruction {
        let metas = vec![
            AccountMeta::new_readonly(Pubkey::new_unique(), false),
            AccountMeta::new(Pubkey::new_unique(), false),
            AccountMeta::new(Pubkey::new_unique(), false),
            AccountMeta::new_readonly(*buyer, true),
            AccountMeta::new(Pubkey::new_unique(), false),
            AccountMeta::new_readonly(*seller, true),
        ];
        Instruction {
            program_id: ballast::ID,
            accounts: metas,
            data: anchor_lang::InstructionData::data(&ballast::instruction::Trade { contracts: 5, price: 7 }),
        }
    }

    fn unsigned(ixs: &[Instruction], payer: &Pubkey) -> Transaction {
        Transaction::new_unsigned(Message::new(ixs, Some(payer)))
    }

    #[test]
    fn the_counterparty_signs_only_a_trade_it_is_party_to() {
        let (buyer, seller) = (Keypair::new(), Keypair::new());
        let tx = unsigned(&[trade_ix(&buyer.pubkey(), &seller.pubkey())], &buyer.pubkey());
        let o = offer(tx, &[&buyer]).unwrap();
        assert_eq!((o.terms.contracts, o.terms.price, o.terms.seller), (5, 7, seller.pubkey()));
        assert!(!is_complete(&o.transaction));
        // through a file and back
        let json = serde_json::to_string(&o).unwrap();
        let back: TradeOffer = serde_json::from_str(&json).unwrap();
        let done = cosign(back, &seller).unwrap();
        assert!(is_complete(&done.transaction));
        assert!(done.transaction.verify().is_ok());

        // a stranger is no side
        let stranger = Keypair::new();
        assert!(cosign(o.clone(), &stranger).unwrap_err().to_string().contains("neither"));
        // the counterparty must not pay the fee
        let tx = unsigned(&[trade_ix(&buyer.pubkey(), &seller.pubkey())], &seller.pubkey());
        let o2 = TradeOffer { terms: trade_terms(&tx).unwrap(), transaction: tx };
        assert!(cosign(o2, &seller).unwrap_err().to_string().contains("fee"));
        // an extra instruction riding on the counterparty's signature: a transfer of its SOL
        let steal = solana_system_interface::instruction::transfer(&seller.pubkey(), &buyer.pubkey(), 1);
        let tx = unsigned(&[trade_ix(&buyer.pubkey(), &seller.pubkey()), steal], &buyer.pubkey());
        let e = offer(tx, &[&buyer]).unwrap_err();
        assert!(e.to_string().contains("not only Ballast"), "{e}");
        // terms written beside that differ from the transaction's
        let mut lying = o.clone();
        lying.terms.price = 1;
        assert!(cosign(lying, &seller).unwrap_err().to_string().contains("not the transaction's"));
        // two trades
        let ix = trade_ix(&buyer.pubkey(), &seller.pubkey());
        let tx = unsigned(&[ix.clone(), ix], &buyer.pubkey());
        assert!(trade_terms(&tx).unwrap_err().to_string().contains("more than one"));
        // an option trade behind its risk-array crank is accepted; any other Ballast
        // instruction beside the trade is not
        let crank = Instruction {
            program_id: ballast::ID,
            accounts: vec![AccountMeta::new(Pubkey::new_unique(), false)],
            data: anchor_lang::InstructionData::data(&ballast::instruction::UpdateRiskArray {}),
        };
        let tx = unsigned(&[crank.clone(), trade_ix(&buyer.pubkey(), &seller.pubkey())], &buyer.pubkey());
        let o = offer(tx, &[&buyer]).unwrap();
        assert!(is_complete(&cosign(o, &seller).unwrap().transaction));
        let other = Instruction {
            data: anchor_lang::InstructionData::data(&ballast::instruction::SettleExpiry {}),
            ..crank
        };
        let tx = unsigned(&[other, trade_ix(&buyer.pubkey(), &seller.pubkey())], &buyer.pubkey());
        assert!(trade_terms(&tx).unwrap_err().to_string().contains("not a trade"));
    }
}
