//! Decoding what the read-only `health_report` instruction returns when simulated: the three
//! levels as return data (`HealthSummary`) and the per-position, per-factor breakdown as a
//! `HealthBreakdown` event in the logs.

use crate::{SdkError, SdkResult};
use anchor_lang::{AnchorDeserialize, Discriminator};
use ballast::events::HealthBreakdown;
use ballast::instructions::HealthSummary;

/// Standard base64, as the runtime writes return data and event logs.
pub fn base64_decode(s: &str) -> SdkResult<Vec<u8>> {
    let value = |c: u8| -> SdkResult<u32> {
        Ok(match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return Err(SdkError::Program(format!("not base64: {s}"))),
        })
    };
    let bytes: Vec<u8> = s.trim().bytes().filter(|c| *c != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= value(*c)? << (18 - 6 * i);
        }
        out.extend_from_slice(&acc.to_be_bytes()[1..1 + chunk.len() * 6 / 8]);
    }
    Ok(out)
}

/// The summary (return data, base64 as the RPC gives it) and the breakdown (from the
/// simulation's log lines) of a simulated `health_report`.
pub fn decode_health_report(
    return_data_base64: &str,
    logs: &[String],
) -> SdkResult<(HealthSummary, HealthBreakdown)> {
    let summary = HealthSummary::deserialize(&mut &base64_decode(return_data_base64)?[..])
        .map_err(|e| SdkError::Program(format!("health summary: {e}")))?;
    for line in logs {
        let Some(data) = line.strip_prefix("Program data: ") else { continue };
        let bytes = base64_decode(data)?;
        if bytes.len() > 8 && bytes[..8] == *HealthBreakdown::DISCRIMINATOR {
            let event = HealthBreakdown::deserialize(&mut &bytes[8..])
                .map_err(|e| SdkError::Program(format!("health breakdown: {e}")))?;
            return Ok((summary, event));
        }
    }
    Err(SdkError::Program("no HealthBreakdown event in the logs".into()))
}

/// The return data line of a log (`Program return: <program> <base64>`), for chains that only
/// give logs.
pub fn return_data_from_logs(logs: &[String]) -> Option<&str> {
    let prefix = format!("Program return: {} ", ballast::ID);
    logs.iter().find_map(|l| l.strip_prefix(prefix.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::prelude::Pubkey;
    use anchor_lang::AnchorSerialize;
    use ballast::events::{LevelBreakdown, PositionBreakdown};

    fn base64_encode(data: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in data.chunks(3) {
            let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[test]
    fn decodes_what_the_program_emits() {
        let summary = HealthSummary {
            init: 1 << 48,
            liquidation_end: 2 << 48,
            maint: 3 << 48,
            being_liquidated: false,
        };
        let event = HealthBreakdown {
            account: Pubkey::new_unique(),
            levels: vec![LevelBreakdown {
                health: 1 << 48,
                positions: vec![PositionBreakdown {
                    asset_index: 3,
                    balance: -(5 << 48),
                    contribution: -7,
                    factor_cuts: [1, 2, 3, 4, 5, 6, 7, -8],
                }],
                scans: vec![ballast::events::ScanBreakdown {
                    underlying_index: 1,
                    range: 1 << 44,
                    net_delta: -(10 << 48),
                    worst_scenario: 14,
                    requirement: 105,
                    unrealised_pnl: -3,
                    weighted_pnl: -3,
                    hedge_credit: 0,
                    total_delta: -(10 << 48),
                    gamma: 0,
                    vega: 0,
                    theta: 0,
                    short_option_minimum: 0,
                    scenarios: [-35; 16],
                }],
            }],
        };
        let mut ret = vec![];
        summary.serialize(&mut ret).unwrap();
        let mut data = HealthBreakdown::DISCRIMINATOR.to_vec();
        event.serialize(&mut data).unwrap();
        let logs = vec![
            "Program log: something".to_string(),
            format!("Program data: {}", base64_encode(&data)),
            format!("Program return: {} {}", ballast::ID, base64_encode(&ret)),
        ];
        let r = return_data_from_logs(&logs).unwrap();
        let (s, e) = decode_health_report(r, &logs).unwrap();
        assert_eq!(s, summary);
        assert_eq!((e.account, e.levels), (event.account, event.levels));
        assert!(decode_health_report(r, &logs[..1]).is_err());
    }
}
