//! UTC timestamps without a calendar dependency: run ids, partition dates
//! and the runs dataset only need the civil date and time of "now".

use std::time::{SystemTime, UNIX_EPOCH};

/// Microseconds since the Unix epoch.
pub fn now_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// (year, month, day, hour, minute, second) in UTC.
pub fn civil(micros: i64) -> (i64, u32, u32, u32, u32, u32) {
    let secs = micros.div_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

pub fn rfc3339(micros: i64) -> String {
    let (y, mo, d, h, mi, s) = civil(micros);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

pub fn now_rfc3339() -> String {
    rfc3339(now_micros())
}

/// `YYYY-MM-DD`, for the `run_date=` partition.
pub fn date(micros: i64) -> String {
    let (y, mo, d, ..) = civil(micros);
    format!("{y:04}-{mo:02}-{d:02}")
}

/// A run id that sorts by start time: `20261127T213000Z-3f2a`.
pub fn run_id(micros: i64) -> String {
    let (y, mo, d, h, mi, s) = civil(micros);
    let salt = (micros as u64 % 1_000_000) ^ (u64::from(std::process::id()) << 20);
    format!(
        "{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z-{:04x}",
        salt & 0xffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_are_right() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        // 2024-02-29T12:34:56Z, a leap day.
        assert_eq!(rfc3339(1_709_210_096_000_000), "2024-02-29T12:34:56Z");
        assert_eq!(date(1_709_210_096_000_000), "2024-02-29");
        assert!(run_id(1_709_210_096_000_000).starts_with("20240229T123456Z-"));
    }
}
