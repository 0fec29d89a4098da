//! Calendars, payment dates and day counts.
//!
//! Payment dates are a fixed day of the month rolled to the next business day.
//! Interest accrual periods run from the prior payment date (first: closing) to the
//! day before the current payment date; their day count is actual days.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// Business-day calendar for rolling payment dates.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Calendar {
    /// Federal Reserve (US banking) holidays: what trustees and paying agents close on.
    #[default]
    UsBanking,
    /// US banking holidays plus Good Friday (the SIFMA bond-market calendar's full closes).
    UsSifma,
    /// Weekends only.
    Weekends,
}

fn nth_weekday(year: i32, month: u32, wd: Weekday, n: u32) -> NaiveDate {
    // n is 1-based; all callers pass valid (year, month, n<=4).
    let first = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN);
    let offset = (7 + wd.num_days_from_monday() - first.weekday().num_days_from_monday()) % 7;
    first + Duration::days(i64::from(offset + 7 * (n - 1)))
}

fn last_weekday(year: i32, month: u32, wd: Weekday) -> NaiveDate {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .unwrap_or(NaiveDate::MAX);
    let last = next - Duration::days(1);
    let back = (7 + last.weekday().num_days_from_monday() - wd.num_days_from_monday()) % 7;
    last - Duration::days(i64::from(back))
}

/// Easter Sunday (Gregorian, anonymous algorithm).
fn easter(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).unwrap_or(NaiveDate::MIN)
}

/// Fixed-date Fed holidays falling on Sunday are observed Monday (Saturday: not moved).
fn fed_fixed(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    let d = NaiveDate::from_ymd_opt(year, month, day)?;
    Some(if d.weekday() == Weekday::Sun {
        d + Duration::days(1)
    } else {
        d
    })
}

impl Calendar {
    pub fn is_holiday(self, d: NaiveDate) -> bool {
        if matches!(self, Calendar::Weekends) {
            return false;
        }
        let y = d.year();
        let mut fixed = vec![
            fed_fixed(y, 1, 1),
            fed_fixed(y, 7, 4),
            fed_fixed(y, 11, 11),
            fed_fixed(y, 12, 25),
        ];
        if y >= 2022 {
            fixed.push(fed_fixed(y, 6, 19));
        }
        if fixed.into_iter().flatten().any(|h| h == d) {
            return true;
        }
        let floating = [
            nth_weekday(y, 1, Weekday::Mon, 3),  // Martin Luther King Jr.
            nth_weekday(y, 2, Weekday::Mon, 3),  // Washington's Birthday
            last_weekday(y, 5, Weekday::Mon),    // Memorial Day
            nth_weekday(y, 9, Weekday::Mon, 1),  // Labor Day
            nth_weekday(y, 10, Weekday::Mon, 2), // Columbus Day
            nth_weekday(y, 11, Weekday::Thu, 4), // Thanksgiving
        ];
        if floating.contains(&d) {
            return true;
        }
        matches!(self, Calendar::UsSifma) && d == easter(y) - Duration::days(2)
    }

    pub fn is_business_day(self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.is_holiday(d)
    }

    /// The date itself if a business day, else the next business day ("following").
    pub fn roll_following(self, mut d: NaiveDate) -> NaiveDate {
        // At most a long weekend plus a holiday: bounded.
        for _ in 0..10 {
            if self.is_business_day(d) {
                return d;
            }
            d += Duration::days(1);
        }
        d
    }
}

/// `months` calendar months after (year, month) of `start`, on `day` (clamped to month end).
pub fn add_months_on_day(start: NaiveDate, months: u32, day: u32) -> NaiveDate {
    let total = start.year() * 12 + start.month0() as i32 + months as i32;
    let (y, m) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
    let mut dd = day.min(31);
    loop {
        if let Some(d) = NaiveDate::from_ymd_opt(y, m, dd) {
            return d;
        }
        dd -= 1;
    }
}

/// Business-day-adjusted payment dates: `first` (unadjusted) then monthly on `day`.
pub fn payment_dates(first: NaiveDate, day: u32, n: usize, cal: Calendar) -> Vec<NaiveDate> {
    (0..n)
        .map(|i| cal.roll_following(add_months_on_day(first, i as u32, day)))
        .collect()
}

/// Actual days between two dates (end exclusive).
pub fn days_between(start: NaiveDate, end: NaiveDate) -> i64 {
    (end - start).num_days()
}

/// Year fraction actual/360.
pub fn act360(start: NaiveDate, end: NaiveDate) -> f64 {
    days_between(start, end) as f64 / 360.0
}

/// Year fraction actual/365 (fixed).
pub fn act365(start: NaiveDate, end: NaiveDate) -> f64 {
    days_between(start, end) as f64 / 365.0
}

/// The month as `YYYY-MM`.
pub fn yyyy_mm(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn holidays_2004() {
        let c = Calendar::UsBanking;
        assert!(c.is_holiday(d(2004, 1, 19))); // MLK
        assert!(c.is_holiday(d(2004, 2, 16))); // Presidents
        assert!(c.is_holiday(d(2004, 5, 31))); // Memorial
        assert!(c.is_holiday(d(2004, 11, 25))); // Thanksgiving
        assert!(c.is_holiday(d(2005, 12, 26))); // Christmas on Sunday, observed Monday
        assert!(!c.is_holiday(d(2005, 3, 25))); // Good Friday: banks open
        assert!(Calendar::UsSifma.is_holiday(d(2005, 3, 25)));
        assert_eq!(easter(2004), d(2004, 4, 11));
    }

    #[test]
    fn payment_dates_roll() {
        let p = payment_dates(d(2004, 2, 25), 25, 12, Calendar::UsBanking);
        assert_eq!(p[0], d(2004, 2, 25));
        assert_eq!(p[3], d(2004, 5, 25));
        assert_eq!(p[4], d(2004, 6, 25));
        assert_eq!(p[6], d(2004, 8, 25));
        assert_eq!(p[8], d(2004, 10, 25));
        assert_eq!(p[10], d(2004, 12, 27)); // Dec 25 Saturday → Monday 27 (Christmas observed Fri 24)
                                            // 2004-04-25 is a Sunday → Monday
        assert_eq!(p[2], d(2004, 4, 26));
    }

    #[test]
    fn month_end_clamp() {
        assert_eq!(add_months_on_day(d(2004, 1, 31), 1, 31), d(2004, 2, 29));
    }
}
