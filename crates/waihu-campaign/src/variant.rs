//! A/B script variants: a task may run a second script version on a share of
//! its contacts. Which version a contact gets is a pure function of the task
//! and contact ids (FNV-1a over both), so a retry, a restart or another worker
//! always picks the same one, and the split holds over many contacts.

use std::fmt;
use uuid::Uuid;

/// Which script version of an A/B task a call runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Variant {
    /// The task's own script version.
    A,
    /// The second version.
    B,
}

impl Variant {
    /// As stored (`A` or `B`).
    pub fn as_str(self) -> &'static str {
        match self {
            Variant::A => "A",
            Variant::B => "B",
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The share of a task's contacts that get variant B, 1–99 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split(u8);

/// A split outside 1–99 %.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the A/B split must be 1 to 99 percent of contacts on variant B, not {0}")]
pub struct InvalidSplit(pub i64);

impl Split {
    /// `percent` of contacts on variant B (1–99).
    pub fn new(percent: i64) -> Result<Self, InvalidSplit> {
        match u8::try_from(percent) {
            Ok(p) if (1..=99).contains(&p) => Ok(Split(p)),
            _ => Err(InvalidSplit(percent)),
        }
    }

    /// Percent of contacts on variant B.
    pub fn percent(self) -> u8 {
        self.0
    }

    /// The variant of one contact of one task: deterministic, about `percent` % B.
    pub fn choose(self, task_id: Uuid, contact_id: Uuid) -> Variant {
        if bucket(task_id, contact_id) < u64::from(self.0) {
            Variant::B
        } else {
            Variant::A
        }
    }
}

/// 0..100 from the two ids (FNV-1a 64, stable across platforms and releases).
fn bucket(task_id: Uuid, contact_id: Uuid) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in task_id.as_bytes().iter().chain(contact_id.as_bytes()) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // Fold the high bits in: UUIDv7 ids of one task differ mostly in their tail.
    (h ^ (h >> 32)) % 100
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_bounds() {
        assert!(Split::new(0).is_err());
        assert!(Split::new(100).is_err());
        assert!(Split::new(-5).is_err());
        assert_eq!(Split::new(1).unwrap().percent(), 1);
        assert_eq!(Split::new(99).unwrap().percent(), 99);
        assert_eq!(
            Split::new(150).unwrap_err().to_string(),
            "the A/B split must be 1 to 99 percent of contacts on variant B, not 150"
        );
    }

    #[test]
    fn choice_is_deterministic_and_follows_the_split() {
        let task = Uuid::now_v7();
        let contacts: Vec<Uuid> = (0..10_000).map(|_| Uuid::now_v7()).collect();
        for pct in [10, 50, 80] {
            let split = Split::new(pct).unwrap();
            let b = contacts
                .iter()
                .filter(|c| split.choose(task, **c) == Variant::B)
                .count();
            let expected = 10_000 * pct as usize / 100;
            assert!(
                b.abs_diff(expected) < 300,
                "{pct} %: {b} of 10000 on B, expected about {expected}"
            );
            for c in contacts.iter().take(100) {
                assert_eq!(split.choose(task, *c), split.choose(task, *c));
            }
        }
    }

    #[test]
    fn known_ids_keep_their_variant() {
        // Pinned: a change of the hash would move running tasks' contacts.
        let task = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001);
        let split = Split::new(50).unwrap();
        let got: String = (0..16u128)
            .map(|i| split.choose(task, Uuid::from_u128(i)).as_str())
            .collect();
        assert_eq!(got, "AABBBBBAABBABABA");
    }
}
