"""The enforcement task page (执法任务单) from a task document as the workflow sends it (no platform needed)."""

from __future__ import annotations

from typing import Any

from fbjd_web.record_page import file_href
from fbjd_web.templating import TEMPLATES
from fbjd_web.vocabulary import CONCLUSION_LABELS, HANDLING_REASONS, TASK_STATUS_LABELS

TASK: dict[str, Any] = {
    "id": "01936f0e-8c5a-7c1e-9a59-2f7f3b1d0a11",
    "alarm_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
    "status": "completed",
    "created_at": "2026-11-25T03:12:00Z",
    "updated_at": "2026-11-25T06:40:00Z",
    "deadline_at": "2026-11-28T03:12:00Z",
    "overdue": False,
    "accepted_at": "2026-11-25T03:30:00Z",
    "accepted_by": "enforcement-cz",
    "completed_at": "2026-11-25T06:40:00Z",
    "enterprise": {"ps_id": "3f2b", "name": "沧州市华信陶瓷有限公司", "county": "130902", "industry": "新型建材"},
    "abnormal": {
        "type": "treatment_abnormal",
        "type_label": "治理设施异常",
        "grade": "general",
        "production_facility_id": "pf-01",
        "production_facility_name": "1#烧成窑",
        "treatment_facility_name": "脱硫塔",
        "start": "2026-11-25T01:10:00Z",
        "end": "2026-11-25T02:05:00Z",
        "duration_minutes": 55,
        "production_threshold_kw": 12.5,
        "treatment_threshold_kw": 4.0,
        "remark": "生产设施运行期间脱硫塔循环泵停运",
    },
    "enterprise_handling": None,
    "declarations": [],
    "city_review": {
        "decision": "reject",
        "opinion": "未在规定时限内说明原因",
        "reviewer": "city",
        "at": "2026-11-25T03:12:00Z",
    },
    "inspection": {
        "id": "i1",
        "officer_name": "王执法",
        "officer_id": "HB-CZ-0213",
        "inspected_at": "2026-11-25T06:30:00Z",
        "findings": "脱硫塔循环泵电机烧毁，窑炉未停产",
        "conclusion": "violation_confirmed",
        "conclusion_label": "违法属实，立案查处",
        "recorded_by": "enforcement-cz",
        "recorded_at": "2026-11-25T06:40:00Z",
        "photos": [
            {
                "id": "p1",
                "filename": "现场照片1.jpg",
                "content_type": "image/jpeg",
                "size": 20480,
                "download_path": "/api/workflow/tasks/01936f0e-8c5a-7c1e-9a59-2f7f3b1d0a11/files/p1",
            }
        ],
    },
}


def _render(task: dict[str, Any]) -> str:
    context = {
        "task": task,
        "file_href": file_href,
        "TASK_STATUS_LABELS": TASK_STATUS_LABELS,
        "HANDLING_REASONS": HANDLING_REASONS,
        "CONCLUSION_LABELS": CONCLUSION_LABELS,
        "principal": None,
        "csrf_token": "t",
    }
    return TEMPLATES.env.get_template("tasks/task.html").render(context)


def test_a_completed_task_shows_the_inspection_record_and_its_photos_as_the_webs_own_links() -> None:
    page = _render(TASK)
    assert "已办结" in page and "王执法（HB-CZ-0213）" in page and "违法属实，立案查处" in page
    photo = "/tasks/01936f0e-8c5a-7c1e-9a59-2f7f3b1d0a11/files/p1"
    assert f'<img class="task-photo" src="{photo}"' in page and f'href="{photo}"' in page
    assert "未在规定时限内说明原因" in page
    assert "2026-11-25 14:30" in page, "the inspection time in CST"


def test_a_new_task_says_no_inspection_yet() -> None:
    page = _render({**TASK, "status": "new", "inspection": None})
    assert "待接收" in page and "尚未提交现场检查记录" in page
