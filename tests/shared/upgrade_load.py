"""The contract upgrade drill's load: schools registered and joined to the pilot by a few
concurrent callers, through the registry's RPC (one proxy per caller: nameko's standalone
proxy is not safe to share between green threads)."""

import random

import eventlet
from nameko.standalone.rpc import ClusterRpcProxy

from scripts.seed_registry import _Maker
from tests.equipment.test_service import PROGRAMME, SCHOOL

SCHOOLS = 120
CALLERS = 4


def join_schools(registry_config: dict, progress: dict, schools: int = SCHOOLS) -> None:
    """Register and join `schools` schools of 45 pupils (one cabinet each); the joining
    dates straddle 1 September, the school year's first day."""
    make = _Maker(random.Random(22))
    bins = [make.bin() for _ in range(schools)]
    todo = list(range(schools))

    def caller() -> None:
        with ClusterRpcProxy(registry_config, timeout=30) as rpc:
            while todo:
                n = todo.pop()
                school = {**SCHOOL, "bin": bins[n], "pupils": 45}
                rpc.registry.register_organisation(organisation_id=f"UPG-{n:03d}", **school)
                rpc.registry.join_programme(
                    programme_id=PROGRAMME, organisation_id=f"UPG-{n:03d}",
                    model="digital_solutions",
                    joined_on="2023-08-31" if n % 2 else "2023-09-01")
                progress["joined"] += 1

    pool = eventlet.GreenPool(CALLERS)
    for _ in range(CALLERS):
        pool.spawn(caller)
    pool.waitall()


def count_public(service) -> int:
    """How many public events the service's log holds, read through `notifications`."""
    after, count = 0, 0
    while True:
        reply = service.notifications(after=after, limit=1000)
        count += len(reply["items"])
        if reply["next_after"] == after:
            return count
        after = reply["next_after"]
