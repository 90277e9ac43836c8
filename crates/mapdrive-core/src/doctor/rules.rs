//! The rules. Each is a pure function of [`Facts`]; [`evaluate`] runs them all.

use super::{Code, Facts, Finding, Severity};
use crate::domain::{
    CredentialInfo, CredentialKind, DosTarget, DriveLetter, Elevation, LinkedConnections,
    LogonType, Luid, RemotePath,
};
use crate::error::{ERROR_NO_NETWORK, ERROR_NO_SUCH_LOGON_SESSION};
use crate::plan::inventory::same_path;

/// Runs every rule; findings most severe first, then by letter.
pub fn evaluate(f: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    no_network(f, &mut out);
    no_credential_vault(f, &mut out);
    only_in_linked_session(f, &mut out);
    remembered_not_restored(f, &mut out);
    user_name_without_credential(f, &mut out);
    no_credential_for_server(f, &mut out);
    global_drives(f, &mut out);
    boot_device_malformed(f, &mut out);
    letter_collision(f, &mut out);
    remembered_path_differs(f, &mut out);
    token_context(f, &mut out);
    session_owner(f, &mut out);
    credential_persistence_capped(f, &mut out);
    out.sort_by_key(|a| (a.severity, a.letter, a.code));
    out
}

/// Remedies run through mapdrive's default `--session auto`, which from an elevated process acts
/// in the limited twin: a fix meant for this elevated session must say so.
fn here(f: &Facts) -> &'static str {
    if f.identity.elevation == Elevation::Full {
        " --session current"
    } else {
        ""
    }
}

fn device(f: &Facts, letter: DriveLetter) -> Option<DosTarget> {
    f.devices
        .iter()
        .find(|(l, _)| *l == letter)
        .and_then(|(_, t)| t.as_deref())
        .map(DosTarget::parse)
}

fn connected_here(f: &Facts, letter: DriveLetter) -> Option<&crate::port::Connection> {
    f.connected
        .as_ref()
        .ok()?
        .iter()
        .find(|c| c.letter == letter)
}

/// `text` as one command-line argument (quoted when it holds a space), or `None` when it cannot
/// be one: the doctor prints a fix only when the command is one mapdrive accepts.
fn arg(text: &str) -> Option<String> {
    if text.is_empty()
        || text.starts_with('-')
        || text.contains('"')
        || text.chars().any(char::is_control)
    {
        return None;
    }
    Some(if text.contains(' ') {
        format!("\"{text}\"")
    } else {
        text.to_string()
    })
}

/// A remembered or connected path as an argument of `mapdrive map`, when mapdrive accepts it.
fn remote_arg(remote: &str) -> Option<String> {
    remote.parse::<RemotePath>().ok().and_then(|_| arg(remote))
}

/// `mapdrive cred set HOST --user USER --prompt`, when both are valid; else what to do instead.
fn cred_set_fix(remote: &str, host: &str, user: &str) -> String {
    let target = crate::domain::CredentialTarget::parse(host, CredentialKind::DomainPassword)
        .ok()
        .filter(|_| remote.parse::<RemotePath>().is_ok())
        .and_then(|_| arg(host));
    match (target, arg(user)) {
        (Some(t), Some(u)) => format!("mapdrive cred set {t} --user {u} --prompt"),
        _ => format!(
            "the remembered path {remote} (or user name) is malformed: remove the entry with regedit \
             (HKCU\\Network) or `net use /delete`, then map the share again"
        ),
    }
}

fn host_of(remote: &str) -> String {
    remote
        .parse::<RemotePath>()
        .map(|r| r.host().to_string())
        .unwrap_or_else(|_| {
            remote
                .trim_start_matches('\\')
                .split('\\')
                .next()
                .unwrap_or_default()
                .to_string()
        })
}

/// Does a saved domain credential apply to `host` (exact name, `*.suffix`, or `*`)?
pub fn credential_covers(c: &CredentialInfo, host: &str) -> bool {
    if c.kind != CredentialKind::DomainPassword {
        return false;
    }
    let t = c.target.to_lowercase();
    let h = host.to_lowercase();
    t == h
        || t == "*"
        || t.strip_prefix("*.")
            .is_some_and(|suffix| h.ends_with(&format!(".{suffix}")))
}

fn no_network(f: &Facts, out: &mut Vec<Finding>) {
    if let Err(e) = &f.connected
        && e.code == ERROR_NO_NETWORK
    {
        out.push(Finding {
            code: Code::NoNetwork,
            slug: "no-network",
            severity: Severity::Error,
            letter: None,
            title: "no network provider is loaded (1222 ERROR_NO_NETWORK)".into(),
            explanation: "Windows answered ERROR_NO_NETWORK: no network provider (the Workstation service's \
                          Microsoft Windows Network provider) is running, so no drive can be connected or listed as connected."
                .into(),
            remedy: "sc start LanmanWorkstation; check HKLM\\SYSTEM\\CurrentControlSet\\Control\\NetworkProvider\\Order".into(),
        });
    }
}

fn no_credential_vault(f: &Facts, out: &mut Vec<Finding>) {
    if let Err(e) = &f.credentials
        && e.code == ERROR_NO_SUCH_LOGON_SESSION
    {
        out.push(Finding {
            code: Code::NoCredentialVault,
            slug: "no-credential-vault",
            severity: Severity::Error,
            letter: None,
            title: "this logon session has no credential vault (1312 ERROR_NO_SUCH_LOGON_SESSION)".into(),
            explanation: format!(
                "Logon session {} is a network logon (WinRM, SSH or PowerShell remoting without CredSSP): it has no credential set, \
                 so saved credentials can be neither read, written nor used, and connections to file servers cannot \
                 delegate your identity (the double hop): they authenticate only with explicit credentials, else anonymously.",
                f.identity.logon_id
            ),
            remedy: "run mapdrive through Ansible `become: yes` (runas as the same user), with CredSSP, \
                     as a scheduled task with the user's password, or in an interactive logon"
                .into(),
        });
    }
}

fn remembered_not_restored(f: &Facts, out: &mut Vec<Finding>) {
    let id = &f.identity;
    for r in &f.remembered {
        let explained_by_twin = out
            .iter()
            .any(|x| x.code == Code::OnlyInLinkedSession && x.letter == Some(r.letter));
        if connected_here(f, r.letter).is_some()
            || device(f, r.letter).is_some()
            || explained_by_twin
        {
            continue;
        }
        let elsewhere: Vec<String> = f
            .sessions
            .iter()
            .filter(|s| {
                !s.is_current
                    && s.drives.iter().any(|(l, t)| {
                        *l == r.letter
                            && DosTarget::parse(t)
                                .remote()
                                .is_some_and(|x| same_path(x, &r.remote))
                    })
            })
            .map(|s| format!("{} ({})", s.logon_id, s.logon_type.describe()))
            .collect();
        let why = if id.elevation == Elevation::Full {
            format!(
                "This process runs with the elevated (Full) half of a split token, {}, which is a different logon session \
                 from the limited one Explorer uses; Winlogon restores remembered drives only in the limited session.",
                id.logon_id
            )
        } else if id.logon_type.winlogon_restores_drives() {
            format!(
                "Logon session {} is an {} logon. Winlogon restores remembered drives when you log on at the console \
                 or over RDP, so either reconnecting failed then (`mapdrive restore` shows why), or this process was \
                 started with runas / \"Run as different user\": also an interactive logon, but one Winlogon never restores.",
                id.logon_id,
                id.logon_type.describe()
            )
        } else {
            format!(
                "Logon session {} is a {} logon: Winlogon reconnects remembered drives only for console and RDP \
                 logons, never for runas, scheduled tasks, services or WinRM, so the drive was never connected here.",
                id.logon_id,
                id.logon_type.describe()
            )
        };
        let mut also = if elsewhere.is_empty() {
            String::new()
        } else {
            format!(
                " It is connected in your logon session {}.",
                elsewhere.join(", ")
            )
        };
        let unreadable: Vec<String> = f
            .sessions
            .iter()
            .filter(|s| !s.is_current && s.unreadable.is_some())
            .map(|s| s.logon_id.to_string())
            .collect();
        if !unreadable.is_empty() {
            also.push_str(&format!(
                " The drives of your other logon session(s) {} could not be read (access denied: only an \
                 administrator may open another logon session's DOS devices), so whether it is connected there is unknown.",
                unreadable.join(", ")
            ));
        }
        out.push(Finding {
            code: Code::RememberedNotRestored,
            slug: "remembered-not-restored",
            severity: Severity::Warning,
            letter: Some(r.letter),
            title: format!("{} is remembered but not connected in this logon session (Unavailable)", r.letter),
            explanation: format!(
                "{} -> {} is remembered in HKCU\\Network, so `net use` lists it as Unavailable, but no DOS device {} exists in \
                 this logon session. {why}{also}",
                r.letter, r.remote, r.letter
            ),
            remedy: match remote_arg(&r.remote) {
                Some(remote) => format!(
                    "mapdrive restore{h}   (or: mapdrive map {} {remote}{h})",
                    r.letter,
                    h = here(f)
                ),
                None => format!(
                    "the remembered path {} is malformed: remove it with `mapdrive unmap {}{}`",
                    r.remote,
                    r.letter,
                    here(f)
                ),
            },
        });
    }
}

fn only_in_linked_session(f: &Facts, out: &mut Vec<Finding>) {
    let id = &f.identity;
    let Some(linked) = id.linked_logon_id else {
        return;
    };
    let Some(twin) = f.sessions.iter().find(|s| s.logon_id == linked) else {
        return;
    };
    let (twin_kind, here_kind) = match id.elevation {
        Elevation::Full => ("limited (non-elevated)", "elevated"),
        _ => ("elevated", "limited (non-elevated)"),
    };
    for (letter, target) in &twin.drives {
        let parsed = DosTarget::parse(target);
        let Some(remote) = parsed.remote() else {
            continue;
        };
        if connected_here(f, *letter).is_some_and(|c| same_path(&c.remote, remote)) {
            continue;
        }
        let policy = match f.linked_connections {
            LinkedConnections::Enabled => "EnableLinkedConnections is on, but it mirrors only drives mapped after the restart that \
                 followed setting it, and only for mappings made through Windows' own provider: map the drive again."
                .to_string(),
            _ => "EnableLinkedConnections is off: with it on (and a restart), drives mapped in either half appear in both.".to_string(),
        };
        out.push(Finding {
            code: Code::OnlyInLinkedSession,
            slug: "only-in-linked-session",
            severity: Severity::Warning,
            letter: Some(*letter),
            title: format!("{letter} is mapped in your {twin_kind} logon session, not in this {here_kind} one"),
            explanation: format!(
                "{letter} -> {remote} exists in logon session {linked}, the {twin_kind} half of this split (UAC) token. \
                 This process is the {here_kind} half, logon session {}; each half has its own DOS devices, so it does \
                 not see the drive. {policy}",
                id.logon_id
            ),
            remedy: match remote_arg(remote) {
                Some(remote) => format!(
                    "from an elevated prompt: mapdrive map {letter} {remote} --session both   \
                     (or: mapdrive policy linked-connections on, then restart)"
                ),
                None => "mapdrive policy linked-connections on, then restart".to_string(),
            },
        });
    }
}

fn user_name_without_credential(f: &Facts, out: &mut Vec<Finding>) {
    let Ok(creds) = &f.credentials else { return };
    for r in &f.remembered {
        let Some(user) = r.user_name.as_deref().filter(|u| !u.is_empty()) else {
            continue;
        };
        // The session's own account reconnects with its own password (NULL = default password).
        if user.eq_ignore_ascii_case(&f.identity.user) {
            continue;
        }
        let host = host_of(&r.remote);
        let for_user = |c: &&CredentialInfo| {
            credential_covers(c, &host)
                && c.user_name
                    .as_deref()
                    .is_some_and(|u| u.eq_ignore_ascii_case(user))
        };
        if creds.iter().any(|c| for_user(&c)) {
            continue;
        }
        out.push(Finding {
            code: Code::UserNameWithoutCredential,
            slug: "user-name-without-credential",
            severity: Severity::Warning,
            letter: Some(r.letter),
            title: format!("{} will fail to reconnect at the next logon", r.letter),
            explanation: format!(
                "{} -> {} is remembered with UserName {user} (as `net use /user:` leaves it), but Windows never stores \
                 the password: at the next logon it sends {user} with a blank password and the server refuses it \
                 (STATUS_WRONG_PASSWORD). No saved credential for {host} as {user} would supply the password; \
                 with one, the logon-time reconnect uses it.",
                r.letter, r.remote
            ),
            remedy: cred_set_fix(&r.remote, &host, user),
        });
    }
}

fn no_credential_for_server(f: &Facts, out: &mut Vec<Finding>) {
    let Ok(creds) = &f.credentials else { return };
    let mut seen: Vec<String> = Vec::new();
    for r in &f.remembered {
        // Only drives that are Unavailable here and not known to work in another session of
        // this user; an elevated process is explained by MD001/MD002 instead.
        let works_elsewhere = f.sessions.iter().any(|s| {
            !s.is_current
                && s.drives.iter().any(|(l, t)| {
                    *l == r.letter
                        && DosTarget::parse(t)
                            .remote()
                            .is_some_and(|x| same_path(x, &r.remote))
                })
        });
        if r.user_name.as_deref().is_some_and(|u| !u.is_empty())
            || connected_here(f, r.letter).is_some()
            || device(f, r.letter).is_some()
            || works_elsewhere
            || f.identity.elevation == Elevation::Full
        {
            continue;
        }
        let host = host_of(&r.remote);
        if seen.contains(&host.to_lowercase()) || creds.iter().any(|c| credential_covers(c, &host))
        {
            continue;
        }
        seen.push(host.to_lowercase());
        let network = f.identity.logon_type == LogonType::Network;
        out.push(Finding {
            code: Code::NoCredentialForServer,
            slug: "no-credential-for-server",
            severity: if network { Severity::Warning } else { Severity::Info },
            letter: Some(r.letter),
            title: format!("no saved credential for {host}, which {} needs to reconnect", r.letter),
            explanation: format!(
                "{} -> {} reconnects without a saved credential: Windows uses the logged-on user's own credentials{}. \
                 If {host} needs another account, the reconnect fails.",
                r.letter,
                r.remote,
                if network {
                    ", and from this network logon there are none to delegate, so the connection is anonymous"
                } else {
                    ""
                }
            ),
            remedy: cred_set_fix(&r.remote, &host, "DOMAIN\\user"),
        });
    }
}

fn global_drives(f: &Facts, out: &mut Vec<Finding>) {
    let id = &f.identity;
    for (letter, target) in &f.devices {
        let Some(target) = target else { continue };
        let parsed = DosTarget::parse(target);
        let DosTarget::Network {
            logon_id, remote, ..
        } = &parsed
        else {
            continue;
        };
        let at_boot = f
            .boot_devices
            .iter()
            .any(|b| b.name.eq_ignore_ascii_case(&letter.device_name()));
        if *logon_id == Luid::SYSTEM && !id.is_system {
            let blocked = f
                .remembered
                .iter()
                .find(|r| r.letter == *letter && !same_path(&r.remote, remote));
            out.push(Finding {
                code: Code::GlobalDrive,
                slug: "global-drive",
                severity: if blocked.is_some() { Severity::Warning } else { Severity::Info },
                letter: Some(*letter),
                title: format!("{letter} is a global drive made by SYSTEM"),
                explanation: format!(
                    "{letter} -> {remote} lives in the global DOS-device namespace (logon session {} = SYSTEM), so every \
                     logon session sees it, shown as Disconnected; access still authenticates with each user's own \
                     credentials. {}{}",
                    Luid::SYSTEM,
                    if at_boot {
                        "It is defined at boot (Session Manager\\DOS Devices)."
                    } else {
                        "It disappears at the next restart: it is not in Session Manager\\DOS Devices."
                    },
                    blocked.map_or_else(String::new, |r| format!(
                        " It also takes the letter from your remembered {} -> {}, which cannot be restored while it exists.",
                        r.letter, r.remote
                    ))
                ),
                remedy: if at_boot {
                    format!("as administrator: mapdrive unmap {letter} --global --at-boot (effective at restart)")
                } else {
                    match remote_arg(remote) {
                        Some(remote) => format!("as SYSTEM: mapdrive unmap {letter} --global   (or keep it: mapdrive map {letter} {remote} --global --at-boot)"),
                        None => format!("as SYSTEM: mapdrive unmap {letter} --global"),
                    }
                },
            });
        } else if at_boot && *logon_id != Luid::SYSTEM {
            let global = f
                .boot_devices
                .iter()
                .find(|b| b.name.eq_ignore_ascii_case(&letter.device_name()))
                .map(|b| {
                    let t = DosTarget::parse(&b.target);
                    t.remote().map_or_else(|| b.target.clone(), str::to_string)
                })
                .unwrap_or_default();
            out.push(Finding {
                code: Code::GlobalDrive,
                slug: "global-drive-shadowed",
                severity: Severity::Info,
                letter: Some(*letter),
                title: format!("{letter} of this session hides the boot-time global {letter}"),
                explanation: format!(
                    "{letter} -> {remote} is a mapping of logon session {logon_id}. The boot-time table also defines a \
                     global {letter} -> {global}, which exists from the restart after it was written; a local \
                     drive takes precedence over a global one of the same name, so this session does not see it."
                ),
                remedy: match remote_arg(remote) {
                    Some(remote) => format!(
                        "keep both by giving one another letter: mapdrive map X: {remote}, then mapdrive unmap {letter}"
                    ),
                    None => format!("mapdrive unmap {letter} to see the global drive"),
                },
            });
        }
    }
}

fn boot_device_malformed(f: &Facts, out: &mut Vec<Finding>) {
    for b in &f.boot_devices {
        let letter = match b.name.as_bytes() {
            [l, b':'] => DriveLetter::from_byte(*l),
            _ => None,
        };
        let lower = b.target.to_ascii_lowercase();
        let looks_network =
            lower.contains("lanmanredirector") || lower.contains("webdavredirector");
        let problem = match (DosTarget::parse(&b.target), letter) {
            (_, None) if looks_network => Some(format!("the value name {:?} is not a drive letter with a colon (Z:)", b.name)),
            (DosTarget::Network { letter: inner, logon_id, .. }, Some(l)) => {
                if inner != Some(l) {
                    Some(format!(
                        "the target names {} after ';' but the value is {}",
                        inner.map_or_else(|| "no letter".to_string(), |x| x.to_string()),
                        l
                    ))
                } else if logon_id != Luid::SYSTEM {
                    Some(format!(
                        "the logon id is {logon_id}, not SYSTEM's {} (a common typo: 0x327 instead of 0x3e7)",
                        Luid::SYSTEM
                    ))
                } else {
                    None
                }
            }
            (_, Some(_)) if looks_network => Some(
                "it is not of the form \\Device\\LanmanRedirector\\;Z:00000000000003e7\\server\\share (16 hex digits of LUID, then the share)"
                    .into(),
            ),
            _ => None,
        };
        let Some(problem) = problem else { continue };
        let remote = DosTarget::parse(&b.target).remote().map(str::to_string);
        out.push(Finding {
            code: Code::BootDeviceMalformed,
            slug: "boot-device-malformed",
            severity: Severity::Error,
            letter,
            title: format!("the boot-time global drive {} is malformed", b.name),
            explanation: format!(
                "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\DOS Devices value {} = {}: {problem}. \
                 smss.exe creates it at boot as written, so the drive will not work.",
                b.name, b.target
            ),
            remedy: match (letter, remote) {
                (Some(l), Some(r)) => match remote_arg(&r) {
                    Some(r) => format!("as administrator: mapdrive map {l} {r} --global --at-boot --force"),
                    None => format!("as administrator: mapdrive unmap {l} --global --at-boot --force"),
                },
                (Some(l), None) => format!("as administrator: mapdrive unmap {l} --global --at-boot --force"),
                _ => "remove the value with regedit".into(),
            },
        });
    }
}

fn letter_collision(f: &Facts, out: &mut Vec<Finding>) {
    for r in &f.remembered {
        let Some(dos) = device(f, r.letter) else {
            continue;
        };
        if matches!(dos, DosTarget::Network { .. }) {
            continue;
        }
        out.push(Finding {
            code: Code::LetterCollision,
            slug: "letter-collision",
            severity: Severity::Warning,
            letter: Some(r.letter),
            title: format!("{} is remembered for {} but is a {} here", r.letter, r.remote, dos.kind_name()),
            explanation: format!(
                "HKCU\\Network remembers {} -> {}, but {} is taken by a {} in this logon session, so the drive can never be restored.",
                r.letter,
                r.remote,
                r.letter,
                dos.kind_name()
            ),
            remedy: match remote_arg(&r.remote) {
                Some(remote) => format!(
                    "mapdrive unmap {}   then map the share to a free letter: mapdrive map X: {remote}",
                    r.letter
                ),
                None => format!("mapdrive unmap {}", r.letter),
            },
        });
    }
}

fn remembered_path_differs(f: &Facts, out: &mut Vec<Finding>) {
    for r in &f.remembered {
        let Some(c) = connected_here(f, r.letter) else {
            continue;
        };
        if same_path(&c.remote, &r.remote) {
            continue;
        }
        out.push(Finding {
            code: Code::RememberedPathDiffers,
            slug: "remembered-path-differs",
            severity: Severity::Warning,
            letter: Some(r.letter),
            title: format!(
                "{} is connected to {} but remembered as {}",
                r.letter, c.remote, r.remote
            ),
            explanation: format!(
                "The next logon restores {} -> {} from HKCU\\Network, not the current {}.",
                r.letter, r.remote, c.remote
            ),
            remedy: match remote_arg(&c.remote) {
                Some(remote) => format!("mapdrive map {} {remote}{}", r.letter, here(f)),
                None => format!(
                    "the connected path {} is malformed: mapdrive unmap {}{}, then map the share again",
                    c.remote,
                    r.letter,
                    here(f)
                ),
            },
        });
    }
}

fn token_context(f: &Facts, out: &mut Vec<Finding>) {
    let id = &f.identity;
    if id.is_system {
        out.push(Finding {
            code: Code::RunningAsSystem,
            slug: "running-as-system",
            severity: Severity::Info,
            letter: None,
            title: "this process is SYSTEM: drives it maps are global".into(),
            explanation: "A drive mapped by NT AUTHORITY\\SYSTEM (logon session 0x3e7) is created in the global DOS-device \
                          namespace: every user and every logon session sees it until the next restart."
                .into(),
            remedy: "to keep it across restarts: mapdrive map L: \\\\server\\share --global --at-boot".into(),
        });
    } else if id.elevation == Elevation::Full {
        out.push(Finding {
            code: Code::ElevatedToken,
            slug: "elevated-token",
            severity: Severity::Info,
            letter: None,
            title: "this process is elevated (the Full half of a split token)".into(),
            explanation: format!(
                "Logon session {} is the elevated twin of {}. Drives mapped in it are not seen by Explorer and \
                 non-elevated programs, and Windows does not remember them. So by default (--session auto) mapdrive \
                 acts in the limited session when it can obtain that token (it borrows SYSTEM's SeTcbPrivilege, \
                 which needs administrator rights), and warns when it cannot.{}",
                id.logon_id,
                id.linked_logon_id.map_or_else(|| "the limited session".to_string(), |l| format!("limited session {l}")),
                if f.linked_connections.is_enabled() { " EnableLinkedConnections is on: both halves see the same drives." } else { "" }
            ),
            remedy: "map from a non-elevated prompt, or use --session both to map in both halves".into(),
        });
    }
}

fn session_owner(f: &Facts, out: &mut Vec<Finding>) {
    if let Err(e) = &f.session_users {
        out.push(Finding {
            code: Code::SessionOwnerMismatch,
            slug: "session-owner-mismatch",
            severity: Severity::Info,
            letter: None,
            title: "could not check whether drives would be mapped for this desktop's user".into(),
            explanation: format!(
                "Windows refused to say who the linked account of this token and the user of this desktop are \
                 ({e}), so an elevation with another account's name (over the shoulder) or Windows 11 \
                 Administrator protection's shadow account cannot be recognised: drives mapped here may land in \
                 another account's profile"
            ),
            remedy: "run `mapdrive whoami` to see which account acts; when in doubt, map from the desktop user's own \
                     non-elevated prompt"
                .into(),
        });
        return;
    }
    let Some(m) = super::owner_check(f) else {
        return;
    };
    out.push(Finding {
        code: Code::SessionOwnerMismatch,
        slug: "session-owner-mismatch",
        severity: Severity::Warning,
        letter: None,
        title: format!(
            "drives would be mapped for {}, but this desktop belongs to {}",
            m.acting, m.desktop
        ),
        explanation: m.message,
        remedy: m.remedy,
    });
}

fn credential_persistence_capped(f: &Facts, out: &mut Vec<Finding>) {
    let Ok(caps) = &f.credential_caps else {
        return;
    };
    let kind = CredentialKind::DomainPassword;
    let max = caps.max(kind);
    if max.is_some_and(|m| m != crate::domain::Persistence::Session) {
        return;
    }
    out.push(Finding {
        code: Code::CredentialPersistenceCapped,
        slug: "credential-persistence-capped",
        severity: if f.remembered.is_empty() {
            Severity::Info
        } else {
            Severity::Warning
        },
        letter: None,
        title: format!(
            "this logon session may store domain credentials {}",
            match max {
                Some(_) => "for this logon session only",
                None => "not at all",
            }
        ),
        explanation: format!(
            "Windows (CredGetSessionTypes) reports {} and {} for logon session {}: a policy caps it, usually \
             \"Network access: Do not allow storage of passwords and credentials for network authentication\" \
             (DisableDomainCreds), whatever the logon type. A password saved for a file server {} so remembered \
             drives that need one fail to reconnect at the next logon.",
            caps.describe(kind),
            caps.describe(CredentialKind::GenericPassword),
            f.identity.logon_id,
            match max {
                Some(_) => "is gone at logoff,",
                None => "cannot be saved,",
            }
        ),
        remedy: "save the credential with --persistence session in each logon session, or have an administrator \
                 lift the DisableDomainCreds policy (secpol.msc: Security Options)"
            .into(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Identity, Persistence};
    use crate::error::ApiError;

    fn facts() -> Facts {
        Facts {
            identity: Identity {
                user: r"CORP\bob".into(),
                sid: "S-1-5-21-1".into(),
                logon_id: Luid(0x1234),
                logon_type: LogonType::Interactive,
                elevation: Elevation::Default,
                linked_logon_id: None,
                is_system: false,
            },
            linked_connections: LinkedConnections::NotConfigured,
            connected: Ok(Vec::new()),
            remembered: Vec::new(),
            devices: Vec::new(),
            credentials: Ok(Vec::new()),
            credential_caps: Ok(crate::domain::CredentialCaps::UNRESTRICTED),
            session_users: Ok(crate::domain::SessionUsers::default()),
            judged_linked: false,
            boot_devices: Vec::new(),
            sessions: Vec::new(),
        }
    }

    fn cred(target: &str, kind: CredentialKind) -> CredentialInfo {
        CredentialInfo {
            target: target.into(),
            kind,
            user_name: Some("u".into()),
            persistence: Persistence::Local,
            alias: None,
            comment: None,
            attributes: Vec::new(),
        }
    }

    #[test]
    fn nothing_to_say_about_an_empty_session() {
        assert!(evaluate(&facts()).is_empty());
    }

    #[test]
    fn md013_no_network_provider() {
        let mut f = facts();
        f.connected = Err(ApiError::new("WNetOpenEnumW", 1222));
        let found = evaluate(&f);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].code, found[0].severity),
            (Code::NoNetwork, Severity::Error)
        );
        assert!(found[0].remedy.contains("LanmanWorkstation"));
        // The snapshot file is found through a Unix path: checked by the host run, not under Wine.
        #[cfg(not(windows))]
        insta::assert_json_snapshot!(found);
    }

    #[test]
    fn credential_matching_follows_the_target_forms() {
        let d = CredentialKind::DomainPassword;
        assert!(credential_covers(&cred("FileServer", d), "fileserver"));
        assert!(credential_covers(
            &cred("*.corp.example", d),
            "fs.corp.example"
        ));
        assert!(!credential_covers(
            &cred("*.corp.example", d),
            "corp.example.evil"
        ));
        assert!(credential_covers(&cred("*", d), "anything"));
        assert!(!credential_covers(
            &cred("fileserver", d),
            "fileserver.corp.example"
        ));
        assert!(!credential_covers(
            &cred("fileserver", CredentialKind::GenericPassword),
            "fileserver"
        ));
    }

    #[test]
    fn boot_values_that_are_not_network_drives_are_left_alone() {
        let mut f = facts();
        f.boot_devices = vec![crate::port::BootDevice {
            name: "W:".into(),
            target: r"\??\C:\data".into(),
        }];
        assert!(evaluate(&f).is_empty());
    }
}
