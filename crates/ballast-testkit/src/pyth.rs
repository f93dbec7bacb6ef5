//! Pyth accounts in their real byte formats, under their real owner programs: the SDK's
//! `PriceUpdateV2` builder (one implementation for the sandbox, the tests and the keeper's
//! bench), USD shorthands for it, and the legacy v2 price account.

use anchor_lang::prelude::Pubkey;
use pyth_solana_receiver_sdk::price_update::VerificationLevel;
use solana_account::Account;

pub use ballast_sdk::pyth::{price_update_account, price_update_account_with, to_pyth_int, PYTH_EXPONENT};

/// Prices are published with this exponent (as Pyth's crypto feeds are).
pub const EXPONENT: i32 = PYTH_EXPONENT;

fn to_int(usd: f64) -> i64 {
    to_pyth_int(usd)
}

/// A fully verified `PriceUpdateV2` with spot = EMA = `price_usd`, owned by the receiver program.
pub fn pull_account(feed_id: [u8; 32], price_usd: f64, conf_usd: f64, publish_time: i64) -> Account {
    pull_account_with(
        feed_id,
        to_int(price_usd),
        (conf_usd * 1e8).round() as u64,
        to_int(price_usd),
        publish_time,
        VerificationLevel::Full,
    )
}

/// A `PriceUpdateV2` in Pyth integers at [`EXPONENT`], at any verification level.
pub fn pull_account_with(
    feed_id: [u8; 32],
    price: i64,
    conf: u64,
    ema_price: i64,
    publish_time: i64,
    verification_level: VerificationLevel,
) -> Account {
    price_update_account_with(feed_id, price, conf, ema_price, publish_time, verification_level)
}

/// A legacy Pyth v2 price account (3312 bytes) in Trading status, owned by the mainnet oracle program.
pub fn legacy_account(price_usd: f64, conf_usd: f64, publish_time: i64) -> Account {
    legacy_account_owned(
        price_usd,
        conf_usd,
        publish_time,
        ballast::oracle::pyth_legacy::PYTH_LEGACY_MAINNET_PROGRAM_ID,
    )
}

pub fn legacy_account_owned(price_usd: f64, conf_usd: f64, publish_time: i64, owner: Pubkey) -> Account {
    use pyth_sdk_solana::state::*;
    let mut p = SolanaPriceAccount::default();
    p.magic = MAGIC;
    p.ver = VERSION_2;
    p.atype = AccountType::Price as u32;
    p.size = core::mem::size_of::<SolanaPriceAccount>() as u32;
    p.ptype = PriceType::Price;
    p.expo = EXPONENT;
    p.num = 1;
    p.timestamp = publish_time;
    p.prev_timestamp = publish_time - 1;
    p.prev_price = to_int(price_usd);
    p.prev_conf = (conf_usd * 1e8).round() as u64;
    p.ema_price = Rational { val: to_int(price_usd), numer: to_int(price_usd), denom: 1 };
    p.ema_conf = Rational { val: p.prev_conf as i64, numer: p.prev_conf as i64, denom: 1 };
    p.agg = PriceInfo {
        price: to_int(price_usd),
        conf: (conf_usd * 1e8).round() as u64,
        status: PriceStatus::Trading,
        corp_act: CorpAction::NoCorpAct,
        pub_slot: 1,
    };
    Account {
        lamports: 100_000_000,
        data: bytemuck::bytes_of(&p).to_vec(),
        owner,
        executable: false,
        rent_epoch: 0,
    }
}
