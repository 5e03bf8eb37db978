"""The floor of one process: N raw openai client streams in threads at once.

    python bench/raw_streams.py BASE_URL COUNT

Run as its own process by bench/perf.py, so that the scripted server's threads do not
share its GIL. Prints one JSON object: seconds to first token and to the whole answer.
"""

from __future__ import annotations

import json
import sys
import threading
import time

import openai


def main(base_url: str, count: int) -> None:
    client = openai.OpenAI(base_url=base_url, api_key="bench", max_retries=0)
    barrier = threading.Barrier(count)
    first, whole, failed = [], [], []
    lock = threading.Lock()

    def stream() -> None:
        barrier.wait()
        start, seen = time.perf_counter(), None
        try:
            chunks = client.chat.completions.create(
                model="scripted-small", messages=[{"role": "user", "content": "x"}], stream=True
            )
            for chunk in chunks:
                if seen is None and chunk.choices and chunk.choices[0].delta.content:
                    seen = time.perf_counter() - start
        except openai.OpenAIError as error:
            with lock:
                failed.append(type(error).__name__)
            return
        with lock:
            first.append(seen)
            whole.append(time.perf_counter() - start)

    threads = [threading.Thread(target=stream) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"first": first, "whole": whole, "failed": failed}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
