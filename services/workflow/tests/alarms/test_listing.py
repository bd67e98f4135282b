"""The alarm list pages: X-Total-Count tells how many match in all (whatever the page), and `q` finds an
enterprise by a part of its name."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from fbjd_core.auth import Role

if TYPE_CHECKING:
    from conftest import Desk


async def test_five_alarms_of_one_enterprise_listed_two_at_a_time_say_five_in_all(desk: Desk) -> None:
    ps_id = uuid.uuid4().hex
    ids = [(await desk.raise_alarm(ps_id=ps_id, enterprise_name="沧州市分页测试化工有限公司"))["id"] for _ in range(5)]
    seen: list[str] = []
    for offset in (0, 2, 4):
        reply = await desk.city.get("/alarms", params={"ps_id": ps_id, "limit": 2, "offset": offset})
        assert reply.status_code == 200 and reply.headers["x-total-count"] == "5"
        seen += [a["id"] for a in reply.json()]
    assert sorted(seen) == sorted(ids) and len(seen) == 5
    closed = await desk.city.get("/alarms", params={"ps_id": ps_id, "status": "closed"})
    assert closed.json() == [] and closed.headers["x-total-count"] == "0"


async def test_q_finds_an_enterprise_by_part_of_its_name_and_treats_percent_as_a_letter(desk: Desk) -> None:
    marker = uuid.uuid4().hex[:8]
    wanted = await desk.raise_alarm(enterprise_name=f"沧州市{marker}玻璃制品有限公司")
    await desk.raise_alarm(enterprise_name=f"沧州市{marker}铸造有限公司")
    reply = await desk.city.get("/alarms", params={"q": f"{marker}玻璃"})
    assert [a["id"] for a in reply.json()] == [wanted["id"]] and reply.headers["x-total-count"] == "1"
    assert (await desk.city.get("/alarms", params={"q": f"{marker}%"})).json() == []
    enterprise = desk.enterprise(wanted)  # the scope still holds: an enterprise finds only itself
    other = await enterprise.get("/alarms", params={"q": f"{marker}铸造"})
    assert other.json() == [] and other.headers["x-total-count"] == "0"


async def test_a_county_counts_only_its_own_county(desk: Desk) -> None:
    marker = uuid.uuid4().hex[:8]
    await desk.raise_alarm(county="130921", enterprise_name=f"沧县{marker}有限公司")
    await desk.raise_alarm(county="130982", enterprise_name=f"任丘{marker}有限公司")
    county = desk.api(Role.COUNTY, subject="cangxian", county="130921")
    reply = await county.get("/alarms", params={"q": marker})
    assert reply.headers["x-total-count"] == "1" and reply.json()[0]["county"] == "130921"
