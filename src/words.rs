//! English for messages: the one place a count chooses a word's form.

/// `"s"` after a count that is not one: `1 user`, `2 users`.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    // The examples of the items' documentation, from when the module was public.

    #[test]
    fn plural_example() {
        use crate::words::plural;
        assert_eq!(
            format!("1 user{}, 2 role{}", plural(1), plural(2)),
            "1 user, 2 roles"
        );
    }
}
