//! Collection query options of the MaxScale 24.02 REST API: row filtering (`filter=`,
//! `filter[…]=`), sparse fieldsets (`fields[…]=`) and pagination (`page[…]=`).
//!
//! Everything here works on `serde_json` values only; the HTTP layer decodes the options and
//! applies the results (spec §10.7, §10.13, §10.14).

/// The filter expression language (`eq`, `ne`, `lt`, `le`, `gt`, `ge`, `and`, `or`, `not`).
mod expr;
/// Sparse fieldsets on one resource object.
mod fields;
/// The `filter[<jsonpath>]=` path subset.
mod jsonpath;
/// `page[size]`/`page[number]` parsing, slicing and links.
mod page;
/// MaxScale's JSON pointer dialect and the `filter=` option.
mod pointer;

pub use fields::apply as apply_fields;
pub use jsonpath::PathFilter;
pub use page::page as parse_page;
pub use pointer::PointerFilter;
