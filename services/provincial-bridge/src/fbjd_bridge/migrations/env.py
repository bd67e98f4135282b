from fbjd_core.alembic_env import run_env

from fbjd_bridge.models import Base

run_env(Base.metadata)
