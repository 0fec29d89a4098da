//! Scenario grids run in parallel with results independent of the thread count.
