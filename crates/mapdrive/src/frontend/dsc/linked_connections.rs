//! `Mapdrive/LinkedConnections`: the EnableLinkedConnections policy.

use mapdrive_core::engine::Change;
use mapdrive_core::error::Error;
use mapdrive_core::port::Port;

use super::resources::{Instance, read_only};
use super::types::LinkedConnections;

pub(super) fn validate(l: &LinkedConnections) -> Result<(), Error> {
    if l.in_desired_state.is_some() || l.metadata.is_some() {
        return Err(read_only());
    }

    Ok(())
}

/// The policy as it is (`_exist: false` when the value is not configured).
pub(super) fn get(port: &mut dyn Port) -> Result<Instance, Error> {
    let current = port
        .linked_connections()
        .map_err(|e| Error::api("could not read the EnableLinkedConnections policy", e))?;
    let enabled = match current {
        mapdrive_core::domain::LinkedConnections::NotConfigured => None,
        mapdrive_core::domain::LinkedConnections::Disabled => Some(false),
        mapdrive_core::domain::LinkedConnections::Enabled => Some(true),
    };
    Ok(Instance::LinkedConnectionsPolicy(LinkedConnections {
        enabled,
        exist: Some(enabled.is_some()),
        ..LinkedConnections::default()
    }))
}

/// What making `l` true takes.
pub(super) fn change(l: &LinkedConnections, exist: bool) -> Change {
    Change::LinkedConnections(if exist { l.enabled } else { None })
}

/// The policy, configured or not.
pub(super) fn export(
    port: &mut dyn Port,
    warnings: &mut Vec<String>,
) -> Result<Vec<Instance>, Error> {
    let _ = warnings;
    Ok(vec![get(port)?])
}
