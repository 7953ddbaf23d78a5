//! Terminal setup and teardown: raw mode, alternate screen and mouse capture on; restored on
//! normal exit, on error and on panic (the previous panic hook still runs afterwards).

use std::io::stdout;

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use ratatui::DefaultTerminal;

pub fn init() -> color_eyre::Result<DefaultTerminal> {
    let terminal = ratatui::try_init()?;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
    execute!(stdout(), EnableMouseCapture)?;
    Ok(terminal)
}

pub fn restore() {
    let _ = execute!(stdout(), DisableMouseCapture);
    ratatui::restore();
}
