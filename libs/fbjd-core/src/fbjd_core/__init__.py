"""fbjd-core: the thin shared kit every fbjd member uses.

A closed list of small modules, none of which knows a domain word:
settings, db, auth, time, ids, logging, errors, http, alembic_env.
"""

__all__: list[str] = []
