"""The panel's ``@`` list: ``GET /sciwand/variables`` reads a real kernel's variables silently, through a real
jupyter_server, and a kernel busy with a cell answers "unknown" at once instead of holding the list up."""

from __future__ import annotations

import json
import time

import jsonschema
import pytest
from tornado.httpclient import HTTPClientError

from assistant.lab.protocol_schema import json_schema

from conftest import notebook_client, start_kernel, wait_printed

VARIABLES = jsonschema.Draft202012Validator({**json_schema(), "$ref": "#/$defs/Variables"})


@pytest.fixture
def jp_server_config(tmp_path, monkeypatch):
    script = tmp_path / "replies.json"
    script.write_text(json.dumps(["Final answer: nothing scripted"]))
    monkeypatch.setenv("SCIWAND_MODEL", f"scripted:{script}")
    monkeypatch.setenv("SCIWAND_CONFIG", str(tmp_path / "no-config.toml"))
    return {"ServerApp": {"jpserver_extensions": {"assistant.lab": True}}}


async def variables(jp_fetch, kernel_id: str) -> dict:
    response = await jp_fetch("sciwand", "variables", params={"kernel_id": kernel_id}, request_timeout=60)
    body = json.loads(response.body)
    VARIABLES.validate(body)
    return body


async def test_the_kernels_variables_come_newest_first_with_type_and_size_and_leave_no_trace(jp_fetch, jp_serverapp):
    kernel_id = await start_kernel(jp_fetch)
    async with notebook_client(jp_serverapp, kernel_id) as client:
        client.execute("import pandas as pd\nreadings = [1.5, 2.5, 3.5]\nframe = pd.DataFrame({'dose': [1, 2]})")
        client.execute("print('made')")
        await wait_printed(client, "made")

        listed = await variables(jp_fetch, kernel_id)
        assert listed["known"] is True
        assert listed["variables"][:2] == [
            {"name": "frame", "description": "DataFrame 2x1 (columns: dose)"},
            {"name": "readings", "description": "list of 3 float"},
        ]
        assert "pd" not in [variable["name"] for variable in listed["variables"]]  # a module is no variable

        # Silent: the probe took no execution count and left no history.
        after = client.execute("print('after')")
        reply = await client.get_shell_msg(timeout=60)
        while reply["parent_header"].get("msg_id") != after:
            reply = await client.get_shell_msg(timeout=60)
        assert reply["content"]["execution_count"] == 3


async def test_a_kernel_busy_with_a_cell_answers_unknown_at_once(jp_fetch, jp_serverapp):
    kernel_id = await start_kernel(jp_fetch)
    async with notebook_client(jp_serverapp, kernel_id) as client:
        client.execute("import time\nprint('sleeping', flush=True)\ntime.sleep(30)")
        await wait_printed(client, "sleeping")
        started = time.monotonic()
        assert await variables(jp_fetch, kernel_id) == {"variables": [], "known": False}
        assert time.monotonic() - started < 10
        await jp_fetch("api", "kernels", kernel_id, "interrupt", method="POST", body="")


async def test_an_unknown_kernel_is_refused(jp_fetch):
    with pytest.raises(HTTPClientError) as refused:
        await jp_fetch("sciwand", "variables", params={"kernel_id": "no-such-kernel"})
    assert refused.value.code == 404
