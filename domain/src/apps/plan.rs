//! The connected-apps page's plan: send the person to Kratos or read their grants; then the list,
//! or, for a posted form, what may be withdrawn and what a withdrawal did.

use super::{AppsPolicy, Entry, Held, Subjects};
use crate::identity::KratosSession;

/// The first step, from the browser's Kratos session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// No session Kratos shows: the person signs in at Kratos (`aal2`: with the second factor it
    /// waits for) and comes back to the page.
    SignIn { aal2: bool },
    /// Read the grants of each subject at Hydra, then [`list`] or [`withdraw`].
    Read {
        /// What the page's forms are bound to: the person, whatever their subjects.
        identity_id: String,
        subjects: Subjects,
    },
}

pub fn start(session: &KratosSession, policy: &AppsPolicy) -> Start {
    match session {
        KratosSession::None => Start::SignIn { aal2: false },
        KratosSession::Aal2Required => Start::SignIn { aal2: true },
        KratosSession::Active(session) => Start::Read {
            identity_id: session.identity.id.clone(),
            subjects: Subjects::of(&session.identity, policy.subject_source),
        },
    }
}

/// What the page shows: at most `apps.max_entries` entries, and how many more there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub shown: Vec<Entry>,
    pub more: usize,
}

pub fn list(mut entries: Vec<Entry>, policy: &AppsPolicy) -> Listing {
    let more = entries.len().saturating_sub(policy.max_entries);
    entries.truncate(policy.max_entries);
    Listing {
        shown: entries,
        more,
    }
}

/// What a posted form is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// One application, by the client id the form carries.
    One(String),
    All,
}

/// Which button sent the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// "Withdraw access" on the list: ask first.
    Ask,
    /// "Withdraw access" on the confirmation page.
    Confirm,
    Cancel,
}

/// One revocation at Hydra: the grants of `subject` for `client`, or all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub held: Held,
    pub subject: String,
    /// `None`: every application of the subject (Hydra's `all=true`).
    pub client: Option<String>,
}

impl Revocation {
    /// Whether this revocation reaches `entry`'s grants of this subject.
    pub fn covers(&self, entry: &Entry) -> bool {
        entry.held(self.held) && self.client.as_ref().is_none_or(|c| *c == entry.client_id)
    }
}

/// What the handler does with a posted form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WithdrawPlan {
    /// The person cancelled: back to the list.
    Back,
    /// The application is not on the person's list now (withdrawn already, removed meanwhile, or
    /// a form made elsewhere): nothing changes, and the page says so.
    NotOnList,
    /// "Withdraw all" with nothing on the list.
    Nothing,
    /// Ask first, for these entries.
    Confirm { entries: Vec<Entry>, all: bool },
    /// Revoke at Hydra, then [`report`] on `entries`.
    Revoke {
        revocations: Vec<Revocation>,
        entries: Vec<Entry>,
        all: bool,
    },
}

/// The plan for a posted form, against the person's own current list (`entries`, every one, not
/// only those shown): only an application on it is withdrawn, and only under the person's own
/// subjects.
pub fn withdraw(
    target: &Target,
    step: Step,
    entries: &[Entry],
    subjects: &Subjects,
) -> WithdrawPlan {
    if step == Step::Cancel {
        return WithdrawPlan::Back;
    }
    let (chosen, all): (Vec<Entry>, bool) = match target {
        Target::One(client) => match entries.iter().find(|e| e.client_id == *client) {
            Some(entry) => (vec![entry.clone()], false),
            None => return WithdrawPlan::NotOnList,
        },
        Target::All if entries.is_empty() => return WithdrawPlan::Nothing,
        Target::All => (entries.to_vec(), true),
    };
    if step == Step::Ask {
        return WithdrawPlan::Confirm {
            entries: chosen,
            all,
        };
    }
    let client = match target {
        Target::One(client) => Some(client.clone()),
        Target::All => None,
    };
    let revocations = subjects
        .each()
        .filter(|(held, _)| chosen.iter().any(|e| e.held(*held)))
        .map(|(held, subject)| Revocation {
            held,
            subject: subject.to_owned(),
            client: client.clone(),
        })
        .collect();
    WithdrawPlan::Revoke {
        revocations,
        entries: chosen,
        all,
    }
}

/// What a withdrawal did, application by application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Every grant of these is gone.
    pub withdrawn: Vec<Entry>,
    /// These still have access (some or all of their grants): a revocation failed.
    pub kept: Vec<Entry>,
}

/// How a withdrawal went, as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Some applications lost access, others kept it.
    Partly,
    Failed,
}

impl Report {
    pub fn outcome(&self) -> Outcome {
        match (self.withdrawn.is_empty(), self.kept.is_empty()) {
            (_, true) => Outcome::Done,
            (false, false) => Outcome::Partly,
            (true, false) => Outcome::Failed,
        }
    }
}

/// An entry is withdrawn when every revocation that reaches it succeeded (`true`); one that
/// failed, or was never sent, leaves it with access.
pub fn report(entries: &[Entry], results: &[(Revocation, bool)]) -> Report {
    let (withdrawn, kept) = entries.iter().cloned().partition(|entry| {
        let covering = results.iter().filter(|(r, _)| r.covers(entry));
        let mut any = false;
        for (_, ok) in covering {
            if !ok {
                return false;
            }
            any = true;
        }
        any
    });
    Report { withdrawn, kept }
}
