//! Data-driven keymap: defaults plus config overrides, and a pure
//! `resolve(key, context) -> Option<Action>`.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::action::{Action, BINDABLE};

/// Where the keyboard focus is; decides which bindings apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyContext {
    /// A pane's table.
    Table,
    /// The details or YAML view.
    View,
    /// The help overlay.
    Help,
    /// Typing into the palette or the filter box.
    Input,
    /// Choosing from a list (e.g. kubeconfig contexts).
    Picker,
}

/// A key with its modifiers, normalised so `G` and `shift-g` are the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyCombo {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl KeyCombo {
    pub fn from_event(ev: &KeyEvent) -> KeyCombo {
        normalise(ev.code, ev.modifiers)
    }
}

fn normalise(code: KeyCode, mods: KeyModifiers) -> KeyCombo {
    let mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
    match code {
        KeyCode::Char(c) if mods.contains(KeyModifiers::SHIFT) || c.is_ascii_uppercase() => {
            KeyCombo {
                code: KeyCode::Char(c.to_ascii_uppercase()),
                mods: mods - KeyModifiers::SHIFT,
            }
        }
        KeyCode::BackTab => KeyCombo {
            code: KeyCode::BackTab,
            mods: mods - KeyModifiers::SHIFT,
        },
        _ => KeyCombo { code, mods },
    }
}

/// Parse a key name as written in the config file: `q`, `G`, `shift-g`, `ctrl-c`, `alt-x`,
/// `pgup`, `pgdown`, `enter`, `esc`, `tab`, `backtab`, `up`, `down`, `left`, `right`, `home`,
/// `end`, `space`, `backspace`, `delete`, `f1`..`f12`, or a single punctuation character.
pub fn parse_key(s: &str) -> Option<KeyCombo> {
    let mut mods = KeyModifiers::NONE;
    let mut rest = s;
    loop {
        let lower = rest.to_ascii_lowercase();
        if rest.len() > 1 && lower.starts_with("ctrl-") {
            mods |= KeyModifiers::CONTROL;
            rest = &rest[5..];
        } else if rest.len() > 1 && lower.starts_with("alt-") {
            mods |= KeyModifiers::ALT;
            rest = &rest[4..];
        } else if rest.len() > 1 && lower.starts_with("shift-") {
            mods |= KeyModifiers::SHIFT;
            rest = &rest[6..];
        } else {
            break;
        }
    }
    let mut chars = rest.chars();
    let code = match (chars.next(), chars.next()) {
        (Some(c), None) => KeyCode::Char(c),
        _ => match rest.to_ascii_lowercase().as_str() {
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdown" | "pagedown" | "pgdn" => KeyCode::PageDown,
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            f if f.starts_with('f') => {
                let n: u8 = f[1..].parse().ok()?;
                if !(1..=12).contains(&n) {
                    return None;
                }
                KeyCode::F(n)
            }
            _ => return None,
        },
    };
    Some(normalise(code, mods))
}

/// Human form of a key for the help and status bar.
pub fn key_label(k: &KeyCombo) -> String {
    let mut s = String::new();
    if k.mods.contains(KeyModifiers::CONTROL) {
        s.push_str("ctrl-");
    }
    if k.mods.contains(KeyModifiers::ALT) {
        s.push_str("alt-");
    }
    match k.code {
        KeyCode::Char(' ') => s.push_str("space"),
        KeyCode::Char(c) => s.push(c),
        KeyCode::PageUp => s.push_str("pgup"),
        KeyCode::PageDown => s.push_str("pgdn"),
        KeyCode::Enter => s.push_str("enter"),
        KeyCode::Esc => s.push_str("esc"),
        KeyCode::Tab => s.push_str("tab"),
        KeyCode::BackTab => s.push_str("shift-tab"),
        KeyCode::Up => s.push('↑'),
        KeyCode::Down => s.push('↓'),
        KeyCode::Left => s.push('←'),
        KeyCode::Right => s.push('→'),
        KeyCode::Home => s.push_str("home"),
        KeyCode::End => s.push_str("end"),
        KeyCode::F(n) => s.push_str(&format!("f{n}")),
        other => s.push_str(&format!("{other:?}").to_lowercase()),
    }
    s
}

/// Default bindings: k9s-style.
pub const DEFAULTS: &[(&str, &[&str])] = &[
    ("quit", &["q", "ctrl-c"]),
    ("up", &["k", "up"]),
    ("down", &["j", "down"]),
    ("page_up", &["pgup", "ctrl-b"]),
    ("page_down", &["pgdown", "ctrl-f"]),
    ("top", &["g", "home"]),
    ("bottom", &["G", "end"]),
    ("details", &["enter", "d"]),
    ("yaml", &["y"]),
    ("back", &["esc"]),
    ("palette", &[":"]),
    ("filter", &["/"]),
    ("help", &["?"]),
    ("sort_next", &["s"]),
    ("clear_filter", &["ctrl-l"]),
    ("maintenance", &["m"]),
    ("cordon", &["c"]),
    ("uncordon", &["u"]),
    ("live_migrate", &["l"]),
    ("migrate_all", &["M"]),
    ("scale_up", &["+"]),
    ("scale_down", &["-"]),
    ("scale_to", &["="]),
    ("csr_approve", &["a"]),
    ("csr_deny", &["d"]),
    ("csr_approve_all", &["A"]),
    ("csr_history", &["h"]),
    ("csr_joining", &["J"]),
    ("copy", &["c"]),
    ("open_guest", &["o"]),
    ("hc_drill_down", &["enter"]),
];

/// Bindings that apply only in one pane's table (action name prefix -> pane kind). There they
/// win over the global ones (`d` denies a CSR instead of opening details); elsewhere they do
/// nothing, so `A` still sorts the Nodes pane by AGE.
pub const PANE_SCOPED: &[(&str, &str)] = &[
    ("csr_", crate::watch::CSRS.id),
    ("hc_", crate::watch::HOSTEDCLUSTERS.id),
];

/// The pane a bindable action is scoped to, if any.
pub fn scope_of(name: &str) -> Option<&'static str> {
    PANE_SCOPED
        .iter()
        .find(|(prefix, _)| name.starts_with(prefix))
        .map(|(_, pane)| *pane)
}

#[derive(Debug, Clone)]
pub struct Keymap {
    /// Action name -> keys, in `BINDABLE` order for the help.
    bindings: BTreeMap<&'static str, Vec<KeyCombo>>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::new(&BTreeMap::new())
    }
}

impl Keymap {
    /// Defaults with `overrides` (action name -> key names, validated by the config loader;
    /// anything unparsable is skipped) replacing whole entries.
    pub fn new(overrides: &BTreeMap<String, Vec<String>>) -> Keymap {
        let mut bindings = BTreeMap::new();
        for (name, _) in BINDABLE {
            let keys: Vec<KeyCombo> = match overrides.get(*name) {
                Some(list) => list.iter().filter_map(|k| parse_key(k)).collect(),
                None => DEFAULTS
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, ks)| ks.iter().filter_map(|k| parse_key(k)).collect())
                    .unwrap_or_default(),
            };
            bindings.insert(*name, keys);
        }
        Keymap { bindings }
    }

    /// The keys bound to an action name.
    pub fn keys_for(&self, name: &str) -> &[KeyCombo] {
        self.bindings.get(name).map_or(&[], Vec::as_slice)
    }

    /// Label of the first key bound to `name` (for the status bar).
    pub fn first_label(&self, name: &str) -> Option<String> {
        self.keys_for(name).first().map(key_label)
    }

    /// Help rows: (keys, description) for every bindable action.
    pub fn help_rows(&self) -> Vec<(String, &'static str)> {
        BINDABLE
            .iter()
            .map(|(name, desc)| {
                let keys: Vec<String> = self.keys_for(name).iter().map(key_label).collect();
                (keys.join(" "), *desc)
            })
            .collect()
    }

    fn bound(&self, combo: &KeyCombo, pane: Option<&str>) -> Option<&'static str> {
        let names = || BINDABLE.iter().map(|(n, _)| *n);
        names()
            .filter(|n| pane.is_some() && scope_of(n) == pane)
            .chain(names().filter(|n| scope_of(n).is_none()))
            .find(|n| self.keys_for(n).contains(combo))
    }

    /// What `key` means in `ctx`. Pure: no state, no I/O.
    pub fn resolve(&self, key: &KeyEvent, ctx: KeyContext) -> Option<Action> {
        self.resolve_in(key, ctx, None)
    }

    /// Like `resolve`, with the active pane's kind so its own bindings apply in its table.
    pub fn resolve_in(
        &self,
        key: &KeyEvent,
        ctx: KeyContext,
        pane: Option<&str>,
    ) -> Option<Action> {
        let combo = KeyCombo::from_event(key);
        let ctrl_c = combo.code == KeyCode::Char('c') && combo.mods == KeyModifiers::CONTROL;
        if ctx == KeyContext::Input {
            return Some(match combo.code {
                _ if ctrl_c => Action::Quit,
                KeyCode::Enter => Action::Submit,
                KeyCode::Esc => Action::Back,
                KeyCode::Tab => Action::Complete,
                _ => Action::Input(*key),
            });
        }
        let pane = if ctx == KeyContext::Table { pane } else { None };
        let name = self.bound(&combo, pane);
        let action = name.and_then(Action::from_name);
        match ctx {
            KeyContext::Table => action.or_else(|| sort_key(&combo)),
            KeyContext::View => match name {
                Some("details" | "yaml" | "back" | "quit" | "help" | "palette") => action,
                Some("open_guest") => action,
                Some("up" | "down" | "page_up" | "page_down" | "top" | "bottom") => action,
                _ => None,
            },
            KeyContext::Help => match name {
                Some("help" | "back") => Some(Action::ToggleHelp),
                Some("quit") => action,
                _ => None,
            },
            KeyContext::Picker => match name {
                Some("details") => Some(Action::Submit),
                Some("up" | "down" | "page_up" | "page_down" | "top" | "bottom" | "back") => action,
                Some("quit") if ctrl_c => action,
                _ if combo.code == KeyCode::Enter => Some(Action::Submit),
                _ => None,
            },
            KeyContext::Input => None,
        }
    }
}

/// Shift+letter sorts by the column with that sort key (letters not bound to anything else).
fn sort_key(combo: &KeyCombo) -> Option<Action> {
    match combo.code {
        KeyCode::Char(c) if c.is_ascii_uppercase() && combo.mods.is_empty() => {
            Some(Action::SortBy(c))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }
    fn ch(c: char) -> KeyEvent {
        key(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn defaults_resolve_like_k9s() {
        let km = Keymap::default();
        let t = KeyContext::Table;
        assert_eq!(km.resolve(&ch('j'), t), Some(Action::Move(1)));
        assert_eq!(
            km.resolve(&key(KeyCode::Up, KeyModifiers::NONE), t),
            Some(Action::Move(-1))
        );
        assert_eq!(km.resolve(&ch(':'), t), Some(Action::OpenPalette));
        assert_eq!(km.resolve(&ch('/'), t), Some(Action::OpenFilter));
        assert_eq!(km.resolve(&ch('?'), t), Some(Action::ToggleHelp));
        assert_eq!(km.resolve(&ch('g'), t), Some(Action::Top));
        assert_eq!(km.resolve(&ch('G'), t), Some(Action::Bottom));
        assert_eq!(
            km.resolve(&key(KeyCode::Char('g'), KeyModifiers::SHIFT), t),
            Some(Action::Bottom)
        );
        assert_eq!(
            km.resolve(&key(KeyCode::Enter, KeyModifiers::NONE), t),
            Some(Action::Details)
        );
        assert_eq!(
            km.resolve(&key(KeyCode::Char('c'), KeyModifiers::CONTROL), t),
            Some(Action::Quit)
        );
        assert_eq!(km.resolve(&ch('z'), t), None);
    }

    #[test]
    fn shift_letters_sort() {
        let km = Keymap::default();
        assert_eq!(
            km.resolve(&ch('N'), KeyContext::Table),
            Some(Action::SortBy('N'))
        );
        assert_eq!(
            km.resolve(
                &key(KeyCode::Char('a'), KeyModifiers::SHIFT),
                KeyContext::Table
            ),
            Some(Action::SortBy('A'))
        );
        assert_eq!(
            km.resolve(&ch('s'), KeyContext::Table),
            Some(Action::SortNext)
        );
        assert_eq!(km.resolve(&ch('N'), KeyContext::View), None);
    }

    #[test]
    fn input_context_passes_text_through() {
        let km = Keymap::default();
        let i = KeyContext::Input;
        assert_eq!(km.resolve(&ch('q'), i), Some(Action::Input(ch('q'))));
        assert_eq!(km.resolve(&ch('j'), i), Some(Action::Input(ch('j'))));
        assert_eq!(
            km.resolve(&key(KeyCode::Enter, KeyModifiers::NONE), i),
            Some(Action::Submit)
        );
        assert_eq!(
            km.resolve(&key(KeyCode::Esc, KeyModifiers::NONE), i),
            Some(Action::Back)
        );
        assert_eq!(
            km.resolve(&key(KeyCode::Tab, KeyModifiers::NONE), i),
            Some(Action::Complete)
        );
    }

    #[test]
    fn help_and_picker_contexts() {
        let km = Keymap::default();
        assert_eq!(
            km.resolve(&ch('?'), KeyContext::Help),
            Some(Action::ToggleHelp)
        );
        assert_eq!(
            km.resolve(&key(KeyCode::Esc, KeyModifiers::NONE), KeyContext::Help),
            Some(Action::ToggleHelp)
        );
        assert_eq!(km.resolve(&ch('j'), KeyContext::Help), None);
        assert_eq!(
            km.resolve(&ch('j'), KeyContext::Picker),
            Some(Action::Move(1))
        );
        assert_eq!(
            km.resolve(&key(KeyCode::Enter, KeyModifiers::NONE), KeyContext::Picker),
            Some(Action::Submit)
        );
        assert_eq!(km.resolve(&ch('q'), KeyContext::Picker), None);
    }

    #[test]
    fn pane_scoped_keys_apply_only_in_their_pane() {
        use crate::actions::PaneKey;
        let km = Keymap::default();
        let t = KeyContext::Table;
        let csr = Some(crate::watch::CSRS.id);
        assert_eq!(
            km.resolve_in(&ch('d'), t, csr),
            Some(Action::Pane(PaneKey::Deny))
        );
        assert_eq!(
            km.resolve_in(&ch('A'), t, csr),
            Some(Action::Pane(PaneKey::ApproveAll))
        );
        assert_eq!(
            km.resolve_in(&ch('J'), t, csr),
            Some(Action::Pane(PaneKey::Joining))
        );
        // Elsewhere: `d` is details, `A` sorts, `a` is nothing.
        assert_eq!(
            km.resolve_in(&ch('d'), t, Some("nodes")),
            Some(Action::Details)
        );
        assert_eq!(km.resolve(&ch('A'), t), Some(Action::SortBy('A')));
        assert_eq!(km.resolve(&ch('a'), t), None);
        // Not in views.
        assert_eq!(
            km.resolve_in(&ch('d'), KeyContext::View, csr),
            Some(Action::Details)
        );
    }

    #[test]
    fn overrides_replace_whole_entries() {
        let mut o = BTreeMap::new();
        o.insert("quit".to_string(), vec!["x".to_string()]);
        o.insert(
            "down".to_string(),
            vec!["ctrl-n".to_string(), "down".to_string()],
        );
        let km = Keymap::new(&o);
        assert_eq!(km.resolve(&ch('x'), KeyContext::Table), Some(Action::Quit));
        assert_eq!(km.resolve(&ch('q'), KeyContext::Table), None);
        assert_eq!(km.resolve(&ch('j'), KeyContext::Table), None);
        assert_eq!(
            km.resolve(
                &key(KeyCode::Char('n'), KeyModifiers::CONTROL),
                KeyContext::Table
            ),
            Some(Action::Move(1))
        );
        assert!(
            km.help_rows()
                .iter()
                .any(|(k, d)| k == "x" && d.contains("Quit"))
        );
    }

    #[test]
    fn parses_key_names() {
        assert_eq!(parse_key("G"), parse_key("shift-g"));
        assert_eq!(
            parse_key("ctrl-c").map(|k| k.mods),
            Some(KeyModifiers::CONTROL)
        );
        assert_eq!(parse_key("pgdown").map(|k| k.code), Some(KeyCode::PageDown));
        assert_eq!(parse_key("f5").map(|k| k.code), Some(KeyCode::F(5)));
        assert_eq!(parse_key("-").map(|k| k.code), Some(KeyCode::Char('-')));
        assert!(parse_key("f13").is_none());
        assert!(parse_key("ctrl-nope").is_none());
        assert!(parse_key("").is_none());
        assert_eq!(key_label(&parse_key("ctrl-f").unwrap()), "ctrl-f");
    }
}
