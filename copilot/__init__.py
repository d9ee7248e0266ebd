"""The copilot: a LangGraph agent with guarded writes, an offline planner and an LLM planner."""
