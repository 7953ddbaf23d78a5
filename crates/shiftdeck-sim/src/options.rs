//! `shiftdeck sim` options: profile, scale, speed, seed, user and fault injection.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Profile {
    /// Bare-metal management cluster: HyperShift on KubeVirt, MCE, ARM64 machines joining.
    Hub,
    /// Azure IPI cluster with ARM64 and Windows MachineSets.
    Azure,
    /// A single-node MicroShift edge cluster.
    Microshift,
    /// A hosted cluster's own API (served for each available HostedCluster).
    #[value(skip)]
    Guest,
}

impl Profile {
    pub fn context_name(self) -> &'static str {
        match self {
            Profile::Hub => "hub",
            Profile::Azure => "azure",
            Profile::Microshift => "microshift",
            Profile::Guest => "guest",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SimUser {
    /// cluster-admin: may do everything.
    Admin,
    /// May read everything but not approve, scale, create or delete.
    Viewer,
}

/// Extra objects added on top of a profile's scenario (`--scale nodes=N,...`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scale {
    pub nodes: usize,
    pub csrs: usize,
    pub hostedclusters: usize,
    pub nodepools: usize,
    pub datavolumes: usize,
}

impl FromStr for Scale {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut scale = Scale::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("scale entry `{part}` is not KIND=N"))?;
            let n: usize = value
                .trim()
                .parse()
                .map_err(|_| format!("scale entry `{part}`: `{value}` is not a whole number"))?;
            let slot = match key.trim() {
                "nodes" => &mut scale.nodes,
                "csrs" => &mut scale.csrs,
                "hostedclusters" => &mut scale.hostedclusters,
                "nodepools" => &mut scale.nodepools,
                "datavolumes" => &mut scale.datavolumes,
                other => {
                    return Err(format!(
                        "unknown scale kind `{other}` (expected nodes, csrs, hostedclusters, nodepools, datavolumes)"
                    ));
                }
            };
            *slot = n;
        }
        Ok(scale)
    }
}

/// Injected faults (`--faults watch-drop=20s,expire-watches=60s,error-rate=0.05,latency=200ms,restart=90s,forbid=nodepools,machine-approver=down`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    /// Cut every open watch connection this often.
    pub watch_drop: Option<Duration>,
    /// Forget the watch history this often, so resumed watches get 410 Gone.
    pub expire_watches: Option<Duration>,
    /// Share of requests (0..=1) answered with 500.
    pub error_rate: f64,
    /// Added to every request.
    pub latency: Option<Duration>,
    /// Restart the server (all connections cut, same port and data) this often.
    pub restart: Option<Duration>,
    /// Plurals (e.g. `nodepools`) answered with 403 for every verb.
    pub forbid: Vec<String>,
    /// Every hosted cluster's machine-approver crash-loops: new guest nodes' CSRs stay pending
    /// until an admin approves them.
    pub machine_approver_down: bool,
}

impl Faults {
    pub fn is_empty(&self) -> bool {
        *self == Faults::default()
    }
}

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map_or((s, "s"), |i| s.split_at(i));
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration like 20s, 200ms or 2m"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("`{s}`: unknown unit `{unit}` (use ms, s, m or h)")),
    };
    if !secs.is_finite() || secs < 0.0 {
        return Err(format!("`{s}` is not a valid duration"));
    }
    Ok(Duration::from_secs_f64(secs))
}

impl FromStr for Faults {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut f = Faults::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("fault `{part}` is not NAME=VALUE"))?;
            match key.trim() {
                "watch-drop" => f.watch_drop = Some(parse_duration(value)?),
                "expire-watches" => f.expire_watches = Some(parse_duration(value)?),
                "latency" => f.latency = Some(parse_duration(value)?),
                "restart" => f.restart = Some(parse_duration(value)?),
                "error-rate" => {
                    let r: f64 = value
                        .trim()
                        .parse()
                        .map_err(|_| format!("error-rate `{value}` is not a number"))?;
                    if !(0.0..=1.0).contains(&r) {
                        return Err(format!("error-rate `{value}` must be between 0 and 1"));
                    }
                    f.error_rate = r;
                }
                "forbid" => f
                    .forbid
                    .extend(value.split('+').map(|v| v.trim().to_string())),
                "machine-approver" => {
                    f.machine_approver_down = match value.trim() {
                        "down" => true,
                        "up" => false,
                        other => {
                            return Err(format!(
                                "machine-approver `{other}` must be `down` or `up`"
                            ));
                        }
                    }
                }
                other => {
                    return Err(format!(
                        "unknown fault `{other}` (expected watch-drop, expire-watches, error-rate, latency, restart, forbid, machine-approver)"
                    ));
                }
            }
        }
        Ok(f)
    }
}

#[derive(Clone, Debug)]
pub struct SimOptions {
    pub listen: SocketAddr,
    pub profile: Profile,
    pub scale: Scale,
    pub speed: f64,
    pub seed: u64,
    pub user: SimUser,
    pub faults: Faults,
    pub kubeconfig_out: Option<PathBuf>,
    /// Whether scenario controllers run (arriving machines, scaling). Benchmarks that want a
    /// still cluster turn this off.
    pub live: bool,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            profile: Profile::Hub,
            scale: Scale::default(),
            speed: 1.0,
            seed: 1,
            user: SimUser::Admin,
            faults: Faults::default(),
            kubeconfig_out: None,
            live: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_scale_and_rejects_unknown_kinds() {
        let s: Scale = "nodes=5000,csrs=20".parse().expect("valid");
        assert_eq!((s.nodes, s.csrs, s.nodepools), (5000, 20, 0));
        assert!(
            "pods=3"
                .parse::<Scale>()
                .unwrap_err()
                .contains("unknown scale kind")
        );
        assert!("nodes=x".parse::<Scale>().is_err());
    }

    #[test]
    fn parses_faults() {
        let f: Faults = "watch-drop=20s,expire-watches=1m,error-rate=0.05,latency=200ms,restart=90s,forbid=nodepools"
            .parse()
            .expect("valid");
        assert_eq!(f.watch_drop, Some(Duration::from_secs(20)));
        assert_eq!(f.expire_watches, Some(Duration::from_secs(60)));
        assert_eq!(f.latency, Some(Duration::from_millis(200)));
        assert_eq!(f.forbid, vec!["nodepools".to_string()]);
        assert!("error-rate=2".parse::<Faults>().is_err());
        assert!("bogus=1".parse::<Faults>().is_err());
    }
}
