from fbjd_core.alembic_env import run_env

from fbjd_rules.models import Base

run_env(Base.metadata)
