"""The JupyterLab chat panel's server side: a jupyter_server extension with handlers under ``/sciwand/``.

``pip install sciwand`` enables it (``jupyter server extension list`` shows ``assistant.lab``); the panel
itself is the prebuilt JupyterLab extension ``sciwand-lab`` in ``labextension/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_server.utils import url_path_join

from assistant.config import load_settings
from assistant.lab.chats import LabState
from assistant.lab.handlers import ChatSocket, CompletionHandler, ConfigHandler, HistoryHandler, VariablesHandler


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "assistant.lab"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    state = LabState(load_settings(), serverapp.kernel_manager, Path(serverapp.data_dir), str(serverapp.root_dir))
    base = url_path_join(serverapp.web_app.settings["base_url"], "sciwand")
    serverapp.web_app.settings["sciwand"] = state
    serverapp.web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "config"), ConfigHandler),
            (url_path_join(base, "history"), HistoryHandler),
            (url_path_join(base, "complete"), CompletionHandler),
            (url_path_join(base, "variables"), VariablesHandler),
            (url_path_join(base, "ws"), ChatSocket),
        ],
    )
    serverapp.log.info("sciwand: chat panel handlers at %s/ (model %s)", base, state.settings.model)
