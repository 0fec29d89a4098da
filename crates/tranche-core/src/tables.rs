//! Report tables: price/DM sensitivity, term-sheet summary, Available Funds Rate schedule.
