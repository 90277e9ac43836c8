//! The EnableLinkedConnections policy.

use super::{Action, Plan, State};
use crate::domain::LinkedConnections;
use crate::error::Error;
use crate::port::Port;

/// Plans setting the policy (`None` = remove the value).
pub fn plan_linked_connections(port: &dyn Port, desired: Option<bool>) -> Result<Plan, Error> {
    let current = port
        .linked_connections()
        .map_err(|e| Error::api("could not read the EnableLinkedConnections policy", e))?;
    let wanted = LinkedConnections::from_value(desired.map(u32::from));
    let mut plan = Plan::unchanged(
        "EnableLinkedConnections".into(),
        Some(State::LinkedConnections(current)),
    );
    if current != wanted {
        plan.push(
            Action::SetLinkedConnections { enabled: desired },
            Some(Action::SetLinkedConnections {
                enabled: match current {
                    LinkedConnections::NotConfigured => None,
                    LinkedConnections::Disabled => Some(false),
                    LinkedConnections::Enabled => Some(true),
                },
            }),
        );
        plan.after = Some(State::LinkedConnections(wanted));
        plan.warnings.push(
            "Windows reads EnableLinkedConnections at startup: restart for it to take effect"
                .into(),
        );
    }
    Ok(plan)
}
