//! Bond analytics: WAL, payment windows, discount margin, yield, price, duration.
