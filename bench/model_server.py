"""The scripted model server in a process of its own, for load runs: its streaming
threads must not share a GIL with the load client.

    python bench/model_server.py TOKENS RATE

Answers every request with TOKENS tokens at RATE tokens/s, the first one naming the
question (``<question>-start``), the last ``<question> end.``; prints its base URL.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.scripted_server import Reply, ScriptedModelServer, last_user_text


def main(tokens: int, rate: float) -> None:
    def script(body) -> Reply:
        tag = last_user_text(body).split()[-1]
        middle = [f" {tag}"] * max(0, tokens - 2)
        return Reply(tokens=[f"{tag}-start", *middle, f" {tag} end."], tokens_per_second=rate)

    with ScriptedModelServer() as server:
        server.script = script
        print(server.base_url, flush=True)
        while True:
            time.sleep(3600)


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]))
