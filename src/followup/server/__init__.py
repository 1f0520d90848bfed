"""The server mode: many candidates in one PostgreSQL database, and the background jobs that
keep their plans current (``jobs``), worked by any number of `followup worker` processes."""
