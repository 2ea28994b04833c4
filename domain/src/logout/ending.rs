//! How a logout ends, once Hydra has accepted it. Hydra's accept only says where the browser goes
//! next (`redirect_to`, its `logout_verifier` URL, which Kratos's browser logout must return to);
//! Hydra completes its logout, and the client hears of it, only when the browser arrives there.
//! So the browser is sent on only once the Kratos session is over: through Kratos's logout URL,
//! or after the admin API revoked it. When neither ended it, the logout fails closed: the person is
//! told they are still signed in, and nothing completes behind their back.

/// What Kratos's browser logout said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowserLogout {
    /// The URL the browser opens to end its session there; it returns to Hydra.
    Url(String),
    /// The browser holds no session (no cookie, or one Kratos no longer knows).
    NoSession,
    /// Kratos refused or failed (a `return_to` it does not allow, Kratos down), and why.
    Failed(String),
}

/// What ending the session through the admin API came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    /// Revoked (or gone already).
    Revoked,
    /// The browser's cookie names no live session any more: nothing is left to end.
    NoSession,
    /// The session lives on, and why: its revocation failed, it could not be found (its identity
    /// is hidden until a second factor), or Kratos could not be asked.
    Failed(String),
}

/// The next step after Kratos's browser logout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterBrowserLogout {
    Finish(Ending),
    /// End the session through the admin API, then [`after_revocation`].
    Revoke {
        browser_failure: String,
    },
}

/// How the logout ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// To Kratos's logout URL, which ends the session and returns to Hydra.
    ThroughKratos { logout_url: String },
    /// To Hydra's `redirect_to`: there was no Kratos session to end.
    NoSession,
    /// To Hydra's `redirect_to`: the admin API ended the session the browser logout could not.
    Revoked { browser_failure: String },
    /// Neither path ended the Kratos session: a page that says the person is still signed in and
    /// offers to try again; the browser goes neither to Hydra nor to the client. Both failures are
    /// logged.
    StillSignedIn {
        browser_failure: String,
        revocation_failure: String,
    },
}

pub fn after_browser_logout(answer: BrowserLogout) -> AfterBrowserLogout {
    match answer {
        BrowserLogout::Url(logout_url) => {
            AfterBrowserLogout::Finish(Ending::ThroughKratos { logout_url })
        }
        BrowserLogout::NoSession => AfterBrowserLogout::Finish(Ending::NoSession),
        BrowserLogout::Failed(browser_failure) => AfterBrowserLogout::Revoke { browser_failure },
    }
}

pub fn after_revocation(browser_failure: String, revocation: Revocation) -> Ending {
    match revocation {
        Revocation::Revoked => Ending::Revoked { browser_failure },
        Revocation::NoSession => Ending::NoSession,
        Revocation::Failed(revocation_failure) => Ending::StillSignedIn {
            browser_failure,
            revocation_failure,
        },
    }
}

impl Ending {
    /// Whether the browser is sent on towards Hydra (and so the client).
    pub fn goes_on(&self) -> bool {
        !matches!(self, Ending::StillSignedIn { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every way through: the browser goes on only when one path ended the session, and a failed
    /// logout names both failures.
    #[test]
    fn the_browser_goes_on_only_once_the_kratos_session_is_over() {
        let browser = [
            BrowserLogout::Url("https://kratos.test/self-service/logout?token=t".into()),
            BrowserLogout::NoSession,
            BrowserLogout::Failed("400 from Kratos".into()),
        ];
        let revocations = [
            Revocation::Revoked,
            Revocation::NoSession,
            Revocation::Failed("401 from Kratos admin".into()),
        ];
        for answer in &browser {
            for revocation in &revocations {
                let ending = match after_browser_logout(answer.clone()) {
                    AfterBrowserLogout::Finish(ending) => ending,
                    AfterBrowserLogout::Revoke { browser_failure } => {
                        after_revocation(browser_failure, revocation.clone())
                    }
                };
                let browser_failed = matches!(answer, BrowserLogout::Failed(_));
                let revocation_failed = matches!(revocation, Revocation::Failed(_));
                assert_eq!(
                    ending.goes_on(),
                    !(browser_failed && revocation_failed),
                    "{answer:?} {revocation:?}"
                );
                if !ending.goes_on() {
                    assert_eq!(
                        ending,
                        Ending::StillSignedIn {
                            browser_failure: "400 from Kratos".into(),
                            revocation_failure: "401 from Kratos admin".into(),
                        }
                    );
                }
            }
        }
        assert_eq!(
            after_browser_logout(BrowserLogout::Url("u".into())),
            AfterBrowserLogout::Finish(Ending::ThroughKratos {
                logout_url: "u".into()
            })
        );
    }
}
