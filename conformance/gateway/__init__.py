"""The routecheck reference gateway: any profile served faithfully, or with one named fault."""

from .app import create_app, create_multi_app
from .faults import Fault, faults_for, find_fault
from .server import RunningServer, serve, start_in_thread

__all__ = [
    "Fault", "RunningServer", "create_app", "create_multi_app", "faults_for", "find_fault", "serve", "start_in_thread",
]
