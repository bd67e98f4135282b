"""vendors slice: technical units (建设厂商/第三方运营商), who built and operates each enterprise, their quality,
and the blacklist the city publishes."""
