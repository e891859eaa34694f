"""gunicorn configuration for the Procfile's web process; the same options as `serve`."""

from tickiti_workflow.config import Settings
from tickiti_workflow.server import gunicorn_options

globals().update(gunicorn_options(Settings.from_env()))
