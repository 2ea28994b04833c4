//! The units of the settings: durations read from the keys that name theirs (`_ms`, `_secs`), and
//! amounts that cannot be zero. A value that does not fit is refused while the file is read, with
//! the key and the environment variable named (see `Settings::load`).

use std::num::{NonZeroU64, NonZeroUsize};
use std::time::Duration;

use serde::de::Error;
use serde::{Deserialize, Deserializer};

const ZERO: &str = "must be greater than 0";

fn positive<'de, D: Deserializer<'de>>(d: D) -> Result<NonZeroU64, D::Error> {
    NonZeroU64::new(u64::deserialize(d)?).ok_or_else(|| D::Error::custom(ZERO))
}

/// A `_ms` key.
pub fn millis<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    u64::deserialize(d).map(Duration::from_millis)
}

/// A `_secs` key.
pub fn secs<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    u64::deserialize(d).map(Duration::from_secs)
}

/// A `_ms` key that cannot be 0.
pub fn positive_millis<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    positive(d).map(|n| Duration::from_millis(n.get()))
}

/// A `_secs` key that cannot be 0.
pub fn positive_secs<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    positive(d).map(|n| Duration::from_secs(n.get()))
}

/// A size or count that cannot be 0.
pub fn nonzero_usize<'de, D: Deserializer<'de>>(d: D) -> Result<NonZeroUsize, D::Error> {
    NonZeroUsize::new(usize::deserialize(d)?).ok_or_else(|| D::Error::custom(ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::IntoDeserializer;
    use serde::de::value::Error as ValueError;

    fn read<T>(
        f: fn(serde::de::value::U64Deserializer<ValueError>) -> Result<T, ValueError>,
        n: u64,
    ) -> Result<T, String> {
        f(n.into_deserializer()).map_err(|e| e.to_string())
    }

    #[test]
    fn durations_in_the_keys_unit() {
        assert_eq!(read(millis, 1500), Ok(Duration::from_millis(1500)));
        assert_eq!(read(secs, 0), Ok(Duration::ZERO));
        assert_eq!(read(positive_secs, 30), Ok(Duration::from_secs(30)));
        assert_eq!(read(positive_millis, 0), Err(ZERO.to_string()));
        assert_eq!(read(positive_secs, 0), Err(ZERO.to_string()));
    }

    #[test]
    fn sizes_are_never_zero() {
        let read = |n: usize| {
            nonzero_usize::<serde::de::value::UsizeDeserializer<ValueError>>(n.into_deserializer())
                .map_err(|e| e.to_string())
        };
        assert_eq!(read(1).map(NonZeroUsize::get), Ok(1));
        assert_eq!(read(0), Err(ZERO.to_string()));
    }
}
