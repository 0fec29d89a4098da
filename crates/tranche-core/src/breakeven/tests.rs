use super::*;
use crate::testkit::small_model;
use crate::waterfall::Horizon;

fn base() -> Scenario {
    let mut s = Scenario {
        horizon: Horizon::Maturity,
        ..Scenario::default()
    };
    s.set("severity_pct", 50.0).unwrap();
    s.set("lag_months", 6.0).unwrap();
    s
}

fn spec(targets: &[Target]) -> BreakevenSpec {
    BreakevenSpec {
        base: base(),
        classes: vec!["M".into()],
        targets: targets.to_vec(),
        over: Over::Cdr,
        speeds: vec![],
        severities: vec![],
        lags: vec![],
        step: None,
    }
}

fn loss_at(m: &DealModel, s: &Scenario, cdr: f64) -> f64 {
    let s = Over::Cdr.apply(s, cdr).unwrap();
    m.run(&s)
        .unwrap()
        .summary
        .bond("M")
        .unwrap()
        .principal_loss_pct
}

#[test]
fn first_loss_is_the_first_grid_point_with_a_loss() {
    let m = small_model();
    let rows = solve(&m, &spec(&[Target::FirstLoss]), &|| {}).unwrap();
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    let cdr = r.rate.unwrap();
    assert!(cdr > 0.0 && cdr < 100.0, "{r:?}");
    // A loss there, none a tolerance step below (fresh runs, not the solver's).
    assert!(loss_at(&m, &base(), cdr) > LOSS_DUST_PCT);
    assert!(loss_at(&m, &base(), cdr - 0.01) <= LOSS_DUST_PCT);
    assert!(r.class_loss_pct.unwrap() > LOSS_DUST_PCT);
    assert!(r.pool_loss_pct.unwrap() > 0.0);
    // Every scan point below the answer was run and had no loss.
    let below: Vec<&Probe> = r.probes.iter().filter(|p| p.rate < cdr).collect();
    assert!(below.iter().all(|p| !p.reached));
    assert!(below.len() >= cdr.floor() as usize, "{below:?}");
    assert!(r.monotone, "{:?}", r.probes);
    assert_eq!(r.note(), "");
}

#[test]
fn deeper_targets_need_more_defaults() {
    let m = small_model();
    let rows = solve(
        &m,
        &spec(&[
            Target::FirstLoss,
            Target::LossPct { pct: 10.0 },
            Target::LossPct { pct: 50.0 },
        ]),
        &|| {},
    )
    .unwrap();
    let r: Vec<f64> = rows.iter().map(|r| r.rate.unwrap()).collect();
    assert!(r[0] < r[1] && r[1] < r[2], "{r:?}");
    assert!(rows[1].class_loss_pct.unwrap() >= 10.0);
    // A yield target: the yield at par with no defaults is above 0%, at the breakeven
    // the bond yields 0% or less.
    let y = solve(&m, &spec(&[Target::Yield { pct: 0.0 }]), &|| {}).unwrap();
    let at = y[0].rate.unwrap();
    let s = Over::Cdr.apply(&base(), at).unwrap();
    let b = m.run(&s).unwrap().summary;
    assert!(b.bond("M").unwrap().yield_pct.map_or(true, |v| v <= 0.0));
    assert!(
        at > r[0],
        "a loss comes before a zero yield: {at} vs {}",
        r[0]
    );
}

#[test]
fn a_target_never_reached_says_so() {
    let m = small_model();
    let mut sp = spec(&[Target::LossPct { pct: 100.0 }]);
    sp.classes = vec!["A".into()];
    sp.step = Some(25.0);
    sp.base.set("severity_pct", 10.0).unwrap();
    let rows = solve(&m, &sp, &|| {}).unwrap();
    assert_eq!(rows[0].rate, None);
    assert_eq!(rows[0].note(), "not reached up to 100% CDR");
    // The scan ran 0, 25, 50, 75 and 100.
    let rates: Vec<f64> = rows[0].probes.iter().map(|p| p.rate).collect();
    assert_eq!(rates, [0.0, 25.0, 50.0, 75.0, 100.0]);
}

#[test]
fn cells_in_parallel_give_the_rows_of_one_thread_in_the_same_order() {
    let m = small_model();
    let mut sp = spec(&[Target::FirstLoss, Target::LossPct { pct: 5.0 }]);
    sp.classes = vec!["M".into(), "A".into()];
    sp.speeds = vec![50.0, 150.0];
    sp.severities = vec![40.0, 60.0];
    sp.step = Some(5.0);
    let pool = |n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
    };
    let count = std::sync::atomic::AtomicUsize::new(0);
    let one = pool(1)
        .install(|| {
            solve(&m, &sp, &|| {
                count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            })
        })
        .unwrap();
    let many = pool(3).install(|| solve(&m, &sp, &|| {})).unwrap();
    assert_eq!(one, many);
    assert_eq!(one.len(), 2 * 2 * 2 * 2);
    assert_eq!(count.into_inner(), 16);
    let key: Vec<(Option<f64>, f64, &str)> = one
        .iter()
        .map(|r| (r.speed_pct, r.severity_pct, r.class.as_str()))
        .collect();
    assert_eq!(key[0], (Some(50.0), 40.0, "M"));
    assert_eq!(key[2], (Some(50.0), 40.0, "A"));
    assert_eq!(key[4], (Some(50.0), 60.0, "M"));
    assert_eq!(key[15], (Some(150.0), 60.0, "A"));
    // More severity, fewer defaults to the first loss.
    let first = |sev: f64| {
        one.iter()
            .find(|r| {
                r.class == "M"
                    && r.speed_pct == Some(50.0)
                    && r.severity_pct == sev
                    && r.target == Target::FirstLoss
            })
            .unwrap()
            .rate
            .unwrap()
    };
    assert!(first(60.0) < first(40.0));
}

#[test]
fn sda_and_vector_multiples_solve_on_their_own_axes() {
    let m = small_model();
    let cdr = solve(&m, &spec(&[Target::FirstLoss]), &|| {}).unwrap()[0]
        .rate
        .unwrap();
    // A flat CDR vector of 5%: a multiple of m% is m/20 % CDR.
    let mut sp = spec(&[Target::FirstLoss]);
    sp.over = Over::DefaultVectorMultiple;
    sp.base.defaults.rate = DefaultRate::Vector { cdr_pct: vec![5.0] };
    let mult = solve(&m, &sp, &|| {}).unwrap()[0].rate.unwrap();
    assert!(
        (mult / 20.0 - cdr).abs() <= 0.01 + 1e-9,
        "{mult}% of 5% CDR vs {cdr}% CDR"
    );
    sp.over = Over::Sda;
    let sda = solve(&m, &sp, &|| {}).unwrap()[0].rate.unwrap();
    assert!(sda > 100.0, "{sda}");
    // Without a vector the multiple has nothing to scale.
    let mut sp = spec(&[Target::FirstLoss]);
    sp.over = Over::DefaultVectorMultiple;
    let e = solve(&m, &sp, &|| {}).unwrap_err().to_string();
    assert!(e.contains("--cdr-vector"), "{e}");
}

#[test]
fn bad_targets_classes_and_steps_are_errors() {
    for (t, want) in [
        ("first-loss", None),
        ("loss-pct=5", None),
        ("yield=4.5", None),
        ("dm=-20", None),
        ("loss-pct=0", Some("above 0 and at most 100")),
        (
            "yield=2000",
            Some("yield: expected percent per annum from -99 to 1000"),
        ),
        (
            "first",
            Some("expected first-loss, loss-pct=X, yield=Y or dm=D"),
        ),
        ("dm=abc", Some("found `dm=abc`")),
    ] {
        match (Target::parse(t), want) {
            (Ok(p), None) => assert_eq!(Target::parse(&p.name()).unwrap(), p),
            (Err(e), Some(w)) => assert!(e.to_string().contains(w), "{t}: {e}"),
            (r, w) => panic!("{t}: {r:?} (wanted {w:?})"),
        }
    }
    let m = small_model();
    let mut sp = spec(&[Target::FirstLoss]);
    sp.classes = vec!["Z".into()];
    let e = solve(&m, &sp, &|| {}).unwrap_err().to_string();
    assert!(
        e.contains("no class `Z` in the deal; expected one of A, M"),
        "{e}"
    );
    let mut sp = spec(&[Target::FirstLoss]);
    sp.step = Some(0.001);
    let e = solve(&m, &sp, &|| {}).unwrap_err().to_string();
    assert!(e.contains("expected a step from 0.01 to 100 % CDR"), "{e}");
    assert!(Over::parse("default-vector-multiple").is_ok());
    assert!(Over::parse("psa").is_err());
}
