//! The config file: `$SHIFTDECK_CONFIG`, else `$XDG_CONFIG_HOME/shiftdeck/config.toml`. It picks
//! a theme and may override keys. An invalid file yields a message naming the file and line, and
//! the defaults are used instead.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::action::Action;
use crate::keymap::parse_key;

/// A problem in a config or theme file, with the file and (when known) the 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl ConfigError {
    pub fn new(file: impl Into<String>, line: Option<usize>, message: impl Into<String>) -> Self {
        ConfigError {
            file: file.into(),
            line,
            message: message.into(),
        }
    }

    /// A TOML syntax or shape error, located by its span.
    pub fn from_toml(file: &str, src: &str, e: &toml::de::Error) -> Self {
        let line = e.span().map(|s| line_of(src, s.start));
        ConfigError::new(file, line, e.message().trim().to_string())
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}: line {}: {}", self.file, l, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// 1-based line number of byte `offset` in `src`.
pub fn line_of(src: &str, offset: usize) -> usize {
    src.as_bytes()
        .iter()
        .take(offset.min(src.len()))
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Config {
    /// Theme name or path.
    pub theme: Option<String>,
    /// Key overrides: action name -> keys, already validated.
    pub keys: BTreeMap<String, Vec<String>>,
    /// Where it came from, if a file.
    pub path: Option<PathBuf>,
    /// `[[copies.azure]]`: blob copies the Copies pane tracks from the start.
    pub copies_azure: Vec<AzureCopy>,
}

/// The `[[copies.azure]]` entries are copies data; the config file only lists them.
pub use crate::copies::azure_copy::AzureCopy;

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CopiesFile {
    #[serde(default)]
    azure: Vec<AzureCopy>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    theme: Option<String>,
    #[serde(default)]
    keys: BTreeMap<Spanned<String>, Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    copies: CopiesFile,
}

/// Where the config file is looked for.
pub fn config_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SHIFTDECK_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(dirs::config_dir)?;
    Some(base.join("shiftdeck").join("config.toml"))
}

/// Parse config text. `file` names it in error messages.
pub fn parse(file: &str, src: &str) -> Result<Config, ConfigError> {
    let raw: ConfigFile = toml::from_str(src).map_err(|e| ConfigError::from_toml(file, src, &e))?;
    let mut keys = BTreeMap::new();
    for (name, list) in raw.keys {
        if Action::from_name(name.get_ref()).is_none() {
            let known: Vec<&str> = crate::action::BINDABLE.iter().map(|(n, _)| *n).collect();
            return Err(ConfigError::new(
                file,
                Some(line_of(src, name.span().start)),
                format!(
                    "unknown action `{}` in [keys] (known: {})",
                    name.get_ref(),
                    known.join(", ")
                ),
            ));
        }
        let mut out = Vec::new();
        for k in list.get_ref() {
            if parse_key(k.get_ref()).is_none() {
                return Err(ConfigError::new(
                    file,
                    Some(line_of(src, k.span().start)),
                    format!(
                        "`{}` is not a key (e.g. q, ctrl-c, shift-g, pgup, enter, f1)",
                        k.get_ref()
                    ),
                ));
            }
            out.push(k.get_ref().clone());
        }
        keys.insert(name.into_inner(), out);
    }
    Ok(Config {
        theme: raw.theme,
        keys,
        path: None,
        copies_azure: raw.copies.azure,
    })
}

/// Load a config file. A missing file is not an error: it means defaults.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let label = path.display().to_string();
    let src = match std::fs::read_to_string(path) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(e) => return Err(ConfigError::new(label, None, e.to_string())),
    };
    let mut c = parse(&label, &src)?;
    c.path = Some(path.to_path_buf());
    Ok(c)
}

/// The config from the usual place, or the defaults plus a warning saying why.
pub fn load_or_default() -> (Config, Option<String>) {
    let explicit = std::env::var_os("SHIFTDECK_CONFIG").filter(|p| !p.is_empty());
    load_from(config_path(), explicit.is_some())
}

/// Loads `path`. The default location may be absent, but a path the user named
/// (`$SHIFTDECK_CONFIG`) that does not exist is a typo worth a warning, as a bad file is.
fn load_from(path: Option<PathBuf>, named_by_user: bool) -> (Config, Option<String>) {
    let Some(p) = path else {
        return (Config::default(), None);
    };
    if named_by_user && !p.exists() {
        return (
            Config::default(),
            Some(format!(
                "{}: no such file (SHIFTDECK_CONFIG names it; using defaults)",
                p.display()
            )),
        );
    }
    match load(&p) {
        Ok(c) => (c, None),
        Err(e) => (Config::default(), Some(format!("{e} (using defaults)"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_config_loads() {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
        let c = load(&p).unwrap();
        assert_eq!(c.theme.as_deref(), Some("default"));
        assert_eq!(c.keys["quit"], vec!["q".to_string(), "ctrl-c".to_string()]);
        let theme = crate::theme::Theme::load(c.theme.as_deref().unwrap()).unwrap();
        assert_eq!(theme.name, "default");
    }

    #[test]
    fn a_named_config_that_does_not_exist_warns() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("typo.toml");
        let (c, warning) = load_from(Some(p.clone()), true);
        assert!(c.theme.is_none());
        let w = warning.expect("a warning for a missing named file");
        assert!(w.contains("typo.toml") && w.contains("no such file"), "{w}");
        // The default location may simply be absent.
        assert_eq!(load_from(Some(p), false).1, None);
    }

    #[test]
    fn missing_file_means_defaults() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            load(&dir.path().join("nope.toml")).unwrap(),
            Config::default()
        );
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = parse(
            "c.toml",
            "theme = \"light\"\n[keys]\nquit = [\"q\", \"ctrl-nope\"]\n",
        )
        .unwrap_err();
        assert_eq!(e.file, "c.toml");
        assert_eq!(e.line, Some(3));
        assert!(
            e.to_string()
                .starts_with("c.toml: line 3: `ctrl-nope` is not a key"),
            "{e}"
        );

        let e = parse("c.toml", "[keys]\n\nfly = [\"f\"]\n").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("unknown action `fly`"));

        let e = parse("c.toml", "theme = \n").unwrap_err();
        assert_eq!(e.line, Some(1));

        let e = parse("c.toml", "# hi\ncolour = \"red\"\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
    }

    #[test]
    fn load_reads_a_file_and_reports_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        std::fs::write(&p, "[keys]\nquit = [\"x\"]\n").unwrap();
        assert_eq!(load(&p).unwrap().keys["quit"], vec!["x".to_string()]);
        std::fs::write(&p, "[keys\n").unwrap();
        let e = load(&p).unwrap_err().to_string();
        assert!(e.contains("config.toml: line 1"), "{e}");
    }

    #[test]
    fn line_of_counts_newlines() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }
}
