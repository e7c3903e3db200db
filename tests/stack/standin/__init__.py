"""The ECS stand-in: moto's in-process server, made to run ECS tasks as real containers.

Started by tests/stack/up.sh as `python tests/stack/standin/server.py`; see server.py.
"""
