"""The recording upstream (`--upstream 127.0.0.1:PORT`): what a gateway forwards, seen from behind it.

The gateway under test is configured to forward to this address; routecheck serves the reference gateway there
(the openai profile's chat completions, faithful) and records every request it receives. Each request routecheck
sends carries a correlation marker (markers.py), so each record is matched to the exchange that caused it
(matching.py), and the forwarding cases (cases.py) judge what arrived (checks.py). Kept light: the engine gets
markers.outgoing from the run plan and carries it to the sending process, which must not load the server.
"""
