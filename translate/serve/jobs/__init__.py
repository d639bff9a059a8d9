"""Document jobs: uploads kept in SQLite and a folder per job, run through the same flow as
`translate run` by one worker thread, and their results served under /v1/.

`store.py` keeps the jobs, `worker.py` runs them, `results.py` reads and reuses their
outputs, `service.py` joins these for the app, and `api.py` is their HTTP face.
"""
