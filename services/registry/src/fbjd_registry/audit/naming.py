"""What makes a point or facility name clear (命名清晰): it says which facility and which node.

The notice's example is 喷雾干燥塔布袋除尘器-收尘风机: facility 喷雾干燥塔布袋除尘器, node 收尘风机. A name that is only
a meter number or a code (电表1, 1#表, DB-03, d20501) tells an inspector nothing on site.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["is_bare", "node_part", "normalise"]

_GENERIC = re.compile(r"电能表|电表|分表|计量点|监测点|测点|点位|表计|表|设备|设施|机器|号|第|个|台")
_NOISE = re.compile(r"[\sA-Za-z0-9#＃_\-－—–·.()（）\[\]【】/\\]+")


def normalise(name: str) -> str:
    """Comparable form: full-width folded to half-width, spaces dropped, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).lower()


def is_bare(name: str) -> bool:
    """True when, without numbers, codes, punctuation and generic words (电表, 测点…), nothing is left."""
    rest = _NOISE.sub("", unicodedata.normalize("NFKC", name))
    return not _GENERIC.sub("", rest)


def node_part(point_name: str, facility_name: str) -> str | None:
    """The node besides the facility (`收尘风机` in `喷雾干燥塔布袋除尘器-收尘风机`); None without the facility."""
    point, facility = normalise(point_name), normalise(facility_name)
    index = point.find(facility)
    if index < 0:
        return None
    rest = point[:index] + point[index + len(facility) :]
    return rest.strip("-－—–_:：·/ ")
