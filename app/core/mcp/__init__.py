"""MCP (Model Context Protocol) servers: the user's own tools, in the tool loop.

- `config`: the `mcpServers` configuration (Claude Desktop's format), secrets apart.
- `names`: the `SERVER__TOOL` names the model sees.
- `launch`: the PATH and environment a local server gets; its command found or explained.
- `stdio`: our stdio transport (pid file, process group, log).
- `server`: one server's session, tools, state and log, as one long-lived task.
- `hub`: every server, on a thread of its own with its own event loop.
- `tools`: a conversation's servers as tools of `app.core.tools.toolbox.ToolBox`.
- `problems`: what went wrong, in words.

Nothing here imports the SDK (`mcp`, ~0.7 s) at module level except `stdio`, which only the
MCP thread imports, when a server starts.
"""
