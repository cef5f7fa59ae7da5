//! Small helpers: peak memory, UTC timestamps, CSV quoting, output.

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

/// Peak resident set size of this process (`VmHWM` of /proc/self/status), in bytes.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_vmhwm(&status)
}

fn parse_vmhwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let mut it = line["VmHWM:".len()..].split_whitespace();
    let value: u64 = it.next()?.parse().ok()?;
    let mult = match it.next() {
        Some("kB") | Some("KB") | Some("kb") => 1024,
        Some("mB") | Some("MB") => 1024 * 1024,
        Some("B") | None => 1,
        Some(_) => return None,
    };
    value.checked_mul(mult)
}

/// The current UTC time as `YYYYmmdd-HHMMSS`.
pub fn utc_stamp() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    stamp_of(secs)
}

/// `YYYYmmdd-HHMMSS` of a Unix time (UTC, proleptic Gregorian calendar).
pub fn stamp_of(unix_secs: u64) -> String {
    let days = (unix_secs / 86_400) as i64;
    let rem = unix_secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Year, month, day of the day `days` after 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Shift the epoch to 0000-03-01 so that leap days fall at the end of a
    // year; count 400-year eras of 146097 days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era, 0..=146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // year of era
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of (March-based) year
    let mp = (5 * doy + 2) / 153; // month, March = 0
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d)
}

/// One CSV field, quoted when needed (RFC 4180).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A header value without spaces (trace headers are `key=value` tokens).
pub fn header_token(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| {
            if c.is_whitespace() || c == '=' {
                '_'
            } else {
                c
            }
        })
        .collect();
    if t.is_empty() {
        "network".into()
    } else {
        t
    }
}

/// A file-name-safe version of a model name.
pub fn file_token(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let t = t.trim_matches('.').to_string();
    if t.is_empty() {
        "network".into()
    } else {
        t
    }
}

/// Write to stdout; a closed pipe (`| head`) is not an error.
pub fn out(text: &str) -> std::io::Result<()> {
    let mut so = std::io::stdout().lock();
    match so.write_all(text.as_bytes()).and_then(|_| so.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r,
    }
}

/// Human byte count (the one formatter, shared with `check`'s memory estimate).
pub use spikefab_sim::memory::human_bytes;

/// Human count with an SI suffix (1.23 M).
pub fn human_count(x: f64) -> String {
    let ax = x.abs();
    if !x.is_finite() {
        "n/a".into()
    } else if ax >= 1e9 {
        format!("{:.2} G", x / 1e9)
    } else if ax >= 1e6 {
        format!("{:.2} M", x / 1e6)
    } else if ax >= 1e3 {
        format!("{:.2} k", x / 1e3)
    } else {
        format!("{x:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_calendar_dates() {
        assert_eq!(stamp_of(0), "19700101-000000");
        // 2000-02-29 12:34:56 UTC (a leap day of a century leap year)
        assert_eq!(stamp_of(951_827_696), "20000229-123456");
        // 2024-12-31 23:59:59 UTC
        assert_eq!(stamp_of(1_735_689_599), "20241231-235959");
        // 2100-03-01 00:00:00 UTC (2100 is not a leap year)
        assert_eq!(stamp_of(4_107_542_400), "21000301-000000");
    }

    #[test]
    fn vmhwm_parses() {
        let s = "Name:\tx\nVmPeak:\t  100 kB\nVmHWM:\t    2048 kB\nVmRSS:\t 10 kB\n";
        assert_eq!(parse_vmhwm(s), Some(2048 * 1024));
        assert_eq!(parse_vmhwm("VmRSS: 1 kB"), None);
    }

    #[test]
    fn csv_quoting() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("population \"E\""), "\"population \"\"E\"\"\"");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }

    #[test]
    fn tokens() {
        assert_eq!(header_token("my model"), "my_model");
        assert_eq!(file_token("../x y"), "_x_y");
        assert_eq!(file_token(".."), "network");
    }
}
