from fbjd_core.alembic_env import run_env

from fbjd_gateway.models import Base

run_env(Base.metadata)
