"""GLM Desk: a native desktop chat and coding assistant for GLM-4-32B."""

__version__ = "0.1.0"
APP_NAME = "GLM Desk"
APP_ID = "io.github.glmdesk.GlmDesk"
