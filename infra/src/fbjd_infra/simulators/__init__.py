"""Simulated field equipment for `fbjd run`, the tests and demos.

* :mod:`~fbjd_infra.simulators.dtu` -- `fbjd simulate`: a fleet of virtual data transmission terminals;
* :mod:`~fbjd_infra.simulators.terminal` -- one terminal: TCP client, acknowledgements, backlog, outages;
* :mod:`~fbjd_infra.simulators.commands` -- how a terminal answers the center's commands;
* :mod:`~fbjd_infra.simulators.plant` -- the power curves of a production line and its treatment;
* :mod:`~fbjd_infra.simulators.fleet` -- who the terminals are (MN, psId, names, meters), seeded;
* :mod:`~fbjd_infra.simulators.packets` -- packets built with the shared :mod:`hj212` codec;
* :mod:`~fbjd_infra.simulators.register` -- registering the fleet through the gateway;
* :mod:`~fbjd_infra.simulators.clock` -- accelerated simulated time.
"""
