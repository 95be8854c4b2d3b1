"""``ktui lab serve``: labs over SSH for a class — one process on its own PTY per learner's session.

:mod:`.server` is the asyncssh server (auth, limits), :mod:`.pty_session` a session's process on its PTY and
the relay to it, :mod:`.worker` the session process, :mod:`.store` where learners' labs and results are kept,
:mod:`.catalogue` the labs offered, :mod:`.auth` the roster, token and host key files, and :mod:`.cli` the
``serve`` and ``results`` subcommands.
"""
