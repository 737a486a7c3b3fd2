"""Revision 0015 stores urging, supervision and co-department replies on the rows; taken down and done again, it
repairs them from the cases' events (``urged``, ``supervised``/``unsupervised``, ``co_replied``)."""

from __future__ import annotations

from databases import migrate
from sqlalchemy import text


def test_down_to_0014_and_up_again_repairs_the_rows_from_the_events(district, location):
    from caselog.cases import intake
    from caselog.cases.supervision import co_reply, supervise, unsupervise, urge
    from caselog.models import CaseCreate

    from conftest import NOW

    def opened(title: str, **more):
        return intake.open_case(session=district, data=CaseCreate(title=title), party="张伟", visit_id=None,
                                lead="market", opened_at=NOW, now=NOW, actor="t", **more).ref  # fmt: skip

    urged_twice = opened("门禁失灵", co=["housing", "esb"])
    ended = opened("楼道堆物", co=[])
    for _ in range(2):
        urge(session=district, ref=urged_twice, note="催办", at=NOW, now=NOW, actor="t")
    co_reply(session=district, ref=urged_twice, dept="housing", note="已核查", at=NOW, now=NOW, actor="t")
    supervise(session=district, ref=ended, note="督办", at=NOW, now=NOW, actor="t")
    unsupervise(session=district, ref=ended, reason="已解决", at=NOW, now=NOW, actor="t")
    district.commit()
    query = "SELECT c.ref, c.urge_count, c.supervised_at IS NOT NULL, c.supervision_reason FROM cases c ORDER BY c.ref"
    links = (
        "SELECT d.code, l.replied_at IS NOT NULL, l.reply FROM case_co_departments l"
        " JOIN departments d ON d.id = l.department_id ORDER BY d.code"
    )
    expected = [(urged_twice, 2, True, "urged"), (ended, 0, False, None)]
    replies = [("esb", False, None), ("housing", True, "已核查")]
    from caselog.store.engine import session

    def stored() -> tuple[list, list]:
        with session(location, write=False) as db:
            return [tuple(r) for r in db.execute(text(query))], [tuple(r) for r in db.execute(text(links))]

    assert stored() == (expected, replies)
    migrate(location, "0014", down=True)
    migrate(location, "head", down=False)
    assert stored() == (expected, replies)
