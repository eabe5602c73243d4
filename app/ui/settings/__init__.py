"""The Settings dialog's pages, one module each, and what they share (common).

`app.ui.settings_dialog.SettingsDialog` composes them and keeps the pending settings, their
validation, the keys typed, and OK/Apply/Cancel. Every text here is translated in the
context "SettingsDialog" (`QCoreApplication.translate`, not `self.tr()`, whose context
would be the page's class), as it was before the pages had modules of their own."""
