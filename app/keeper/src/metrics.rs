//! What the keeper tells a person or a scraper: Prometheus text of its counters, served on
//! request, and the per-account error budget that keeps one failing account from taking every
//! round's sends.

use crate::KeeperStats;
use anchor_lang::prelude::Pubkey;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// Accounts whose liquidation or write-off keeps failing (an account built to make the
/// transaction fail, a position the keeper cannot price, a program error it does not expect):
/// after `failures_allowed` failed rounds in a row an account is skipped for 1, 2, 4, ... rounds
/// (up to `max_backoff_rounds`), then tried again; one success clears its record.
#[derive(Debug, Clone)]
pub struct ErrorBudget {
    pub failures_allowed: u32,
    pub max_backoff_rounds: u64,
    /// Per account: failed rounds in a row, and the first round it may be tried again.
    records: HashMap<Pubkey, (u32, u64)>,
}

impl ErrorBudget {
    pub fn new(failures_allowed: u32, max_backoff_rounds: u64) -> ErrorBudget {
        ErrorBudget { failures_allowed, max_backoff_rounds, records: HashMap::new() }
    }

    /// Whether `key` is being skipped in `round`.
    pub fn skips(&self, key: &Pubkey, round: u64) -> bool {
        self.records.get(key).is_some_and(|&(_, retry_at)| round < retry_at)
    }

    /// A failed round for `key` (every attempt of the round failed).
    pub fn failed(&mut self, key: Pubkey, round: u64) {
        let (allowed, max) = (self.failures_allowed, self.max_backoff_rounds);
        let record = self.records.entry(key).or_insert((0, 0));
        record.0 = record.0.saturating_add(1);
        if record.0 >= allowed {
            let doublings = (record.0 - allowed).min(63);
            let skip = (1u64 << doublings).min(max);
            record.1 = round.saturating_add(1).saturating_add(skip);
        }
    }

    /// A round in which `key` went through (or no longer needed the keeper).
    pub fn succeeded(&mut self, key: &Pubkey) {
        self.records.remove(key);
    }

    /// Accounts skipped in `round`.
    pub fn skipped_in(&self, round: u64) -> usize {
        self.records.values().filter(|&&(_, retry_at)| round < retry_at).count()
    }
}

/// The keeper's counters in the Prometheus text format (version 0.0.4), labelled with the group.
pub fn prometheus_text(stats: &KeeperStats, group: &Pubkey, accounts_backed_off: usize) -> String {
    let counters: [(&str, &str, u64); 16] = [
        ("rounds", "Scan-and-liquidate rounds run", stats.rounds),
        ("accounts_scanned", "Margin accounts scanned, summed over rounds", stats.accounts_scanned),
        ("liquidatable_seen", "Liquidatable accounts found, summed over rounds", stats.liquidatable_seen),
        ("liquidations", "Liquidation steps that landed", stats.liquidations),
        (
            "derivative_liquidations",
            "Of the liquidations, futures positions taken over",
            stats.derivative_liquidations,
        ),
        ("expiry_settlements", "Settlement prices recorded for expired markets", stats.expiry_settlements),
        ("pnl_settlements", "PnL settlements sent", stats.pnl_settlements),
        ("risk_array_cranks", "Option risk arrays cranked", stats.risk_array_cranks),
        ("bankruptcies_resolved", "Debts written off", stats.bankruptcies_resolved),
        ("failed_sends", "Transactions that failed", stats.failed_sends),
        ("v0_transactions", "Transactions sent as v0 through the lookup table", stats.v0_transactions),
        (
            "lookup_table_transactions",
            "Transactions that created or extended the lookup table",
            stats.lookup_table_transactions,
        ),
        (
            "accounts_skipped",
            "Accounts skipped by the error budget, summed over rounds",
            stats.accounts_skipped,
        ),
        ("scan_micros", "Time spent computing health in scans, microseconds", stats.scan_micros),
        ("simulations", "Transactions simulated before sending", stats.simulations),
        (
            "refused_in_simulation",
            "Transactions the simulation refused (not sent)",
            stats.refused_in_simulation,
        ),
    ];
    let mut out = String::new();
    let mut sample = |name: String, kind: &str, help: &str, value: u64| {
        out.push_str(&format!(
            "# HELP {name} {help}.\n# TYPE {name} {kind}\n{name}{{group=\"{group}\"}} {value}\n"
        ));
    };
    for (name, help, value) in counters {
        sample(format!("ballast_keeper_{name}_total"), "counter", help, value);
    }
    let gauges: [(&str, &str, u64); 2] = [
        (
            "last_scan_micros",
            "Time the last round's scan spent computing health, microseconds",
            stats.last_scan_micros,
        ),
        ("accounts_backed_off", "Accounts the error budget skips now", accounts_backed_off as u64),
    ];
    for (name, help, value) in gauges {
        sample(format!("ballast_keeper_{name}"), "gauge", help, value);
    }
    out
}

/// Answers every HTTP request on `listener` with `text`'s current value (the keeper replaces it
/// after each round), as a Prometheus scrape target. Runs until the listener fails; one request
/// at a time, which is all a scraper needs.
pub fn serve_metrics(listener: TcpListener, text: Arc<Mutex<String>>) {
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        // The request itself does not matter (any path is the metrics); read what has arrived.
        let _ = stream.set_read_timeout(Some(std::time::Duration::from_millis(200)));
        let mut request = [0u8; 1024];
        let _ = stream.read(&mut request);
        let body = text.lock().map(|t| t.clone()).unwrap_or_default();
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(response.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Allowed failures pass; then the skips double (1, 2, 4 rounds) up to the cap; a success
    /// clears the record.
    #[test]
    fn the_error_budget_backs_off_and_forgives() {
        let key = Pubkey::new_unique();
        let mut b = ErrorBudget::new(3, 4);
        b.failed(key, 0);
        b.failed(key, 1);
        assert!(!b.skips(&key, 2), "two failures are within the budget");
        b.failed(key, 2); // the third: skip round 3 only
        assert!(b.skips(&key, 3) && !b.skips(&key, 4));
        assert_eq!(b.skipped_in(3), 1);
        b.failed(key, 4); // skip 5 and 6
        assert!(b.skips(&key, 5) && b.skips(&key, 6) && !b.skips(&key, 7));
        b.failed(key, 7); // 4 rounds: 8..=11
        assert!(b.skips(&key, 11) && !b.skips(&key, 12));
        b.failed(key, 12); // capped at 4: 13..=16
        assert!(b.skips(&key, 16) && !b.skips(&key, 17));
        b.succeeded(&key);
        assert!(!b.skips(&key, 13));
        b.failed(key, 20);
        assert!(!b.skips(&key, 21), "a success starts the count again");
        assert!(!b.skips(&Pubkey::new_unique(), 3));
    }

    #[test]
    fn prometheus_text_is_one_sample_per_metric_with_help_and_type() {
        let stats =
            KeeperStats { rounds: 7, liquidations: 3, last_scan_micros: 1_234, ..KeeperStats::default() };
        let group = Pubkey::new_unique();
        let text = prometheus_text(&stats, &group, 2);
        let samples: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(samples.len(), 18);
        for s in &samples {
            let (name, value) = s.rsplit_once(' ').unwrap();
            assert!(name.starts_with("ballast_keeper_") && name.ends_with(&format!("{{group=\"{group}\"}}")));
            value.parse::<u64>().unwrap();
        }
        assert!(samples.contains(&format!("ballast_keeper_rounds_total{{group=\"{group}\"}} 7").as_str()));
        assert!(
            samples.contains(&format!("ballast_keeper_liquidations_total{{group=\"{group}\"}} 3").as_str())
        );
        assert!(
            samples.contains(&format!("ballast_keeper_accounts_backed_off{{group=\"{group}\"}} 2").as_str())
        );
        assert_eq!(text.lines().filter(|l| l.starts_with("# TYPE")).count(), 18);
    }

    #[test]
    fn the_metrics_endpoint_answers_a_scrape() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let text = Arc::new(Mutex::new("ballast_keeper_rounds_total 1\n".to_string()));
        let shared = text.clone();
        std::thread::spawn(move || serve_metrics(listener, shared));
        let scrape = || {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            let mut out = String::new();
            s.read_to_string(&mut out).unwrap();
            out
        };
        let first = scrape();
        assert!(
            first.starts_with("HTTP/1.1 200 OK\r\n") && first.ends_with("ballast_keeper_rounds_total 1\n")
        );
        *text.lock().unwrap() = "ballast_keeper_rounds_total 2\n".into();
        assert!(scrape().ends_with("ballast_keeper_rounds_total 2\n"));
    }
}
