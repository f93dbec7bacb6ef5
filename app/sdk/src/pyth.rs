//! Pyth accounts in their real byte layout, for the sandbox and tests: a fully verified
//! `PriceUpdateV2` owned by the Pyth receiver program (`ballast-testkit` adds the legacy v2
//! account and USD-denominated shorthands on top).

use anchor_lang::prelude::Pubkey;
use anchor_lang::AccountSerialize;
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};
use solana_account::Account;

/// Exponent of Pyth's crypto and FX USD feeds.
pub const PYTH_EXPONENT: i32 = -8;

/// `usd` as a Pyth integer at `PYTH_EXPONENT` (rounded to the nearest unit).
pub fn to_pyth_int(usd: f64) -> i64 {
    (usd * 1e8).round() as i64
}

/// A fully verified PriceUpdateV2 account for `feed_id`.
pub fn price_update_account(
    feed_id: [u8; 32],
    price: i64,
    conf: u64,
    ema_price: i64,
    publish_time: i64,
) -> Account {
    price_update_account_with(feed_id, price, conf, ema_price, publish_time, VerificationLevel::Full)
}

/// `price_update_account` at any verification level (tests post partially verified updates).
pub fn price_update_account_with(
    feed_id: [u8; 32],
    price: i64,
    conf: u64,
    ema_price: i64,
    publish_time: i64,
    verification_level: VerificationLevel,
) -> Account {
    let message = price_message(feed_id, price, conf, ema_price, publish_time);
    Account {
        lamports: 1_000_000_000,
        data: price_update_data(Pubkey::default(), verification_level, message),
        owner: pyth_solana_receiver_sdk::ID,
        executable: false,
        rent_epoch: 0,
    }
}

/// A price message at [`PYTH_EXPONENT`] whose EMA confidence is its confidence.
pub fn price_message(
    feed_id: [u8; 32],
    price: i64,
    conf: u64,
    ema_price: i64,
    publish_time: i64,
) -> PriceFeedMessage {
    PriceFeedMessage {
        feed_id,
        price,
        conf,
        exponent: PYTH_EXPONENT,
        publish_time,
        prev_publish_time: publish_time.saturating_sub(1),
        ema_price,
        ema_conf: conf,
    }
}

/// The bytes of a `PriceUpdateV2` account (`PriceUpdateV2::LEN`, as the receiver allocates) that
/// `write_authority` may rewrite: what the local validator's price accounts hold.
pub fn price_update_data(
    write_authority: Pubkey,
    verification_level: VerificationLevel,
    price_message: PriceFeedMessage,
) -> Vec<u8> {
    let update = PriceUpdateV2 { write_authority, verification_level, price_message, posted_slot: 0 };
    let mut data = Vec::with_capacity(PriceUpdateV2::LEN);
    update.try_serialize(&mut data).expect("serialises");
    // The Full level serialises one byte shorter than Partial; the rest is zero padding.
    data.resize(PriceUpdateV2::LEN, 0);
    data
}
