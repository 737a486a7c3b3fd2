#!/bin/bash
# How district.json was made: these commands run by caselog at commit 3ece8f8 (schema revision 0009, before
# deadlines were events), then the rows of its tables written out as JSON.
#   usage: made-by-caselog-3ece8f8.sh CHECKOUT-OF-3ece8f8 PYTHON
set -eu
export PYTHONPATH=$1 CASELOG_TZ=Asia/Shanghai CASELOG_ACTOR=clerk CASELOG_DB=$PWD/old.db
C() { CASELOG_NOW=$1 "$PYTHON" -m caselog "${@:2}"; }
PYTHON=$2
C 2026-09-01T09:00 init
for d in housing fire planning; do C 2026-09-01T09:00 dept add $d $d; done
C 2026-09-01T09:00 party add 张伟 --kind resident
# C2026-000001: rule 3 (escalated for being overdue, resolved late)
C 2026-09-14T10:00 case open 屋顶漏水 --party 张伟 --lead housing --on 2026-09-14T10:00
# C2026-000002: rule 2 (a co-department added two days later)
C 2026-09-14T11:00 case open 噪音扰民 --party 张伟 --lead housing --on 2026-09-14T11:00
C 2026-09-16T10:00 case dispatch C2026-000002 --lead housing --co fire --on 2026-09-16T10:00
# C2026-000003: rule 4 (extended after the miss)
C 2026-09-14T12:00 case open 消防通道堵塞 --party 张伟 --lead fire --on 2026-09-14T12:00
# C2026-000004: rule 9 (returned by planning, redispatched to fire)
C 2026-09-18T10:00 case open 违章搭建 --party 张伟 --lead planning --on 2026-09-18T10:00
C 2026-09-21T10:00 case return C2026-000004 --reason 不属本部门职责 --on 2026-09-21T10:00
C 2026-09-21T11:00 case dispatch C2026-000004 --lead fire --on 2026-09-21T11:00
# C2026-000005: rule 5 (resolved, closed, reopened, resolved again)
C 2026-09-21T10:30 case open 路灯不亮 --party 张伟 --lead housing --on 2026-09-21T10:30
C 2026-10-12T07:30 escalate
C 2026-10-14T10:00 case resolve C2026-000005 --note 已修复 --on 2026-10-14T10:00
C 2026-10-15T10:00 case close C2026-000005 --reason resolved --on 2026-10-15T10:00
C 2026-10-15T11:00 case extend C2026-000003 --to 2026-10-30 --reason 需协调 --on 2026-10-15T11:00
C 2026-10-20T10:00 case resolve C2026-000001 --note 已修复 --on 2026-10-20T10:00
C 2026-10-28T10:00 case resolve C2026-000003 --note 已修复 --on 2026-10-28T10:00
C 2026-10-29T10:00 case reopen C2026-000005 --reason 问题复发 --on 2026-10-29T10:00
C 2026-10-30T10:00 case resolve C2026-000002 --note 已修复 --on 2026-10-30T10:00
C 2026-11-18T10:00 case resolve C2026-000005 --note 彻底修复 --on 2026-11-18T10:00
# Imported history: H-1 resolved on time, H-2 never resolved
printf 'external_ref,title,lead,party,opened_at,dispatched_at,resolved_at,closed_at,status,close_reason\nH-1,屋顶漏水,housing,张伟,2018-03-01 09:00,2018-03-01 09:00,2018-03-20 16:00,,resolved,\nH-2,消防通道堵塞,fire,张伟,2018-03-07 14:00,2018-03-07 14:00,,,dispatched,\n' > history.csv
C 2026-11-20T09:00 import cases history.csv
