"""MCP servers and tools: the deployer's configuration, the catalog, the loop of tool calls."""
