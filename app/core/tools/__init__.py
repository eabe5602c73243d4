"""Tools GLM-4 calls through function calling: their declarations (`declare`) and the
workspace tools (`workspace`). No Qt here: the UI shows the calls and asks for approval."""
