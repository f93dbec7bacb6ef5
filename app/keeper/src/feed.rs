//! Margin accounts kept current between full scans.
//!
//! A full scan (getProgramAccounts with the group's filters) costs the RPC node a pass over
//! every account of the program; a keeper that only did that would either scan often (and be
//! rate-limited) or late. So the keeper scans in full every `resync_every` and, in between,
//! takes the changes a `programSubscribe` pushes ([`AccountFeed::apply`], fed by
//! `subscribe::spawn` in the binary). The full scan stays the source of truth: while no
//! subscription is live every round scans in full ([`AccountFeed::disconnected`]), and a new
//! subscription forces one more ([`AccountFeed::connected`]), since changes may have been missed
//! before it started. A connect or drop during a scan is not cleared by that scan's `resync`
//! (the [`AccountFeed::generation`] it started at no longer matches).
//!
//! Ordering: every entry remembers the slot it is from. A notification replaces an entry only
//! if it is from a later slot; a full scan replaces every entry but those notified after the
//! slot the scan started at. An account that stops matching the filters (closed) is not
//! notified; it leaves at the next full scan, and until then a liquidation of it fails its
//! refetch and is skipped.

use anchor_lang::prelude::Pubkey;
use ballast::state::MarginAccount;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedStats {
    /// Notifications applied.
    pub updates: u64,
    /// Notifications older than the entry they would replace (dropped).
    pub stale_updates: u64,
    /// Full scans.
    pub resyncs: u64,
    /// Subscriptions made, and lost.
    pub connects: u64,
    pub disconnects: u64,
}

#[derive(Debug)]
pub struct AccountFeed {
    accounts: BTreeMap<Pubkey, (u64, MarginAccount)>,
    last_resync: Option<Instant>,
    resync_due: bool,
    /// A subscription is live (set by `connected`, cleared by `disconnected`).
    subscribed: bool,
    /// Counts connects and drops, so that a scan knows whether one happened while it ran.
    generation: u64,
    /// The longest between full scans.
    pub resync_every: Duration,
    pub stats: FeedStats,
}

impl AccountFeed {
    pub fn new(resync_every: Duration) -> AccountFeed {
        AccountFeed {
            accounts: BTreeMap::new(),
            last_resync: None,
            resync_due: true,
            subscribed: false,
            generation: 0,
            resync_every,
            stats: FeedStats::default(),
        }
    }

    /// Whether the next round must scan in full: never scanned, no subscription live, one that
    /// (re)connected since the last scan, or `resync_every` has passed.
    pub fn needs_resync(&self, now: Instant) -> bool {
        self.resync_due
            || !self.subscribed
            || self.last_resync.is_none_or(|t| now.duration_since(t) >= self.resync_every)
    }

    /// Read before a full scan and passed to its [`resync`](AccountFeed::resync).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// A full scan that started at `slot`, when the feed was at `generation`: it replaces every
    /// entry but the ones notified from a later slot. A connect or drop since `generation` keeps
    /// the next scan due.
    pub fn resync(
        &mut self,
        slot: u64,
        generation: u64,
        accounts: Vec<(Pubkey, MarginAccount)>,
        now: Instant,
    ) {
        let newer: Vec<(Pubkey, (u64, MarginAccount))> =
            self.accounts.iter().filter(|(_, (s, _))| *s > slot).map(|(k, v)| (*k, *v)).collect();
        self.accounts = accounts.into_iter().map(|(k, a)| (k, (slot, a))).collect();
        self.accounts.extend(newer);
        self.last_resync = Some(now);
        if generation == self.generation {
            self.resync_due = false;
        }
        self.stats.resyncs += 1;
    }

    /// A notification: `account` as of `slot`. Returns whether it was applied.
    pub fn apply(&mut self, slot: u64, key: Pubkey, account: MarginAccount) -> bool {
        match self.accounts.get(&key) {
            Some((s, _)) if *s > slot => {
                self.stats.stale_updates += 1;
                false
            }
            _ => {
                self.accounts.insert(key, (slot, account));
                self.stats.updates += 1;
                true
            }
        }
    }

    /// A subscription started: what changed before it may have been missed.
    pub fn connected(&mut self) {
        self.resync_due = true;
        self.subscribed = true;
        self.generation += 1;
        self.stats.connects += 1;
    }

    /// The subscription dropped: scan in full every round until it is back.
    pub fn disconnected(&mut self) {
        self.resync_due = true;
        self.subscribed = false;
        self.generation += 1;
        self.stats.disconnects += 1;
    }

    /// The accounts, in address order (as a full scan returns them).
    pub fn accounts(&self) -> Vec<(Pubkey, MarginAccount)> {
        self.accounts.iter().map(|(k, (_, a))| (*k, *a)).collect()
    }

    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(num: u32) -> MarginAccount {
        let mut a: MarginAccount = bytemuck::Zeroable::zeroed();
        a.account_num = num;
        a
    }

    #[test]
    fn notifications_and_scans_keep_the_newest_state() {
        let t0 = Instant::now();
        let mut feed = AccountFeed::new(Duration::from_secs(60));
        assert!(feed.needs_resync(t0), "never scanned");
        feed.connected();
        let (a, b, c) = (Pubkey::new_unique(), Pubkey::new_unique(), Pubkey::new_unique());
        feed.resync(10, feed.generation(), vec![(a, account(1)), (b, account(1))], t0);
        assert!(!feed.needs_resync(t0 + Duration::from_secs(59)));
        assert!(feed.needs_resync(t0 + Duration::from_secs(60)));

        assert!(feed.apply(12, a, account(2)));
        assert!(!feed.apply(11, a, account(3)), "an older notification is dropped");
        assert!(feed.apply(12, c, account(1)), "a new account joins");
        assert_eq!(feed.accounts().iter().find(|(k, _)| *k == a).unwrap().1.account_num, 2);
        assert_eq!(feed.len(), 3);

        // A scan from slot 11 predates a's notification at 12 (kept) and c's (kept); b is gone.
        feed.resync(11, feed.generation(), vec![(a, account(9))], t0);
        let accounts = feed.accounts();
        assert_eq!(accounts.len(), 2);
        assert_eq!(accounts.iter().find(|(k, _)| *k == a).unwrap().1.account_num, 2);
        assert!(accounts.iter().all(|(k, _)| *k != b));
        // A scan from slot 12 or later wins.
        feed.resync(12, feed.generation(), vec![(a, account(9))], t0);
        let accounts = feed.accounts();
        assert_eq!(accounts.len(), 1);
        assert_eq!((accounts[0].0, accounts[0].1.account_num), (a, 9));
        assert_eq!((feed.stats.updates, feed.stats.stale_updates, feed.stats.resyncs), (2, 1, 3));
    }

    #[test]
    fn without_a_live_subscription_every_round_scans_in_full() {
        let t0 = Instant::now();
        let mut feed = AccountFeed::new(Duration::from_secs(60));
        feed.resync(1, feed.generation(), vec![], t0);
        assert!(feed.needs_resync(t0), "no subscription yet");
        feed.connected();
        assert!(feed.needs_resync(t0), "what changed before it may have been missed");
        feed.resync(2, feed.generation(), vec![], t0);
        assert!(!feed.needs_resync(t0));
        feed.disconnected();
        feed.resync(3, feed.generation(), vec![], t0);
        assert!(feed.needs_resync(t0), "still no subscription after a scan");
        // A connect while a scan runs: that scan does not clear the one the connect asked for.
        let generation = feed.generation();
        feed.connected();
        feed.resync(4, generation, vec![], t0);
        assert!(feed.needs_resync(t0));
        feed.resync(5, feed.generation(), vec![], t0);
        assert!(!feed.needs_resync(t0));
        assert_eq!((feed.stats.connects, feed.stats.disconnects), (2, 1));
    }
}
