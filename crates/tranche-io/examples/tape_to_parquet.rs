//! Converts a CSV loan tape to Parquet (Snappy, 65,536 rows per row group), e.g. to
//! measure the Parquet reader on a large tape made by `scripts/big_tape.sh`:
//!
//! `cargo run --release -p tranche-io --features parquet --example tape_to_parquet -- IN.csv OUT.parquet`
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        eprintln!("usage: tape_to_parquet IN.csv OUT.parquet");
        return std::process::ExitCode::from(2);
    };
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    match tranche_io::parquet_table::csv_to_parquet(
        input.as_ref(),
        output.as_ref(),
        tranche_io::tape::POOL_CHUNK,
        props,
    ) {
        Ok(n) => {
            println!("{n} rows written to {output}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
