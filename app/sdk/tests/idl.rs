//! The committed IDL (`idl/ballast.json`, written by `cargo run -p ballast-idl`, checked against
//! the program in CI) names the program's own discriminators: what an explorer or a TypeScript
//! client decodes with it is what the program and this SDK read and write.

use anchor_lang::Discriminator;
use serde_json::Value;

fn idl() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../idl/ballast.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("idl/ballast.json")).expect("JSON")
}

fn discriminators(idl: &Value, section: &str) -> Vec<(String, Vec<u8>)> {
    idl[section]
        .as_array()
        .unwrap_or_else(|| panic!("no {section}"))
        .iter()
        .map(|e| {
            let bytes = e["discriminator"].as_array().expect("discriminator");
            (
                e["name"].as_str().unwrap().to_string(),
                bytes.iter().map(|b| b.as_u64().unwrap() as u8).collect(),
            )
        })
        .collect()
}

#[test]
fn the_idl_names_the_programs_address_accounts_and_instructions() {
    let idl = idl();
    assert_eq!(idl["address"].as_str(), Some(ballast::ID.to_string().as_str()));
    let accounts = [
        ("Asset", ballast::state::Asset::DISCRIMINATOR),
        ("Group", ballast::state::Group::DISCRIMINATOR),
        ("MarginAccount", ballast::state::MarginAccount::DISCRIMINATOR),
        ("Market", ballast::state::Market::DISCRIMINATOR),
        ("Proposal", ballast::state::Proposal::DISCRIMINATOR),
    ];
    let in_idl = discriminators(&idl, "accounts");
    assert_eq!(in_idl.len(), accounts.len());
    for (name, d) in accounts {
        assert!(in_idl.iter().any(|(n, b)| n == name && b == d), "account {name}");
    }
    let instructions = [
        ("init_group", ballast::instruction::InitGroup::DISCRIMINATOR),
        ("register_asset", ballast::instruction::RegisterAsset::DISCRIMINATOR),
        ("register_market", ballast::instruction::RegisterMarket::DISCRIMINATOR),
        ("trade", ballast::instruction::Trade::DISCRIMINATOR),
        ("settle_pnl", ballast::instruction::SettlePnl::DISCRIMINATOR),
        ("settle_expiry", ballast::instruction::SettleExpiry::DISCRIMINATOR),
        ("liquidate_derivative", ballast::instruction::LiquidateDerivative::DISCRIMINATOR),
        ("create_account", ballast::instruction::CreateAccount::DISCRIMINATOR),
        ("close_account", ballast::instruction::CloseAccount::DISCRIMINATOR),
        ("deposit", ballast::instruction::Deposit::DISCRIMINATOR),
        ("withdraw", ballast::instruction::Withdraw::DISCRIMINATOR),
        ("borrow", ballast::instruction::Borrow::DISCRIMINATOR),
        ("repay", ballast::instruction::Repay::DISCRIMINATOR),
        ("liquidate", ballast::instruction::Liquidate::DISCRIMINATOR),
        ("resolve_bankruptcy", ballast::instruction::ResolveBankruptcy::DISCRIMINATOR),
        ("apply_asset_patch", ballast::instruction::ApplyAssetPatch::DISCRIMINATOR),
        ("apply_group_patch", ballast::instruction::ApplyGroupPatch::DISCRIMINATOR),
        ("apply_market_patch", ballast::instruction::ApplyMarketPatch::DISCRIMINATOR),
        ("propose_patch", ballast::instruction::ProposePatch::DISCRIMINATOR),
        ("execute_proposal", ballast::instruction::ExecuteProposal::DISCRIMINATOR),
        ("cancel_proposal", ballast::instruction::CancelProposal::DISCRIMINATOR),
        ("propose_admin", ballast::instruction::ProposeAdmin::DISCRIMINATOR),
        ("accept_admin", ballast::instruction::AcceptAdmin::DISCRIMINATOR),
        ("pause", ballast::instruction::Pause::DISCRIMINATOR),
        ("unpause", ballast::instruction::Unpause::DISCRIMINATOR),
        ("clear_expired_pause", ballast::instruction::ClearExpiredPause::DISCRIMINATOR),
        ("set_delegate", ballast::instruction::SetDelegate::DISCRIMINATOR),
        ("update_volatility", ballast::instruction::UpdateVolatility::DISCRIMINATOR),
        ("update_risk_array", ballast::instruction::UpdateRiskArray::DISCRIMINATOR),
        ("health_report", ballast::instruction::HealthReport::DISCRIMINATOR),
    ];
    let in_idl = discriminators(&idl, "instructions");
    assert_eq!(in_idl.len(), instructions.len(), "an instruction is missing from this list or the IDL");
    for (name, d) in instructions {
        assert!(in_idl.iter().any(|(n, b)| n == name && b == d), "instruction {name}");
    }
}

/// Each account of an IDL instruction in order, composite groups flattened:
/// (name, writable, signer).
fn flat_accounts(accounts: &Value, out: &mut Vec<(String, bool, bool)>) {
    for a in accounts.as_array().expect("accounts") {
        if let Some(inner) = a.get("accounts") {
            flat_accounts(inner, out);
        } else {
            let flag = |k: &str| a.get(k).and_then(Value::as_bool).unwrap_or(false);
            out.push((a["name"].as_str().unwrap().to_string(), flag("writable"), flag("signer")));
        }
    }
}

/// The SDK's builders send what the IDL describes: the discriminator, then the accounts in the
/// IDL's order with its writable and signer flags.
#[test]
fn the_sdks_deposit_matches_the_idl() {
    let idl = idl();
    let deposit = idl["instructions"].as_array().unwrap().iter().find(|i| i["name"] == "deposit").unwrap();
    let mut described = vec![];
    flat_accounts(&deposit["accounts"], &mut described);
    let asset = ballast_sdk::snapshot::AssetEntry {
        key: anchor_lang::prelude::Pubkey::new_unique(),
        state: bytemuck::Zeroable::zeroed(),
        oracle_key: anchor_lang::prelude::Pubkey::new_unique(),
        oracle: None,
    };
    let key = anchor_lang::prelude::Pubkey::new_unique;
    let ix = ballast_sdk::ix::deposit(key(), key(), &asset, key(), key(), 7);
    assert_eq!(&ix.data[..8], ballast::instruction::Deposit::DISCRIMINATOR);
    assert_eq!(ix.data[8..], 7u64.to_le_bytes());
    let sent: Vec<(bool, bool)> = ix.accounts.iter().map(|m| (m.is_writable, m.is_signer)).collect();
    let expected: Vec<(bool, bool)> = described.iter().map(|(_, w, s)| (*w, *s)).collect();
    assert_eq!(sent, expected, "{described:?}");
}
