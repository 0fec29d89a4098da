#![cfg(feature = "parquet")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Parquet tapes read like their CSV twins.

use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use std::sync::Arc;
use tranche_io::tape::read_tape;

fn text(v: &[&str]) -> Vec<ByteArray> {
    v.iter().map(|s| ByteArray::from(*s)).collect()
}

#[test]
fn parquet_and_csv_give_the_same_loans() {
    let dir = tempfile::tempdir().unwrap();
    let pq = dir.path().join("t.parquet");
    let schema = Arc::new(
        parse_message_type(
            "message tape {
                REQUIRED BYTE_ARRAY loan_id (UTF8);
                REQUIRED DOUBLE balance;
                REQUIRED DOUBLE gross_rate_pct;
                REQUIRED INT32 orig_term;
                REQUIRED INT32 rem_term;
                REQUIRED BYTE_ARRAY amort_type (UTF8);
                OPTIONAL BYTE_ARRAY index (UTF8);
                OPTIONAL DOUBLE margin_pct;
                OPTIONAL INT32 months_to_reset;
                OPTIONAL INT32 reset_freq_months;
                OPTIONAL DOUBLE initial_cap_pct;
                OPTIONAL DOUBLE periodic_cap_pct;
                OPTIONAL DOUBLE life_cap_pct;
                OPTIONAL DOUBLE life_floor_pct;
                OPTIONAL INT32 orig_date (DATE);
            }",
        )
        .unwrap(),
    );
    let file = std::fs::File::create(&pq).unwrap();
    let props = Arc::new(WriterProperties::builder().build());
    let mut w = SerializedFileWriter::new(file, schema, props).unwrap();
    let mut rg = w.next_row_group().unwrap();
    let some_none = [1i16, 0];
    let mut k = 0;
    while let Some(mut col) = rg.next_column().unwrap() {
        match k {
            0 => col
                .typed::<ByteArrayType>()
                .write_batch(&text(&["A", "B"]), None, None),
            1 => col
                .typed::<DoubleType>()
                .write_batch(&[250_000.0, 100_000.0], None, None),
            2 => col
                .typed::<DoubleType>()
                .write_batch(&[5.5, 6.0], None, None),
            3 => col
                .typed::<Int32Type>()
                .write_batch(&[360, 360], None, None),
            4 => col
                .typed::<Int32Type>()
                .write_batch(&[358, 360], None, None),
            5 => col
                .typed::<ByteArrayType>()
                .write_batch(&text(&["arm", "fixed"]), None, None),
            6 => col.typed::<ByteArrayType>().write_batch(
                &text(&["LIBOR6M"]),
                Some(&some_none),
                None,
            ),
            7 => col
                .typed::<DoubleType>()
                .write_batch(&[3.25], Some(&some_none), None),
            8 => col
                .typed::<Int32Type>()
                .write_batch(&[22], Some(&some_none), None),
            9 => col
                .typed::<Int32Type>()
                .write_batch(&[6], Some(&some_none), None),
            10 => col
                .typed::<DoubleType>()
                .write_batch(&[3.0], Some(&some_none), None),
            11 => col
                .typed::<DoubleType>()
                .write_batch(&[1.0], Some(&some_none), None),
            12 => col
                .typed::<DoubleType>()
                .write_batch(&[11.5], Some(&some_none), None),
            13 => col
                .typed::<DoubleType>()
                .write_batch(&[3.25], Some(&some_none), None),
            // 2003-11-15 is day 12371 after 1970-01-01.
            _ => col
                .typed::<Int32Type>()
                .write_batch(&[12371], Some(&some_none), None),
        }
        .unwrap();
        col.close().unwrap();
        k += 1;
    }
    rg.close().unwrap();
    w.close().unwrap();

    let csv = dir.path().join("t.csv");
    std::fs::write(
        &csv,
        "loan_id,balance,gross_rate_pct,orig_term,rem_term,amort_type,index,margin_pct,months_to_reset,reset_freq_months,initial_cap_pct,periodic_cap_pct,life_cap_pct,life_floor_pct,orig_date\n\
         A,250000,5.5,360,358,arm,LIBOR6M,3.25,22,6,3,1,11.5,3.25,2003-11-15\n\
         B,100000,6.0,360,360,fixed,,,,,,,,,\n",
    )
    .unwrap();
    let from_pq = read_tape(&pq).unwrap().loans;
    let from_csv = read_tape(&csv).unwrap().loans;
    assert_eq!(from_pq, from_csv);
    assert_eq!(from_pq.len(), 2);
}

#[test]
fn not_a_parquet_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.parquet");
    std::fs::write(&p, b"loan_id,balance\n").unwrap();
    let e = read_tape(&p).unwrap_err().to_string();
    assert!(e.contains("not a readable Parquet loan tape"), "{e}");
}

/// Corrupt files found by the `tape_parquet` fuzz target: one makes the Parquet crate
/// assert (a negative column offset), one made it read past the end of the file for
/// minutes (a page header skipped element by element), six made it allocate gigabytes
/// (page headers claiming huge sizes or value counts, `oom-*`), one kept it busy for
/// seconds decoding the footer (`slow-unit-*`). Each is one input error, at once; the
/// `oom-*` inputs are caught by the footer or page-header checks before the crate
/// allocates (the page-header errors name the column).
#[test]
fn corrupt_parquet_is_an_input_error_not_a_panic_or_a_hang() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions/tape_parquet");
    let mut oom = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let bytes = std::fs::read(&p).unwrap();
        let opts = tranche_io::tape::TapeOptions::default();
        match tranche_io::tape::read_tape_parquet_bytes(&p, bytes, &opts) {
            Err(tranche_io::IoError::Input { errors, .. }) => {
                assert_eq!(errors.len(), 1, "{}: {errors:?}", p.display());
                let name = p.file_name().unwrap().to_string_lossy();
                if name.starts_with("oom-") {
                    oom += 1;
                    let e = &errors[0];
                    let page = e.location.field.is_some()
                        && e.message
                            .starts_with("corrupt Parquet loan tape: row group 1: ");
                    let footer = e.message.contains("the file metadata runs past its end");
                    assert!(page || footer, "{name}: {e:?}");
                }
            }
            other => panic!("{}: {other:?}", p.display()),
        }
    }
    assert_eq!(oom, 6);
}

/// A CSV tape of `n` loans (fixed and ARM rows, some optional cells empty).
fn csv_tape(n: usize) -> String {
    let mut body = String::from(
        "loan_id,balance,gross_rate_pct,orig_term,rem_term,amort_type,index,margin_pct,months_to_reset,reset_freq_months,initial_cap_pct,periodic_cap_pct,life_cap_pct,life_floor_pct,state,fico\n",
    );
    for k in 0..n {
        let ix = ["CMT1Y", "LIBOR6M", "LIBOR1M"][k % 3];
        let fico = if k % 7 == 0 {
            String::new()
        } else {
            (600 + k % 200).to_string()
        };
        if k % 4 == 0 {
            body.push_str(&format!(
                "F{k},{}.25,6.5,360,{},fixed,,,,,,,,,CA,{fico}\n",
                50_000 + k,
                300 + k % 60
            ));
        } else {
            body.push_str(&format!(
                "A{k},{},5.{},360,359,arm,{ix},3,{},6,3,1,11,3,NV,{fico}\n",
                100_000 + 3 * k,
                k % 10,
                1 + k % 24
            ));
        }
    }
    body
}

/// Tapes written the ways other writers do (Snappy or not, dictionary pages, v1 and v2
/// data pages, many row groups and small pages) pass the page-header check and read as
/// their CSV twin, as a loan list and streamed into a pool.
#[test]
fn parquet_written_several_ways_reads_like_its_csv() {
    use parquet::basic::Compression;
    use parquet::file::properties::{WriterProperties, WriterVersion};
    use tranche_core::collateral::LoanPool;
    use tranche_io::tape::{read_tape_pool, TapeOptions};
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    std::fs::write(&csv, csv_tape(5_000)).unwrap();
    let want = read_tape(&csv).unwrap().loans;
    let want_pool = format!("{:?}", LoanPool::from_loans(&want).unwrap());
    for (k, (codec, version, dictionary, group)) in [
        (Compression::SNAPPY, WriterVersion::PARQUET_1_0, true, 1_000),
        (Compression::SNAPPY, WriterVersion::PARQUET_2_0, true, 4_096),
        (
            Compression::UNCOMPRESSED,
            WriterVersion::PARQUET_1_0,
            false,
            5_000,
        ),
        (
            Compression::UNCOMPRESSED,
            WriterVersion::PARQUET_2_0,
            true,
            333,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let props = WriterProperties::builder()
            .set_compression(codec)
            .set_writer_version(version)
            .set_dictionary_enabled(dictionary)
            .set_data_page_size_limit(512)
            .set_write_batch_size(64)
            .build();
        let pq = dir.path().join(format!("t{k}.parquet"));
        let n = tranche_io::parquet_table::csv_to_parquet(&csv, &pq, group, props).unwrap();
        assert_eq!(n, 5_000);
        let got = read_tape(&pq)
            .unwrap_or_else(|e| panic!("case {k}: {e}"))
            .loans;
        assert!(got == want, "case {k}: loans differ");
        let pool = read_tape_pool(&pq, &TapeOptions::default()).unwrap().loans;
        assert_eq!(format!("{pool:?}"), want_pool, "case {k}");
    }
}
