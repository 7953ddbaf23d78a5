//! Palette commands: each pane's (`:nodes`, `:no`) plus the built-ins. The palette lists only
//! commands that exist.

use crate::panes::Pane;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandInfo {
    pub name: String,
    pub aliases: Vec<String>,
    pub help: String,
}

/// What a palette line means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// Open pane number `n`.
    Pane(usize),
    /// `:ctx` without a name: pick from the list.
    PickContext,
    SwitchContext(String),
    Quit,
    Help,
    /// `:autoapprove on|off` (`None`: missing or bad argument).
    AutoApprove(Option<bool>),
    /// `:preflight`: the HCP-on-KubeVirt prerequisite checks.
    Preflight,
    /// `:create` / `:newcluster`: the create-hosted-cluster wizard.
    CreateCluster,
    /// `:addnodepool`: the add-node-pool wizard.
    AddNodePool,
    Unknown(String),
    Empty,
}

pub fn builtins() -> Vec<CommandInfo> {
    let c = |name: &str, aliases: &[&str], help: &str| CommandInfo {
        name: name.into(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        help: help.into(),
    };
    vec![
        c(
            "ctx",
            &["context"],
            "Switch kubeconfig context (`:ctx NAME` or pick)",
        ),
        c("help", &[], "Show keys and commands"),
        c(
            "autoapprove",
            &[],
            "Auto-approve arriving CSRs passing every check (`on`/`off`)",
        ),
        c("q", &["quit", "q!"], "Quit shiftdeck"),
        c("preflight", &[], "HCP on KubeVirt: prerequisite checks"),
        c(
            "create",
            &["newcluster"],
            "Create hosted cluster (KubeVirt) wizard",
        ),
        c("addnodepool", &[], "Add node pool (KubeVirt) wizard"),
    ]
}

/// Every command: panes first, then built-ins.
pub fn all(panes: &[Box<dyn Pane>]) -> Vec<CommandInfo> {
    let mut out: Vec<CommandInfo> = panes
        .iter()
        .map(|p| {
            let cmds = p.commands();
            CommandInfo {
                name: cmds.first().copied().unwrap_or_default().into(),
                aliases: cmds.iter().skip(1).map(|a| a.to_string()).collect(),
                help: format!("{} pane", p.title()),
            }
        })
        .collect();
    out.extend(builtins());
    out
}

/// Commands whose name or an alias starts with the first word of `input`.
pub fn matching(panes: &[Box<dyn Pane>], input: &str) -> Vec<CommandInfo> {
    let word = input.split_whitespace().next().unwrap_or("");
    all(panes)
        .into_iter()
        .filter(|c| c.name.starts_with(word) || c.aliases.iter().any(|a| a.starts_with(word)))
        .collect()
}

pub fn parse(panes: &[Box<dyn Pane>], input: &str) -> Parsed {
    let mut words = input.split_whitespace();
    let Some(cmd) = words.next() else {
        return Parsed::Empty;
    };
    let arg = words.next();
    if let Some(i) = panes.iter().position(|p| p.commands().contains(&cmd)) {
        return Parsed::Pane(i);
    }
    match cmd {
        "ctx" | "context" => match arg {
            Some(name) => Parsed::SwitchContext(name.into()),
            None => Parsed::PickContext,
        },
        "q" | "quit" | "q!" => Parsed::Quit,
        "help" => Parsed::Help,
        "autoapprove" => Parsed::AutoApprove(match arg {
            Some("on") => Some(true),
            Some("off") => Some(false),
            _ => None,
        }),
        "preflight" => Parsed::Preflight,
        "create" | "newcluster" => Parsed::CreateCluster,
        "addnodepool" => Parsed::AddNodePool,
        other => Parsed::Unknown(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panes::nodes::NodesPane;

    fn panes() -> Vec<Box<dyn Pane>> {
        vec![Box::new(NodesPane::default())]
    }

    #[test]
    fn parses_commands() {
        let p = panes();
        assert_eq!(parse(&p, "nodes"), Parsed::Pane(0));
        assert_eq!(parse(&p, " no "), Parsed::Pane(0));
        assert_eq!(parse(&p, "ctx"), Parsed::PickContext);
        assert_eq!(parse(&p, "ctx hub"), Parsed::SwitchContext("hub".into()));
        assert_eq!(parse(&p, "q"), Parsed::Quit);
        assert_eq!(parse(&p, "csr"), Parsed::Unknown("csr".into()));
        assert_eq!(parse(&p, ""), Parsed::Empty);
        assert_eq!(parse(&p, "autoapprove on"), Parsed::AutoApprove(Some(true)));
        assert_eq!(
            parse(&p, "autoapprove off"),
            Parsed::AutoApprove(Some(false))
        );
        assert_eq!(parse(&p, "autoapprove"), Parsed::AutoApprove(None));
    }

    #[test]
    fn lists_only_existing_commands() {
        let p = panes();
        let names: Vec<String> = all(&p).into_iter().map(|c| c.name).collect();
        assert_eq!(
            names,
            vec![
                "nodes",
                "ctx",
                "help",
                "autoapprove",
                "q",
                "preflight",
                "create",
                "addnodepool"
            ]
        );
        let m: Vec<String> = matching(&p, "n").into_iter().map(|c| c.name).collect();
        assert_eq!(m, vec!["nodes", "create"]); // `create` by its alias `newcluster`
        assert!(matching(&p, "hc").is_empty());
    }
}
