//! From the fitted state to loans: descriptive fields, ARM terms coherent per loan (caps,
//! floors and lifetime caps set to the summary's weighted averages), fees and IO terms.

use super::dims::{Dim, PoolSpec};
use super::init::{State, NONE};
use super::prng::Rng;
use super::{FitOptions, PoolSummary, StratTable};
use chrono::{Datelike, Duration, NaiveDate};
use tranche_core::error::{Error, Result};
use tranche_core::tape::{AmortType, ArmTerms, Loan};

fn add_months(d: NaiveDate, months: i32) -> NaiveDate {
    let idx = d.year() * 12 + d.month0() as i32 + months;
    NaiveDate::from_ymd_opt(idx.div_euclid(12), idx.rem_euclid(12) as u32 + 1, 1).unwrap_or(d)
}

fn r8(x: f64) -> f64 {
    (x * 1e8).round() / 1e8
}

/// Moves values one rung of `ladder` at a time (loans in `order`) until the balance-weighted
/// average of `vals` is as close as it gets to `target`.
fn steer(
    vals: &mut [f64],
    bal: &[f64],
    order: &[usize],
    ladder: &[f64],
    target: f64,
    ok: &dyn Fn(usize, f64) -> bool,
) {
    let tot: f64 = order.iter().map(|&i| bal[i]).sum();
    if tot <= 0.0 || ladder.is_empty() {
        return;
    }
    let mut sum: f64 = order.iter().map(|&i| bal[i] * vals[i]).sum();
    for _pass in 0..4 {
        for &i in order {
            let wa = sum / tot;
            let err = wa - target;
            if err.abs() < 1e-6 {
                return;
            }
            let cur = vals[i];
            let next = if err > 0.0 {
                ladder.iter().rev().find(|&&x| x < cur - 1e-12)
            } else {
                ladder.iter().find(|&&x| x > cur + 1e-12)
            };
            let Some(&nv) = next else { continue };
            if !ok(i, nv) {
                continue;
            }
            let new_err = (sum + bal[i] * (nv - cur)) / tot - target;
            if new_err.abs() < err.abs() {
                sum += bal[i] * (nv - cur);
                vals[i] = nv;
            }
        }
    }
}

/// Which products may be interest-only: every one when `names` is empty, else those named
/// (a product label, or `arm` / `fixed` for every product of that kind).
fn io_products(products: &[super::ProductSpec], names: &[String]) -> Result<Vec<bool>> {
    if names.is_empty() {
        return Ok(vec![true; products.len()]);
    }
    let mut chosen = vec![false; products.len()];
    for name in names {
        let n = name.trim();
        let hits: Vec<usize> = (0..products.len())
            .filter(|&p| {
                let pr = &products[p];
                pr.label.eq_ignore_ascii_case(n)
                    || (n.eq_ignore_ascii_case("arm") && !pr.fixed)
                    || (n.eq_ignore_ascii_case("fixed") && pr.fixed)
            })
            .collect();
        if hits.is_empty() {
            let labels: Vec<&str> = products.iter().map(|p| p.label.as_str()).collect();
            return Err(Error::invalid(
                "io_products",
                format!(
                    "`{n}` names no product of the pool (products: {}; or `arm`, `fixed`)",
                    labels.join(", ")
                ),
            ));
        }
        for p in hits {
            chosen[p] = true;
        }
    }
    Ok(chosen)
}

pub fn build_loans(
    st: &State,
    spec: &PoolSpec,
    tables: &[StratTable],
    s: &PoolSummary,
    opts: &FitOptions,
) -> Result<Vec<Loan>> {
    let n = st.n;
    let mut rng = Rng::new(opts.seed ^ 0x00F1_A15E);
    let cat_label = |dim: Dim, i: usize| -> Option<String> {
        let t = spec.table(dim)?;
        let c = st.cats.iter().position(|(tt, _)| *tt == t)?;
        let b = st.cats[c].1[st.slot_cat[c][i]];
        tables[t]
            .rows
            .get(b as usize)
            .map(|r| r.label.trim().to_string())
    };
    let tier_fee: Vec<f64> = if opts.servicing.is_empty() {
        vec![0.0]
    } else {
        opts.servicing.iter().map(|t| t.rate_pct).collect()
    };
    let maxrate_rng = spec.ranges(Dim::MaxRate, (0.0, 100.0));
    let grid = st.grid;
    let bal: Vec<f64> = st.bal.iter().map(|v| v.v.unwrap_or(0.0)).collect();
    let rate: Vec<f64> = st.rate.iter().map(|v| v.v.unwrap_or(0.0)).collect();
    let is_arm: Vec<bool> = (0..n)
        .map(|i| !st.products[st.timing[st.slot_timing[i]].product].fixed)
        .collect();
    let arm_idx: Vec<usize> = (0..n).filter(|&i| is_arm[i]).collect();
    let mut order = arm_idx.clone();
    rng.shuffle(&mut order);

    // Margins (percent); every ARM has one (from the margin table or the summary).
    let mut margin = vec![0.0; n];
    for &i in &arm_idx {
        margin[i] = st
            .margin
            .get(st.slot_margin[i])
            .and_then(|v| v.v)
            .ok_or_else(|| Error::NoSolution(format!("loan {}: ARM without a margin", i + 1)))?;
    }

    // Lifetime caps: within the loan's max-rate bucket, nearest to rate + 6 (the usual
    // lifetime cap over the start rate), never below the rate; then steered to the WA.
    let mut life: Vec<f64> = vec![0.0; n];
    let mut life_rng: Vec<(f64, f64)> = vec![(0.0, 100.0); n];
    for &i in &arm_idx {
        let b = st
            .maxrate
            .get(st.slot_maxrate[i])
            .map(|v| v.b)
            .unwrap_or(NONE);
        let (lo, hi) = maxrate_rng
            .get(b as usize)
            .copied()
            .unwrap_or((rate[i], rate[i] + 12.0));
        let lo_ok = lo.max(rate[i]);
        let want = ((rate[i] + 6.0) / grid).round() * grid;
        let mut v = want.clamp(lo_ok, hi);
        if v < lo_ok {
            v = lo_ok;
        }
        life[i] = r8(v);
        life_rng[i] = (lo_ok, hi.max(lo_ok));
    }
    if let Some(f) = s.get("wa_lifetime_cap") {
        let ladder: Vec<f64> = (0..=240).map(|k| k as f64 * grid).collect();
        let lr = life_rng.clone();
        steer(&mut life, &bal, &order, &ladder, f.value, &|i, v| {
            v >= lr[i].0 - 1e-9 && v <= lr[i].1 + 1e-9
        });
    }

    // Floors: the margin (within the summary's range, never above the rate), some at the
    // start rate to reach the summary's WA floor.
    let (fmin, fmax) = s
        .get("wa_lifetime_floor")
        .map(|f| (f.min.unwrap_or(0.0), f.max.unwrap_or(100.0)))
        .unwrap_or((0.0, 100.0));
    let mut floor: Vec<f64> = (0..n)
        .map(|i| margin[i].clamp(fmin, fmax).min(rate[i]))
        .collect();
    if let Some(f) = s.get("wa_lifetime_floor") {
        let tot: f64 = arm_idx.iter().map(|&i| bal[i]).sum();
        let mut sum: f64 = arm_idx.iter().map(|&i| bal[i] * floor[i]).sum();
        for &i in &order {
            let err = sum / tot - f.value;
            if err >= 0.0 {
                break;
            }
            let nv = rate[i].min(fmax);
            if nv > floor[i] && (sum + bal[i] * (nv - floor[i])) / tot - f.value < -err {
                sum += bal[i] * (nv - floor[i]);
                floor[i] = nv;
            }
        }
    }

    // Caps: customary by product (1% for 6-month ARMs, 3% for 2- and 3-year hybrids, 5% for
    // longer ones; subsequent 1% for 6-month resets, 2% for yearly), then steered to the
    // summary's weighted averages on a ladder of customary values within its ranges.
    let prod = |i: usize| &st.products[st.timing[st.slot_timing[i]].product];
    let cap_ladder = |f: Option<super::SummaryFigure>| -> Vec<f64> {
        let (lo, hi) = f
            .map(|f| (f.min.unwrap_or(0.0), f.max.unwrap_or(100.0)))
            .unwrap_or((0.0, 100.0));
        [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0]
            .into_iter()
            .filter(|x| *x >= lo - 1e-9 && *x <= hi + 1e-9)
            .collect()
    };
    let fi = s.get("wa_first_periodic_cap");
    let fp = s.get("wa_subsequent_periodic_cap");
    let clampf = |x: f64, f: Option<super::SummaryFigure>| match f {
        Some(f) => x.clamp(f.min.unwrap_or(x), f.max.unwrap_or(x)),
        None => x,
    };
    let mut icap: Vec<f64> = (0..n)
        .map(|i| {
            let p = prod(i);
            clampf(
                if p.first_reset <= 6 {
                    1.0
                } else if p.first_reset <= 36 {
                    3.0
                } else {
                    5.0
                },
                fi,
            )
        })
        .collect();
    let mut pcap: Vec<f64> = (0..n)
        .map(|i| clampf(if prod(i).reset_freq <= 6 { 1.0 } else { 2.0 }, fp))
        .collect();
    if let Some(f) = fi {
        steer(
            &mut icap,
            &bal,
            &order,
            &cap_ladder(fi),
            f.value,
            &|_, _| true,
        );
    }
    if let Some(f) = fp {
        steer(
            &mut pcap,
            &bal,
            &order,
            &cap_ladder(fp),
            f.value,
            &|_, _| true,
        );
    }

    // Prepayment penalty type: soft/hard by the summary's balance shares.
    let pp_months: Vec<u32> = (0..n)
        .map(|i| {
            cat_label(Dim::PrepayTerm, i)
                .and_then(|l| l.trim().parse::<f64>().ok())
                .map(|x| x.round() as u32)
                .unwrap_or(0)
        })
        .collect();
    let mut pp_soft = vec![false; n];
    if let (Some(soft), Some(hard)) = (s.value("soft"), s.value("hard")) {
        let with: Vec<usize> = (0..n).filter(|&i| pp_months[i] > 0).collect();
        let tot: f64 = with.iter().map(|&i| bal[i]).sum();
        let target = if soft + hard > 0.0 {
            soft / (soft + hard) * tot
        } else {
            0.0
        };
        let mut o = with.clone();
        rng.shuffle(&mut o);
        let mut acc = 0.0;
        for i in o {
            if acc + bal[i] / 2.0 <= target {
                acc += bal[i];
                pp_soft[i] = true;
            }
        }
    }

    // Interest-only: a share of each chosen product's balance, loans drawn in seeded order.
    let mut io = vec![0u32; n];
    if opts.io_share_pct > 0.0 {
        let chosen = io_products(&st.products, &opts.io_products)?;
        for p in (0..st.products.len()).filter(|&p| chosen[p]) {
            let mut members: Vec<usize> = (0..n)
                .filter(|&i| st.timing[st.slot_timing[i]].product == p)
                .collect();
            rng.shuffle(&mut members);
            let tot: f64 = members.iter().map(|&i| bal[i]).sum();
            let target = tot * opts.io_share_pct / 100.0;
            let mut acc = 0.0;
            for i in members {
                if acc + bal[i] / 2.0 <= target {
                    acc += bal[i];
                    io[i] = opts.io_months;
                }
            }
        }
    }

    let first_pay = add_months(opts.cutoff, 1);
    let mut loans = Vec::with_capacity(n);
    for i in 0..n {
        let tm = &st.timing[st.slot_timing[i]];
        let p = &st.products[tm.product];
        let lv = &st.ltv[st.slot_ltv[i]];
        let arm = if p.fixed {
            None
        } else {
            let mtr = tm.mtr.ok_or_else(|| {
                Error::NoSolution(format!("loan {}: ARM without months to roll", i + 1))
            })?;
            Some(ArmTerms {
                index: p
                    .index
                    .clone()
                    .unwrap_or(tranche_core::tape::RateIndex::Libor6M),
                margin: r8(margin[i] / 100.0),
                months_to_reset: mtr,
                reset_freq: p.reset_freq,
                first_reset_pending: tm.age + mtr <= p.first_reset + u32::from(tm.delayed),
                initial_cap: r8(icap[i] / 100.0),
                periodic_cap: r8(pcap[i] / 100.0),
                life_cap: r8(life[i] / 100.0),
                life_floor: r8(floor[i] / 100.0),
                rounding: 0.00125,
                lookback_months: 1,
            })
        };
        let fp = if tm.delayed {
            add_months(first_pay, 1)
        } else {
            add_months(first_pay, -(tm.age as i32))
        };
        let orig = add_months(fp, -2) + Duration::days(14);
        loans.push(Loan {
            loan_id: format!("{:06}", i + 1),
            balance: bal[i],
            gross_rate: r8(rate[i] / 100.0),
            orig_term: tm.orig_term,
            rem_term: tm.orig_term.saturating_sub(tm.age),
            age: tm.age,
            amort: if p.fixed {
                AmortType::Fixed
            } else {
                AmortType::Arm
            },
            io_months: io[i],
            servicing_fee: r8(tier_fee[st.tier_index(i)] / 100.0),
            mi_fee: r8(lv.mi / 100.0),
            arm,
            product: p.label.clone(),
            state: cat_label(Dim::State, i).unwrap_or_default(),
            property_type: cat_label(Dim::PropertyType, i).unwrap_or_default(),
            occupancy: cat_label(Dim::Occupancy, i).unwrap_or_default(),
            purpose: cat_label(Dim::Purpose, i).unwrap_or_default(),
            doc_type: cat_label(Dim::DocType, i).unwrap_or_default(),
            fico: st
                .fico
                .get(st.slot_fico[i])
                .and_then(|v| v.v)
                .map(|f| f.round() as u32),
            orig_ltv: lv.ltv,
            dti: st.dti.get(st.slot_dti[i]).and_then(|v| v.v),
            prepay_penalty_months: pp_months[i],
            prepay_penalty_type: if pp_months[i] == 0 {
                String::new()
            } else if pp_soft[i] {
                "soft".into()
            } else {
                "hard".into()
            },
            orig_date: Some(orig),
            lien: 1,
            delinquency: cat_label(Dim::Delinquency, i).unwrap_or_else(|| "Current".into()),
        });
    }
    Ok(loans)
}
