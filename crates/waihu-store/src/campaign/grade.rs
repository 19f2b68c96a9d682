//! Lead grades as the store sees them: one letter `A` (best) to `F`. A grade
//! "meets" a minimum when it is the same letter or a better (earlier) one, which is
//! also their text order, so SQL compares them directly.

use crate::error::{StoreError, StoreResult};

/// Checks that `grade` is one of `A`..`F`; `what` names the field for the message.
pub fn check_grade(grade: &str, what: &str) -> StoreResult<()> {
    if matches!(grade, "A" | "B" | "C" | "D" | "E" | "F") {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "{what} must be one letter A (best) to F, not {grade:?}"
        )))
    }
}

/// Checks a name of a tenant-owned thing: 1-100 characters after trimming.
pub(crate) fn check_name(name: &str, what: &str) -> StoreResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(StoreError::Invalid(format!(
            "a {what} name must be 1-100 characters, not {name:?}"
        )));
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_single_letters_a_to_f_are_grades() {
        for ok in ["A", "C", "F"] {
            assert!(check_grade(ok, "grade").is_ok(), "{ok}");
        }
        for bad in ["", "a", "G", "AB", " A"] {
            assert!(check_grade(bad, "grade").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(check_name("  春季 ", "task").unwrap(), "春季");
        assert!(check_name("   ", "task").is_err());
        assert!(check_name(&"x".repeat(101), "task").is_err());
    }
}
