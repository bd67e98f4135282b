"""The simulated provincial platform (省级平台) for `fbjd run`, the tests and demos.

* :mod:`~fbjd_infra.simulators.province.app` -- the FastAPI app (`create_app`) and `main(argv)`;
* :mod:`~fbjd_infra.simulators.province.validation` -- the strict field checks of the push interface;
* :mod:`~fbjd_infra.simulators.province.store` -- the records it holds, merged per point.
"""

from fbjd_infra.simulators.province.app import create_app, main

__all__ = ["create_app", "main"]
