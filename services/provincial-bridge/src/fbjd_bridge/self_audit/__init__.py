"""The city's self-audit (附件4 §4): the six things the province checks, per enterprise and per county."""
