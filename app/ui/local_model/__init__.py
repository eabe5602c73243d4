"""The Local model dialog's parts, one module each: the launch form (the model file and the
server's options), the server's status and log, and the servers already running here.

`app.ui.local_server_dialog.LocalServerDialog` composes them and forwards intent to
`LocalServerService`. Every text here is translated in the context "LocalServerDialog"
(`QCoreApplication.translate`, not `self.tr()`, whose context would be the part's class),
as it was before the parts had modules of their own."""
