"""routecheck: conformance suite for OpenAI-compatible LLM gateways."""

__version__ = "0.1.0"
