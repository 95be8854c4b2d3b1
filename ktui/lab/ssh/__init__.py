"""``ktui lab serve``: labs over SSH for a class — one process on its own PTY per learner's session.

:mod:`.server` is the asyncssh server (auth, limits, PTY relay), :mod:`.worker` the session process,
:mod:`.store` where learners' labs and results are kept, :mod:`.auth` the roster and token files, and
:mod:`.cli` the ``serve`` and ``results`` subcommands.
"""
