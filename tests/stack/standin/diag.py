"""One diagnostic line per event on stderr (.stack/logs/standin.log), whole lines only.

Why it exists: many threads (requests, task runners, log shippers) report what they do;
print() writes text and newline separately, so lines from different threads interleaved.
"""

import sys
import threading
import time

_lock = threading.Lock()


def say(message: str) -> None:
    line = f"[standin {time.strftime('%H:%M:%S')}] {message}\n"
    with _lock:
        sys.stderr.write(line)
        sys.stderr.flush()
