"""`python -m fbjd_infra.simulators.province --port 8107`: the simulated province on its own."""

from fbjd_infra.simulators.province.app import main

raise SystemExit(main())
