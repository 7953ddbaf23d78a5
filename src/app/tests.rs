use super::*;
use crate::config::Config;

#[test]
fn configured_uses_flags_then_config_then_defaults() {
    let mut cfg = Config {
        theme: Some("light".into()),
        ..Default::default()
    };
    cfg.keys.insert("quit".into(), vec!["x".into()]);
    let app = App::configured(&cfg, None, None, false);
    assert_eq!(app.theme.name, "light");
    assert_eq!(app.keymap.first_label("quit").as_deref(), Some("x"));
    let app = App::configured(&cfg, None, Some("high-contrast"), true);
    assert_eq!(app.theme.name, "high-contrast");
    assert!(app.gate.read_only());
    let app = App::configured(&cfg, None, Some("/nonexistent/theme.toml"), false);
    assert_eq!(app.theme, Theme::default());
    let w = app.startup_warning().unwrap();
    assert!(
        w.starts_with("/nonexistent/theme.toml: no such theme")
            && w.ends_with("(using the default theme)"),
        "{w}"
    );
}
