from fbjd_core.alembic_env import run_env

from fbjd_registry.models import Base

run_env(Base.metadata)
