"""What the app reaches on the web for a visitor or a model: the built-in web tools
(search, reading a page, their sources), users' own MCP servers, and the guard that keeps
them all off private addresses."""
