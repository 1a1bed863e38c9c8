//! English for messages: the one place a count chooses a word's form.

/// `"s"` after a count that is not one: `1 user`, `2 users`.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The examples that were doc tests while this module was public (rustdoc cannot build
/// examples of crate-private items), as unit tests.
#[cfg(test)]
mod doc_examples {
    #[test]
    fn plural_example() {
        use crate::words::plural;
        assert_eq!(
            format!("1 user{}, 2 role{}", plural(1), plural(2)),
            "1 user, 2 roles"
        );
    }
}
