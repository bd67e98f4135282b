"""The province's push interface: the payload mapping, how its replies are read, and the HTTP client."""
