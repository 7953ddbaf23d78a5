//! Themes: semantic colour roles loaded from TOML. The built-in themes live in `themes/*.toml`
//! and are compiled in; `--theme` or the config file may name one of them or a file path.

use std::path::Path;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use crate::config::{ConfigError, line_of};

/// Built-in themes: (name, TOML source).
pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../themes/default.toml")),
    ("light", include_str!("../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../themes/high-contrast.toml"),
    ),
];

/// Colours by role. Widgets ask for a role, never for a literal colour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub name: String,
    pub fg: Color,
    pub bg: Color,
    pub header: Color,
    pub title: Color,
    pub border: Color,
    pub selection: Color,
    pub ok: Color,
    pub warn: Color,
    pub error: Color,
    pub muted: Color,
    pub flash_added: Color,
    pub flash_changed: Color,
    pub flash_deleted: Color,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: Option<String>,
    #[serde(default)]
    colors: std::collections::BTreeMap<String, toml::Spanned<String>>,
}

impl Default for Theme {
    fn default() -> Self {
        // The built-in default is valid by construction (tested); fall back to plain colours
        // rather than panic if it ever is not.
        parse("default", BUILTIN[0].1).unwrap_or_else(|_| Theme::plain())
    }
}

impl Theme {
    fn plain() -> Theme {
        Theme {
            name: "plain".into(),
            fg: Color::Reset,
            bg: Color::Reset,
            header: Color::Cyan,
            title: Color::Yellow,
            border: Color::DarkGray,
            selection: Color::Blue,
            ok: Color::Green,
            warn: Color::Yellow,
            error: Color::Red,
            muted: Color::DarkGray,
            flash_added: Color::Green,
            flash_changed: Color::Yellow,
            flash_deleted: Color::Red,
        }
    }

    /// A built-in theme by name, or a theme file by path.
    pub fn load(name_or_path: &str) -> Result<Theme, ConfigError> {
        if let Some((_, src)) = BUILTIN.iter().find(|(n, _)| *n == name_or_path) {
            return parse(name_or_path, src);
        }
        let path = Path::new(name_or_path);
        if !path.exists() {
            let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
            return Err(ConfigError::new(
                name_or_path,
                None,
                format!(
                    "no such theme (built-in: {}) and no such file",
                    names.join(", ")
                ),
            ));
        }
        let src = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::new(name_or_path, None, e.to_string()))?;
        parse(name_or_path, &src)
    }

    pub fn base(&self) -> Style {
        Style::default().fg(self.fg).bg(self.bg)
    }
    pub fn fg(&self, c: Color) -> Style {
        Style::default().fg(c)
    }
    pub fn header_style(&self) -> Style {
        Style::default()
            .fg(self.header)
            .add_modifier(Modifier::BOLD)
    }
    pub fn title_style(&self) -> Style {
        Style::default().fg(self.title).add_modifier(Modifier::BOLD)
    }
    pub fn border_style(&self) -> Style {
        Style::default().fg(self.border)
    }
    pub fn selection_style(&self) -> Style {
        Style::default()
            .bg(self.selection)
            .add_modifier(Modifier::BOLD)
    }
}

/// Parse a theme; roles it leaves out come from the built-in default.
fn parse(label: &str, src: &str) -> Result<Theme, ConfigError> {
    let file: ThemeFile =
        toml::from_str(src).map_err(|e| ConfigError::from_toml(label, src, &e))?;
    let mut theme = if label == "default" {
        Theme::plain()
    } else {
        Theme::default()
    };
    theme.name = file.name.unwrap_or_else(|| label.to_string());
    for (role, value) in &file.colors {
        let color = parse_color(value.get_ref()).ok_or_else(|| {
            ConfigError::new(
                label,
                Some(line_of(src, value.span().start)),
                format!(
                    "`{}` is not a colour (use #rrggbb, a name, 0-255 or reset)",
                    value.get_ref()
                ),
            )
        })?;
        let slot = match role.as_str() {
            "fg" => &mut theme.fg,
            "bg" => &mut theme.bg,
            "header" => &mut theme.header,
            "title" => &mut theme.title,
            "border" => &mut theme.border,
            "selection" => &mut theme.selection,
            "ok" => &mut theme.ok,
            "warn" => &mut theme.warn,
            "error" => &mut theme.error,
            "muted" => &mut theme.muted,
            "flash_added" => &mut theme.flash_added,
            "flash_changed" => &mut theme.flash_changed,
            "flash_deleted" => &mut theme.flash_deleted,
            other => {
                return Err(ConfigError::new(
                    label,
                    Some(line_of(src, value.span().start)),
                    format!("unknown colour role `{other}`"),
                ));
            }
        };
        *slot = color;
    }
    Ok(theme)
}

/// `#rrggbb`, a colour name, an ANSI index or `reset`.
pub fn parse_color(s: &str) -> Option<Color> {
    let s = s.trim();
    if let Some(hex) = s.strip_prefix('#') {
        if hex.len() != 6 {
            return None;
        }
        let v = u32::from_str_radix(hex, 16).ok()?;
        return Some(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
    }
    if let Ok(i) = s.parse::<u8>() {
        return Some(Color::Indexed(i));
    }
    if s.eq_ignore_ascii_case("reset") {
        return Some(Color::Reset);
    }
    s.parse::<Color>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_theme_loads_and_differs() {
        let themes: Vec<Theme> = BUILTIN
            .iter()
            .map(|(n, _)| Theme::load(n).expect("built-in theme loads"))
            .collect();
        assert_eq!(themes.len(), 3);
        assert_ne!(themes[0], themes[1]);
        assert_ne!(themes[1], themes[2]);
        assert_eq!(themes[2].name, "high-contrast");
    }

    #[test]
    fn every_theme_file_in_the_repo_loads_by_path() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes");
        let mut n = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let p = entry.unwrap().path();
            Theme::load(p.to_str().unwrap()).unwrap();
            n += 1;
        }
        assert!(n >= 3);
    }

    #[test]
    fn partial_theme_inherits_default() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("mine.toml");
        std::fs::write(&p, "[colors]\nok = \"#00ff00\"\n").unwrap();
        let t = Theme::load(p.to_str().unwrap()).unwrap();
        assert_eq!(t.ok, Color::Rgb(0, 255, 0));
        assert_eq!(t.error, Theme::default().error);
    }

    #[test]
    fn invalid_theme_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.toml");
        std::fs::write(&p, "name = \"bad\"\n[colors]\nfg = \"#fff\"\n").unwrap();
        let e = Theme::load(p.to_str().unwrap()).unwrap_err().to_string();
        assert!(e.contains("bad.toml") && e.contains("line 3"), "{e}");
        std::fs::write(&p, "[colors]\nfg = \n").unwrap();
        let e = Theme::load(p.to_str().unwrap()).unwrap_err().to_string();
        assert!(e.contains("bad.toml") && e.contains("line 2"), "{e}");
        std::fs::write(&p, "[colors]\nsparkle = \"red\"\n").unwrap();
        let e = Theme::load(p.to_str().unwrap()).unwrap_err().to_string();
        assert!(
            e.contains("unknown colour role `sparkle`") && e.contains("line 2"),
            "{e}"
        );
        let e = Theme::load("no-such-theme").unwrap_err().to_string();
        assert!(e.contains("no-such-theme") && e.contains("built-in"), "{e}");
    }

    #[test]
    fn parses_colours() {
        assert_eq!(parse_color("#ff0000"), Some(Color::Rgb(255, 0, 0)));
        assert_eq!(parse_color("33"), Some(Color::Indexed(33)));
        assert_eq!(parse_color("lightblue"), Some(Color::LightBlue));
        assert_eq!(parse_color("reset"), Some(Color::Reset));
        assert_eq!(parse_color("#12"), None);
        assert_eq!(parse_color("notacolour"), None);
    }
}
