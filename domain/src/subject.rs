//! The subject rule: which identifier of a Kratos identity becomes the OIDC `sub`.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectSource {
    /// Always the identity UUID (what Kratos's own Hydra integration sends).
    Id,
    /// Always the external_id; an identity without one cannot log in.
    ExternalId,
    /// The external_id when the identity has a non-empty one, else the UUID.
    ExternalIdOrId,
}

/// Which identifier a subject was taken from; logged and recorded in the login context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    Id,
    ExternalId,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Id => "id",
            SubjectKind::ExternalId => "external_id",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub value: String,
    pub kind: SubjectKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the identity has no external_id and subject_source is external_id")]
pub struct MissingExternalId;

/// Maps an identity to its subject. An empty external_id counts as none.
pub fn subject_for(
    source: SubjectSource,
    identity_id: &str,
    external_id: Option<&str>,
) -> Result<Subject, MissingExternalId> {
    let external = external_id.filter(|e| !e.is_empty());
    let (value, kind) = match (source, external) {
        (SubjectSource::Id, _) => (identity_id, SubjectKind::Id),
        (SubjectSource::ExternalId | SubjectSource::ExternalIdOrId, Some(e)) => {
            (e, SubjectKind::ExternalId)
        }
        (SubjectSource::ExternalIdOrId, None) => (identity_id, SubjectKind::Id),
        (SubjectSource::ExternalId, None) => return Err(MissingExternalId),
    };
    Ok(Subject {
        value: value.to_owned(),
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ID: &str = "9f425a8d-7efc-4768-8f23-7647a74fdf13";

    #[test]
    fn id_source_ignores_external_id() {
        let s = subject_for(SubjectSource::Id, ID, Some("C-1")).unwrap();
        assert_eq!((s.value.as_str(), s.kind), (ID, SubjectKind::Id));
    }

    #[test]
    fn external_or_id_prefers_external() {
        let s = subject_for(SubjectSource::ExternalIdOrId, ID, Some("C-1")).unwrap();
        assert_eq!((s.value.as_str(), s.kind), ("C-1", SubjectKind::ExternalId));
    }

    #[test]
    fn external_or_id_falls_back_on_missing_or_empty() {
        for ext in [None, Some("")] {
            let s = subject_for(SubjectSource::ExternalIdOrId, ID, ext).unwrap();
            assert_eq!((s.value.as_str(), s.kind), (ID, SubjectKind::Id));
        }
    }

    #[test]
    fn external_only_refuses_missing_or_empty() {
        assert_eq!(
            subject_for(SubjectSource::ExternalId, ID, None),
            Err(MissingExternalId)
        );
        assert_eq!(
            subject_for(SubjectSource::ExternalId, ID, Some("")),
            Err(MissingExternalId)
        );
        let s = subject_for(SubjectSource::ExternalId, ID, Some("E7")).unwrap();
        assert_eq!(s.value, "E7");
    }

    fn source() -> impl Strategy<Value = SubjectSource> {
        prop_oneof![
            Just(SubjectSource::Id),
            Just(SubjectSource::ExternalId),
            Just(SubjectSource::ExternalIdOrId)
        ]
    }

    proptest! {
        /// The subject is always the identity's own id or its own non-empty external_id, and the kind says which.
        #[test]
        fn subject_is_one_of_the_identity_ids(src in source(), id in "\\PC{0,40}", ext in proptest::option::of("\\PC{0,64}")) {
            match subject_for(src, &id, ext.as_deref()) {
                Ok(s) => match s.kind {
                    SubjectKind::Id => {
                        prop_assert_eq!(&s.value, &id);
                        prop_assert!(src != SubjectSource::ExternalId);
                        prop_assert!(src == SubjectSource::Id || ext.as_deref().is_none_or(str::is_empty));
                    }
                    SubjectKind::ExternalId => {
                        prop_assert_eq!(Some(s.value.as_str()), ext.as_deref());
                        prop_assert!(!s.value.is_empty());
                        prop_assert!(src != SubjectSource::Id);
                    }
                },
                Err(MissingExternalId) => {
                    prop_assert_eq!(src, SubjectSource::ExternalId);
                    prop_assert!(ext.as_deref().is_none_or(str::is_empty));
                }
            }
        }
    }
}
