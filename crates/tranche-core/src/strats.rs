//! Stratification tables declared as data and computed from a tape.
