//! Building a loan-level pool whose stratification reproduces published tables.
