//! Connected apps: which applications hold a person's consent, and withdrawing it. Which subjects
//! are the person's (by the login's own subject rule), one entry per application however many
//! grants Hydra keeps for it, the check of a posted application against the person's own list,
//! and what a withdrawal did. [`plan`] puts them together for the handler.

pub mod plan;

use time::{Duration, OffsetDateTime};

use crate::identity::SessionIdentity;
use crate::subject::{SubjectKind, SubjectSource, subject_for};

/// What the page reads of the settings: the subject rule and `apps.max_entries`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppsPolicy {
    pub subject_source: SubjectSource,
    /// The most entries the page shows; it says how many more there are.
    pub max_entries: usize,
}

/// Under which of the person's subjects Hydra holds a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// The subject the login gives the person now.
    Current,
    /// The person's other identifier, which an earlier subject rule gave (before the operator
    /// switched `use_external_id`).
    Former,
}

/// The person's subjects at Hydra: the one the login gives now, and the other identifier grants
/// may still be held under. Never anyone else's: both are the identity's own id or external_id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subjects {
    /// `None` only under `subject_source: external_id` for an identity without one (it cannot
    /// sign in, but may hold grants from before).
    pub current: Option<String>,
    pub former: Option<String>,
}

impl Subjects {
    /// The subjects of `identity` under `source`: the login's subject ([`subject_for`], the same
    /// rule and code), and the identity's other identifier when it has one.
    pub fn of(identity: &SessionIdentity, source: SubjectSource) -> Self {
        let external = identity.external_id.as_deref().filter(|e| !e.is_empty());
        let current = subject_for(source, &identity.id, external).ok();
        let other = match current.as_ref().map(|s| s.kind) {
            Some(SubjectKind::ExternalId) | None => Some(identity.id.as_str()),
            Some(SubjectKind::Id) => external,
        };
        let former = other
            .filter(|o| !o.is_empty() && current.as_ref().is_none_or(|c| c.value != *o))
            .map(str::to_owned);
        Self {
            current: current.map(|s| s.value),
            former,
        }
    }

    /// Each subject with how it is held, the current one first.
    pub fn each(&self) -> impl Iterator<Item = (Held, &str)> {
        let current = self.current.as_deref().map(|s| (Held::Current, s));
        let former = self.former.as_deref().map(|s| (Held::Former, s));
        current.into_iter().chain(former)
    }

    /// The subject held as `held`.
    pub fn get(&self, held: Held) -> Option<&str> {
        match held {
            Held::Current => self.current.as_deref(),
            Held::Former => self.former.as_deref(),
        }
    }
}

/// An application as Hydra shows it in a consent session; empty strings where it has nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppClient {
    pub id: String,
    pub name: String,
    pub logo_uri: String,
    pub client_uri: String,
    pub policy_uri: String,
    pub tos_uri: String,
}

/// One consent session Hydra keeps for a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub client: AppClient,
    pub scopes: Vec<String>,
    /// When the consent was given (Hydra's `handled_at`).
    pub given: Option<OffsetDateTime>,
    pub remember: bool,
    /// Seconds; 0 = until withdrawn.
    pub remember_for: u64,
}

/// How long Hydra skips the consent page for an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remembered {
    /// Not at all: the application asks again next time (what it was given stays until withdrawn).
    Not,
    Until(OffsetDateTime),
    UntilWithdrawn,
}

impl Remembered {
    /// The longer of two.
    fn max(self, other: Self) -> Self {
        match (self, other) {
            (Remembered::UntilWithdrawn, _) | (_, Remembered::UntilWithdrawn) => {
                Remembered::UntilWithdrawn
            }
            (Remembered::Until(a), Remembered::Until(b)) => Remembered::Until(a.max(b)),
            (Remembered::Until(a), Remembered::Not) | (Remembered::Not, Remembered::Until(a)) => {
                Remembered::Until(a)
            }
            (Remembered::Not, Remembered::Not) => Remembered::Not,
        }
    }

    /// What one grant says: Hydra remembers a consent for `remember_for` seconds from its start.
    fn of(grant: &Grant) -> Self {
        match (grant.remember, grant.remember_for, grant.given) {
            (false, _, _) => Remembered::Not,
            (true, 0, _) => Remembered::UntilWithdrawn,
            (true, secs, Some(given)) => i64::try_from(secs)
                .ok()
                .and_then(|s| given.checked_add(Duration::seconds(s)))
                .map_or(Remembered::UntilWithdrawn, Remembered::Until),
            // Remembered for a while from a moment nobody knows.
            (true, _, None) => Remembered::Not,
        }
    }
}

/// One application on the page, whatever number of grants Hydra keeps for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub client_id: String,
    /// The application's name, else its id.
    pub name: String,
    /// https only, as on the consent page.
    pub logo: Option<String>,
    pub site: Option<String>,
    pub policy: Option<String>,
    pub terms: Option<String>,
    /// Every scope granted, in the order first granted, once each.
    pub scopes: Vec<String>,
    /// When consent was last given.
    pub given: Option<OffsetDateTime>,
    pub remembered: Remembered,
    /// Held under the current subject.
    pub current: bool,
    /// Held under the former subject.
    pub former: bool,
}

impl Entry {
    fn new(client: &AppClient) -> Self {
        let name = if client.name.trim().is_empty() {
            &client.id
        } else {
            &client.name
        };
        Self {
            client_id: client.id.clone(),
            name: name.clone(),
            logo: crate::consent::https_logo(&client.logo_uri),
            site: crate::consent::web_link(&client.client_uri),
            policy: crate::consent::web_link(&client.policy_uri),
            terms: crate::consent::web_link(&client.tos_uri),
            scopes: Vec::new(),
            given: None,
            remembered: Remembered::Not,
            current: false,
            former: false,
        }
    }

    /// Whether the grants of `held` include this application.
    pub fn held(&self, held: Held) -> bool {
        match held {
            Held::Current => self.current,
            Held::Former => self.former,
        }
    }

    fn add(&mut self, held: Held, grant: &Grant) {
        for scope in &grant.scopes {
            if !self.scopes.contains(scope) {
                self.scopes.push(scope.clone());
            }
        }
        if grant.given > self.given {
            // The newest grant's view of the application.
            let shown = Entry::new(&grant.client);
            (self.name, self.logo, self.site) = (shown.name, shown.logo, shown.site);
            (self.policy, self.terms) = (shown.policy, shown.terms);
            self.given = grant.given;
        }
        self.remembered = self.remembered.max(Remembered::of(grant));
        match held {
            Held::Current => self.current = true,
            Held::Former => self.former = true,
        }
    }
}

/// Every application holding a grant of the person's, one entry each, by name. A grant without an
/// application (none Hydra could name) is left out: nothing could be withdrawn by it.
pub fn merge(found: &[(Held, Vec<Grant>)]) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    for (held, grants) in found {
        for grant in grants.iter().filter(|g| !g.client.id.is_empty()) {
            let at = match entries.iter().position(|e| e.client_id == grant.client.id) {
                Some(at) => at,
                None => {
                    entries.push(Entry::new(&grant.client));
                    entries.len() - 1
                }
            };
            entries[at].add(*held, grant);
        }
    }
    entries.sort_by(|a, b| {
        (a.name.to_lowercase(), &a.client_id).cmp(&(b.name.to_lowercase(), &b.client_id))
    });
    entries
}

#[cfg(test)]
mod tests;
