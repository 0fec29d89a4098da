//! The deal definition: dates, fees, bonds, overcollateralization, triggers,
//! derivatives, clean-up call and the priority of payments, as data.
