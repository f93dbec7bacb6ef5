//! Price paths from CSV: Binance OHLCV (`timestamp,open,high,low,close,volume`) or Yahoo
//! (`,date,open,high,low,close,adj close,volume`, newest first).

/// Seconds since the Unix epoch of a UTC civil date and time (Howard Hinnant's algorithm).
pub fn unix_time(y: i64, m: i64, d: i64, hh: i64, mm: i64, ss: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + hh * 3_600 + mm * 60 + ss
}

/// Parses "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS".
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|v| v.parse::<i64>().ok());
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = if s.len() >= 19 { (num(11..13)?, num(14..16)?, num(17..19)?) } else { (0, 0, 0) };
    Some(unix_time(y, m, d, hh, mm, ss))
}

pub fn format_time(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // inverse of unix_time's day count
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", secs / 3_600, secs % 3_600 / 60)
}

/// (time, close) rows in time order, keeping rows within [from, to].
pub fn load_csv(text: &str, from: Option<i64>, to: Option<i64>) -> Result<Vec<(i64, f64)>, String> {
    let mut lines = text.lines();
    let header = lines.next().ok_or("empty CSV")?;
    let cols: Vec<&str> = header.split(',').map(str::trim).collect();
    let (time_col, close_col) =
        match (cols.iter().position(|c| *c == "timestamp"), cols.iter().position(|c| *c == "date")) {
            (Some(t), _) => (t, cols.iter().position(|c| *c == "close").ok_or("no close column")?),
            (None, Some(t)) => (t, cols.iter().position(|c| *c == "close").ok_or("no close column")?),
            _ => return Err(format!("unknown CSV header: {header}")),
        };
    let mut rows = vec![];
    for (n, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(',').collect();
        let t = f.get(time_col).and_then(|v| parse_time(v)).ok_or(format!("line {}: bad time", n + 2))?;
        let c: f64 = f
            .get(close_col)
            .and_then(|v| v.trim().parse().ok())
            .ok_or(format!("line {}: bad close", n + 2))?;
        if from.is_some_and(|f| t < f) || to.is_some_and(|e| t > e) {
            continue;
        }
        rows.push((t, c));
    }
    rows.sort_by_key(|r| r.0);
    if rows.len() < 2 {
        return Err("the price path needs at least two rows".into());
    }
    Ok(rows)
}

/// A price series as the backtest replays it: each close stamped with when it is known (the
/// bar's open time plus its length, so no step sees a close before its bar ends).
pub struct Series {
    pub known_at: Vec<i64>,
    pub closes: Vec<f64>,
}

impl Series {
    /// From `load_csv` rows; the bar length is the series' most common spacing (a gap in the
    /// data is "no new price", not a longer bar).
    pub fn from_rows(rows: &[(i64, f64)]) -> Series {
        let mut gaps: Vec<i64> = rows.windows(2).map(|w| w[1].0 - w[0].0).filter(|g| *g > 0).collect();
        gaps.sort_unstable();
        let bar = gaps.get(gaps.len().saturating_sub(1) / 2).copied().unwrap_or(0);
        Series {
            known_at: rows.iter().map(|r| r.0 + bar).collect(),
            closes: rows.iter().map(|r| r.1).collect(),
        }
    }

    /// The last close known at `t` (held between bars), or None before the first.
    pub fn at(&self, t: i64) -> Option<f64> {
        let n = self.known_at.partition_point(|k| *k <= t);
        n.checked_sub(1).map(|i| self.closes[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip() {
        let t = parse_time("2022-11-08 14:00:00").unwrap();
        assert_eq!(t, 1_667_916_000);
        assert_eq!(format_time(t), "2022-11-08 14:00");
        assert_eq!(parse_time("2020-03-12").unwrap(), 1_583_971_200);
    }

    #[test]
    fn a_series_holds_its_last_close_from_the_end_of_its_bar() {
        // 4-hour bars opening at 00:00 and 04:00, then a gap, then 16:00
        let rows = [(0, 10.0), (14_400, 11.0), (57_600, 12.0)];
        let s = Series::from_rows(&rows);
        assert_eq!(s.at(14_399), None);
        assert_eq!(s.at(14_400), Some(10.0)); // the 00:00 bar closes at 04:00
        assert_eq!(s.at(28_799), Some(10.0));
        assert_eq!(s.at(28_800), Some(11.0));
        assert_eq!(s.at(60_000), Some(11.0)); // the gap holds the last close
        assert_eq!(s.at(72_000), Some(12.0));
    }

    #[test]
    fn reads_both_formats() {
        let binance = "timestamp,open,high,low,close,volume\n2022-11-01 01:00:00,1,1,1,2.5,9\n2022-11-01 00:00:00,1,1,1,2.0,9\n";
        assert_eq!(load_csv(binance, None, None).unwrap(), vec![(1_667_260_800, 2.0), (1_667_264_400, 2.5)]);
        let yahoo = ",date,open,high,low,close,adj close,volume\n0,2023-03-12,1,1,1,0.97,0.97,1\n1,2023-03-11,1,1,1,0.88,0.88,1\n";
        let rows = load_csv(yahoo, None, None).unwrap();
        assert_eq!(rows[0].1, 0.88);
    }
}
