//! Knowledge as data: what programs and libraries do, compiled in, one entry per call or
//! program, each naming the source it comes from. The model asks these tables; rules never
//! hold such facts themselves. Adding a library is adding an entry.

pub mod hub_downloads;
pub mod python_modules;
pub mod python_writes;
