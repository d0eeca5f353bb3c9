//! Knowledge as data: what programs and libraries do, compiled in, one entry per call or
//! program, each naming the source it comes from. The model asks these tables; rules never
//! hold such facts themselves. Adding a library is adding an entry.

pub mod apt_packages;
pub mod base_images;
pub mod hub_downloads;
pub mod native_libraries;
pub mod python_modules;
pub mod python_writes;

/// The entry of a call table for a call: by its qualified name (`os.makedirs`), else as a
/// method of any object when the entry's name starts with `.` (`.to_csv`).
fn by_callee<T>(
    table: &'static [T],
    callee: fn(&T) -> &'static str,
    qualified: Option<&str>,
    method: Option<&str>,
) -> Option<&'static T> {
    if let Some(q) = qualified {
        if let Some(entry) = table.iter().find(|e| callee(e) == q) {
            return Some(entry);
        }
    }
    let method = method?;
    table.iter().find(|e| callee(e).strip_prefix('.') == Some(method))
}
