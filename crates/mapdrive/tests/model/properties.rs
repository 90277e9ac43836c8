//! Property: whatever state a session is in, applying a request and then planning the same
//! request again plans nothing, and re-running it writes nothing.

use mapdrive_core::domain::{CredentialKind, CredentialTarget, Persistence};
use mapdrive_core::plan::{
    self, CredRemoveRequest, CredSetRequest, MapRequest, Secrets, UnmapRequest, UpdateSecret,
};
use mapdrive_model::fixture::ALICE;
use mapdrive_model::{LogonKind, Machine, fixture};
use proptest::prelude::*;

use crate::support::{l, logon, secret, unc};

#[derive(Clone, Debug)]
enum Op {
    Map {
        letter: &'static str,
        share: &'static str,
        remember: bool,
        label: Option<&'static str>,
    },
    Unmap {
        letter: &'static str,
        keep_remembered: bool,
    },
    Cred {
        domain: bool,
        persistence: Persistence,
        comment: Option<&'static str>,
        secret: Option<&'static str>,
        on_create: bool,
    },
    CredRemove {
        domain: bool,
    },
}

impl Op {
    /// A domain password supplied with `--update-secret always` is rewritten on every run by
    /// design (Windows never returns it); every other request converges.
    fn converges(&self) -> bool {
        !matches!(
            self,
            Op::Cred {
                domain: true,
                secret: Some(_),
                on_create: false,
                ..
            }
        )
    }
}

fn op() -> impl Strategy<Value = Op> {
    let letter = prop::sample::select(vec!["M:", "N:", "P:"]);
    let share = prop::sample::select(vec![r"\\fileserver\public", r"\\fileserver\team"]);
    let label = prop::option::of(prop::sample::select(vec!["Team", "Files"]));
    let persistence = prop::sample::select(vec![
        Persistence::Session,
        Persistence::Local,
        Persistence::Enterprise,
    ]);
    let comment = prop::option::of(prop::sample::select(vec!["a", "b"]));
    let secret = prop::option::of(prop::sample::select(vec!["s3cret-A", "s3cret-B"]));
    prop_oneof![
        (letter.clone(), share, any::<bool>(), label).prop_map(
            |(letter, share, remember, label)| Op::Map {
                letter,
                share,
                remember,
                label
            }
        ),
        (letter, any::<bool>()).prop_map(|(letter, keep_remembered)| Op::Unmap {
            letter,
            keep_remembered
        }),
        (any::<bool>(), persistence, comment, secret, any::<bool>()).prop_map(
            |(domain, persistence, comment, secret, on_create)| Op::Cred {
                domain,
                persistence,
                comment,
                secret,
                on_create
            }
        ),
        any::<bool>().prop_map(|domain| Op::CredRemove { domain }),
    ]
}

fn kind(domain: bool) -> CredentialKind {
    if domain {
        CredentialKind::DomainPassword
    } else {
        CredentialKind::GenericPassword
    }
}

fn plan_of(m: &Machine, op: &Op) -> Result<plan::Plan, mapdrive_core::error::Error> {
    match op {
        Op::Cred {
            domain,
            persistence,
            comment,
            secret: s,
            on_create,
        } => plan::plan_cred_set(
            m,
            &CredSetRequest {
                target: CredentialTarget::parse("fileserver", kind(*domain))?,
                kind: kind(*domain),
                user_name: ALICE.into(),
                persistence: Some(*persistence),
                alias: None,
                comment: comment.map(str::to_string),
                update_secret: if *on_create {
                    UpdateSecret::OnCreate
                } else {
                    UpdateSecret::Always
                },
                attributes: None,
                new_user_without_secret: mapdrive_core::plan::NewUserWithoutSecret::Refuse,
            },
            s.map(secret).as_ref(),
        ),
        Op::CredRemove { domain } => plan::plan_cred_remove(
            m,
            &CredRemoveRequest {
                target: CredentialTarget::parse("fileserver", kind(*domain))?,
                kind: kind(*domain),
            },
        ),
        Op::Map {
            letter,
            share,
            remember,
            label,
        } => plan::plan_map(
            m,
            &MapRequest {
                as_system: mapdrive_core::plan::AsSystem::Refuse,
                remembered_is_enough: false,
                letter: l(letter),
                remote: unc(share),
                remember: *remember,
                user: None,
                with_password: false,
                label: label.map(str::to_string),
            },
        ),
        Op::Unmap {
            letter,
            keep_remembered,
        } => plan::plan_unmap(
            m,
            &UnmapRequest {
                letter: l(letter),
                expect: None,
                force: false,
                keep_remembered: *keep_remembered,
            },
        ),
    }
}

/// Plans and applies; whether it succeeded (Windows may refuse, e.g. a saved credential with
/// the wrong password makes a connection fail, and then nothing converges).
fn apply(m: &mut Machine, op: &Op) -> bool {
    let Ok(p) = plan_of(m, op) else { return false };
    let secrets = Secrets {
        password: None,
        credential_secret: match op {
            Op::Cred {
                secret: Some(s), ..
            } => Some(secret(s)),
            _ => None,
        },
    };
    plan::apply(m, p, &secrets, |_| Ok(None)).is_ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn applying_a_request_makes_it_a_no_op(history in prop::collection::vec(op(), 0..8), last in op()) {
        let mut m = fixture::corp();
        logon(&mut m, ALICE, LogonKind::Interactive);
        for o in &history {
            let _ = apply(&mut m, o);
        }
        prop_assume!(last.converges());
        prop_assume!(apply(&mut m, &last));
        let again = plan_of(&m, &last).unwrap();
        prop_assert!(!again.changes(), "{last:?} after {history:?} still plans {:?}", again.actions().collect::<Vec<_>>());
        let writes = m.writes();
        prop_assert!(apply(&mut m, &last));
        prop_assert_eq!(m.writes(), writes);
    }
}
