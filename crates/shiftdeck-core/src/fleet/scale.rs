//! Scale validation for node pools (and MachineSets): the typed number or `+`/`-` step, the
//! autoscaling refusal with min/max validation, which nodes a scale-down likely removes, and the
//! request bodies.
//!
//! NodePools expose the `scale` subresource (`.spec.replicas`, facts §2.1); the CEL rule "Both
//! replicas or autoScaling should not be set" rejects replicas while `spec.autoScaling` is set.

use serde_json::{Value, json};

use super::util::{annotation, created, i64_at, label, name, namespace, str_at};

/// Largest replica count shiftdeck will send (a typo guard, not an API limit).
pub const MAX_REPLICAS: i64 = 500;

/// Why a scale request is refused. The `Display` text is shown to the user as is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScaleError {
    /// Nothing typed.
    #[error("type a number of nodes, or +N / -N")]
    Empty,
    /// Not a number.
    #[error("\"{0}\" is not a number: type a number of nodes, or +N / -N")]
    NotANumber(String),
    /// The result is negative.
    #[error("cannot scale to {0}: the number of nodes cannot be negative")]
    Negative(i64),
    /// The result is above [`MAX_REPLICAS`].
    #[error("cannot scale to {0}: more than {MAX_REPLICAS} nodes is refused")]
    TooMany(i64),
    /// Autoscaling owns the replica count.
    #[error(
        "autoscaling is enabled (min {min}, max {max}): edit the autoscaling min/max instead of the node count"
    )]
    Autoscaling {
        /// `spec.autoScaling.min`.
        min: i64,
        /// `spec.autoScaling.max`.
        max: i64,
    },
    /// Autoscaling min below the platform minimum.
    #[error("autoscaling min must be at least {floor} on {platform}, got {min}")]
    MinTooLow {
        /// Typed min.
        min: i64,
        /// 1 on KubeVirt (scale from zero is AWS/Azure only), else 0.
        floor: i64,
        /// Platform type.
        platform: String,
    },
    /// Autoscaling min above max.
    #[error("autoscaling min ({min}) must not be greater than max ({max})")]
    MinAboveMax {
        /// Typed min.
        min: i64,
        /// Typed max.
        max: i64,
    },
    /// Autoscaling max below 1.
    #[error("autoscaling max must be at least 1, got {0}")]
    MaxTooLow(i64),
}

/// Parses what the user typed: `N`, `+N`, `-N`, `+` (one more) or `-` (one less), relative to
/// `current` desired replicas; checks 0 ≤ result ≤ [`MAX_REPLICAS`].
pub fn parse_replicas(text: &str, current: i64) -> Result<i64, ScaleError> {
    let t = text.trim();
    let n = match t {
        "" => return Err(ScaleError::Empty),
        "+" => current.saturating_add(1),
        "-" => current.saturating_sub(1),
        _ => {
            let (sign, digits) = match t.as_bytes()[0] {
                b'+' => (Some(1), &t[1..]),
                b'-' => (Some(-1), &t[1..]),
                _ => (None, t),
            };
            let digits = digits.trim();
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ScaleError::NotANumber(t.to_string()));
            }
            // Saturate absurdly long inputs; they are refused as TooMany below.
            let v: i64 = digits.parse().unwrap_or(i64::MAX);
            match sign {
                Some(s) => current.saturating_add(s * v),
                None => v,
            }
        }
    };
    if n < 0 {
        Err(ScaleError::Negative(n))
    } else if n > MAX_REPLICAS {
        Err(ScaleError::TooMany(n))
    } else {
        Ok(n)
    }
}

/// The scale request body: an `autoscaling/v1` Scale merge patch for the `scale` subresource
/// (kube: `Api::patch_scale(name, &pp, &Patch::Merge(body))`).
pub fn scale_patch(replicas: i64) -> Value {
    json!({"spec": {"replicas": replicas}})
}

/// Validates an autoscaling min/max edit for a pool on `platform` (`KubeVirt` needs min ≥ 1).
pub fn validate_autoscaling(platform: &str, min: i64, max: i64) -> Result<(), ScaleError> {
    let floor = if matches!(platform, "AWS" | "Azure") {
        0
    } else {
        1
    };
    if min < floor {
        return Err(ScaleError::MinTooLow {
            min,
            floor,
            platform: platform.to_string(),
        });
    }
    if max < 1 {
        return Err(ScaleError::MaxTooLow(max));
    }
    if max > MAX_REPLICAS {
        return Err(ScaleError::TooMany(max));
    }
    if min > max {
        return Err(ScaleError::MinAboveMax { min, max });
    }
    Ok(())
}

/// NodePool merge patch setting autoscaling (and dropping `replicas`, which CEL forbids together).
pub fn autoscaling_patch(min: i64, max: i64) -> Value {
    json!({"spec": {"replicas": null, "autoScaling": {"min": min, "max": max}}})
}

/// The CAPI Machines of a node pool: annotation `hypershift.openshift.io/nodePool: <ns>/<np>`, or
/// label `cluster.x-k8s.io/deployment-name` / `cluster.x-k8s.io/set-name` equal to the pool name.
pub fn machines_of_pool<'a>(pool: &Value, machines: &'a [Value]) -> Vec<&'a Value> {
    let key = format!("{}/{}", namespace(pool), name(pool));
    machines
        .iter()
        .filter(|m| {
            annotation(m, "hypershift.openshift.io/nodePool") == Some(key.as_str())
                || label(m, "cluster.x-k8s.io/deployment-name") == Some(name(pool))
                || label(m, "cluster.x-k8s.io/set-name") == Some(name(pool))
        })
        .collect()
}

/// A validated scale of a node pool.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalePlan {
    /// Desired replicas before.
    pub from: i64,
    /// Desired replicas after.
    pub to: i64,
    /// The request body ([`scale_patch`]).
    pub body: Value,
    /// On scale-down, the nodes (or machines without a node) likely to be removed, in order.
    pub likely_removed: Vec<String>,
    /// A caveat to show with the plan (delete policy, Windows drain).
    pub note: Option<String>,
}

/// Annotations that mark a machine to be removed first on scale-down (CAPI and Machine API).
pub const DELETE_ANNOTATIONS: [&str; 3] = [
    "cluster.x-k8s.io/delete-machine",
    "machine.openshift.io/delete-machine",
    "machine.openshift.io/cluster-api-delete-machine",
];

fn marked(m: &Value) -> bool {
    DELETE_ANNOTATIONS
        .iter()
        .any(|a| annotation(m, a).is_some())
}

fn order<'a>(machines: &[&'a Value], oldest_first: bool) -> Vec<&'a Value> {
    let mut v: Vec<&Value> = machines.to_vec();
    v.sort_by(|a, b| {
        let key = |m: &Value| (!marked(m), str_at(m, "/status/nodeRef/name").is_some());
        let age = if oldest_first {
            created(a).cmp(&created(b))
        } else {
            created(b).cmp(&created(a))
        };
        key(a)
            .cmp(&key(b))
            .then(age)
            .then_with(|| name(a).cmp(name(b)))
    });
    v
}

/// Orders machines by how likely they are removed on scale-down: machines annotated with one of
/// [`DELETE_ANNOTATIONS`] first, then machines without a node, then newest first.
pub fn scale_down_order<'a>(machines: &[&'a Value]) -> Vec<&'a Value> {
    order(machines, false)
}

fn victims(machines: &[&Value], count: i64, oldest_first: bool) -> Vec<String> {
    order(machines, oldest_first)
        .into_iter()
        .take(usize::try_from(count).unwrap_or(0))
        .map(|m| {
            str_at(m, "/status/nodeRef/name")
                .unwrap_or_else(|| name(m))
                .to_string()
        })
        .collect()
}

/// Validates a typed scale for a node pool and plans it. `machines` may be all Machines; the
/// pool's own are picked with [`machines_of_pool`].
pub fn plan_scale(pool: &Value, text: &str, machines: &[Value]) -> Result<ScalePlan, ScaleError> {
    if let (Some(min), Some(max)) = (
        i64_at(pool, "/spec/autoScaling/min"),
        i64_at(pool, "/spec/autoScaling/max"),
    ) {
        return Err(ScaleError::Autoscaling { min, max });
    }
    let from = i64_at(pool, "/spec/replicas").unwrap_or(0);
    let to = parse_replicas(text, from)?;
    let likely_removed = if to < from {
        victims(&machines_of_pool(pool, machines), from - to, false)
    } else {
        Vec::new()
    };
    Ok(ScalePlan {
        from,
        to,
        body: scale_patch(to),
        likely_removed,
        note: None,
    })
}

/// MachineAutoscaler annotations on an autoscaled MachineSet.
pub const MS_AUTOSCALER_MIN: &str =
    "machine.openshift.io/cluster-api-autoscaler-node-group-min-size";
/// See [`MS_AUTOSCALER_MIN`].
pub const MS_AUTOSCALER_MAX: &str =
    "machine.openshift.io/cluster-api-autoscaler-node-group-max-size";

/// Validates a typed scale for a `machine.openshift.io` MachineSet. Refused while a
/// MachineAutoscaler owns it (its min/max annotations are set). Scale-down victims follow
/// `spec.deletePolicy` (`Oldest` → oldest first; `Newest` and the default `Random` → newest shown
/// first, with a note for `Random`); every scale-down notes that nodes are drained first.
pub fn plan_machineset_scale(
    ms: &Value,
    text: &str,
    machines: &[Value],
) -> Result<ScalePlan, ScaleError> {
    let ann = |k: &str| annotation(ms, k).and_then(|v| v.trim().parse::<i64>().ok());
    if let (Some(min), Some(max)) = (ann(MS_AUTOSCALER_MIN), ann(MS_AUTOSCALER_MAX)) {
        return Err(ScaleError::Autoscaling { min, max });
    }
    let from = i64_at(ms, "/spec/replicas").unwrap_or(0);
    let to = parse_replicas(text, from)?;
    let policy = str_at(ms, "/spec/deletePolicy").unwrap_or("Random");
    let mut note = None;
    let likely_removed = if to < from {
        let mine = super::machineset::machines_of_set(ms, machines);
        // The machine controller cordons and drains each node before deleting its machine.
        let drain = if super::machineset::is_windows(ms) {
            "Windows nodes are drained (pods evicted) before their machines are deleted"
        } else {
            "nodes are drained (pods evicted) before their machines are deleted"
        };
        note = Some(if policy == "Random" {
            format!("deletePolicy Random: any machine may be removed; newest shown; {drain}")
        } else {
            drain.to_string()
        });
        victims(&mine, from - to, policy == "Oldest")
    } else {
        Vec::new()
    };
    Ok(ScalePlan {
        from,
        to,
        body: scale_patch(to),
        likely_removed,
        note,
    })
}

#[cfg(test)]
#[path = "scale_tests.rs"]
mod tests;
