"""Real gateways and servers, installed and started on 127.0.0.1, to run routecheck against.

Each target module has `running(...)`, a context manager yielding a `common.RunningGateway`
(`.base_url`, `.model`, `.key`, `.key_env`), and runs as a script that prints one line
`BASE_URL=<url> MODEL=<id>` and serves until SIGTERM/SIGINT:

    python targets/litellm_mock.py          # LiteLLM proxy, mock_response, no upstream
    python targets/litellm_reference.py     # LiteLLM proxy -> routecheck's reference gateway
    python targets/portkey_reference.py     # header proxy -> Portkey gateway -> reference gateway
    python targets/llamacpp.py              # llama-cpp-python server, gemma-3-270m (compiles ~5 min once)
    python targets/llama_server.py          # llama.cpp's llama-server: chat, /v1/messages, /v1/responses
    python targets/matrix.py --targets litellm_mock,litellm_reference,portkey_reference

Everything they install lives under the git-ignored `.targets/` (one venv or node_modules
per target), never in the project's own environment.
"""

TARGET_NAMES = ("litellm_mock", "litellm_reference", "portkey_reference", "llamacpp", "llama_server")
