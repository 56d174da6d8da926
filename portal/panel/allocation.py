"""Who assesses what: allocating applications to youth panellists, fairly and without conflicts.

Pure functions over ids, with no database, so the rules can be tested on their own and the panel
service only has to load ids, call these and store the result.

The rules (issue 5):
- every application gets ``per_application`` different panellists (the round's N, default 3);
- never a panellist who declared a conflict of interest with it;
- the work is shared out evenly: no panellist has two or more assignments more than another panellist
  who could have taken one of theirs (directly, or by passing work along a chain), so the most-loaded has
  at most one more than the least-loaded wherever conflicts and hand-made assignments allow;
- commissioners' hand-made assignments (``existing``) are kept, and only the gaps are filled;
- the same input always gives the same output: applications and panellists are taken in id order and
  ties are broken by load, then id.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

# (application_id, panellist_id) pairs where the panellist declared a conflict of interest.
Conflicts = AbstractSet[tuple[int, int]]


@dataclass(frozen=True)
class Allocation:
    """The panellists for each application, and how many each short application still needs."""

    assignments: dict[int, frozenset[int]]
    # Application id -> how many panellists it is missing because too few have no conflict with it.
    shortfalls: dict[int, int] = field(default_factory=dict)

    def load(self, panellists: Iterable[int] = ()) -> dict[int, int]:
        """How many applications each panellist has, by panellist id; pass the pool to list those with none."""
        counts = dict.fromkeys(panellists, 0)
        for assigned in self.assignments.values():
            for panellist_id in assigned:
                counts[panellist_id] = counts.get(panellist_id, 0) + 1
        return dict(sorted(counts.items()))


def allocate(
    *,
    applications: list[int],
    panellists: list[int],
    per_application: int,
    conflicts: Conflicts,
    existing: Mapping[int, AbstractSet[int]] | None = None,
) -> Allocation:
    """Give every application ``per_application`` panellists without conflicts, sharing the work evenly.

    ``existing`` holds assignments already made (by hand or by an earlier run): they are kept and count
    towards each panellist's load, except where the panellist has since declared a conflict, which
    recuses them. An application that already has ``per_application`` or more keeps what it has.
    Entries for applications not in ``applications`` are ignored. Only new assignments are moved to
    even out the load; kept ones never are.
    """
    _check_per_application(per_application)
    application_ids = sorted(set(applications))
    pool = sorted(set(panellists))
    existing = existing or {}

    kept = {
        application_id: {p for p in existing.get(application_id, ()) if (application_id, p) not in conflicts}
        for application_id in application_ids
    }
    load = dict.fromkeys(pool, 0)
    for assigned in kept.values():
        for panellist_id in assigned:
            load[panellist_id] = load.get(panellist_id, 0) + 1

    added: dict[int, set[int]] = {application_id: set() for application_id in application_ids}
    shortfalls: dict[int, int] = {}
    for application_id in application_ids:
        gap = per_application - len(kept[application_id])
        if gap <= 0:
            continue
        eligible = sorted(
            (p for p in pool if p not in kept[application_id] and (application_id, p) not in conflicts),
            key=lambda p: (load[p], p),
        )
        for panellist_id in eligible[:gap]:
            added[application_id].add(panellist_id)
            load[panellist_id] += 1
        if len(eligible) < gap:
            shortfalls[application_id] = gap - len(eligible)

    _even_out(added=added, kept=kept, pool=pool, conflicts=conflicts, load=load)
    return Allocation(
        assignments={a: frozenset(kept[a] | added[a]) for a in application_ids},
        shortfalls=shortfalls,
    )


def replace_recused(
    allocation_or_assignments: Allocation | Mapping[int, AbstractSet[int]],
    *,
    application_id: int,
    panellist_id: int,
    panellists: list[int],
    conflicts: Conflicts,
    per_application: int,
) -> Allocation:
    """Take a recused panellist off an application and bring in the least-loaded panellist with no conflict.

    The recused panellist is never chosen again for that application, even if ``conflicts`` does not
    list them yet. Ties in load go to the lowest id. When nobody is free of conflict, the application
    is reported in ``shortfalls``. Other applications are left as they are; ``shortfalls`` is worked out
    afresh for every application as ``per_application`` minus the panellists it has.
    """
    _check_per_application(per_application)
    if isinstance(allocation_or_assignments, Allocation):
        source: Mapping[int, AbstractSet[int]] = allocation_or_assignments.assignments
    else:
        source = allocation_or_assignments
    assignments = {a: set(assigned) for a, assigned in source.items()}
    if application_id not in assignments:
        raise ValueError(f"Application {application_id} has no panel, so nobody can be recused from it.")
    panel = assignments[application_id]
    if panellist_id not in panel:
        raise ValueError(f"Panellist {panellist_id} is not assigned to application {application_id}.")
    panel.discard(panellist_id)

    load = Allocation(assignments={a: frozenset(s) for a, s in assignments.items()}).load(panellists)
    eligible = sorted(
        (
            p for p in set(panellists)
            if p != panellist_id and p not in panel and (application_id, p) not in conflicts
        ),
        key=lambda p: (load[p], p),
    )
    gap = max(0, per_application - len(panel))
    panel.update(eligible[:gap])

    shortfalls = {
        a: per_application - len(assigned)
        for a, assigned in sorted(assignments.items())
        if len(assigned) < per_application
    }
    return Allocation(
        assignments={a: frozenset(assigned) for a, assigned in sorted(assignments.items())},
        shortfalls=shortfalls,
    )


def _check_per_application(per_application: int) -> None:
    """Refuse a panel size below one."""
    if per_application < 1:
        raise ValueError(f"Each application needs at least 1 panellist, not {per_application}.")


def _even_out(
    *,
    added: dict[int, set[int]],
    kept: dict[int, set[int]],
    pool: list[int],
    conflicts: Conflicts,
    load: dict[int, int],
) -> None:
    """Move new assignments along chains of panellists until nobody could pass work to someone with 2 fewer.

    Each move takes one application from the busier panellist and gives one to the less busy one, with
    everybody in between keeping the same number; it makes the loads strictly more even, so this stops.
    When no such chain exists the loads are as even as the conflicts allow: the load vectors reachable
    here form a polymatroid base, where this local rule is the same as the best spread.
    """
    while True:
        chain = _improving_chain(added=added, kept=kept, pool=pool, conflicts=conflicts, load=load)
        if chain is None:
            return
        for application_id, giver, taker in chain:
            added[application_id].remove(giver)
            added[application_id].add(taker)
        giver, taker = chain[0][1], chain[-1][2]
        load[giver] -= 1
        load[taker] += 1


def _improving_chain(
    *,
    added: dict[int, set[int]],
    kept: dict[int, set[int]],
    pool: list[int],
    conflicts: Conflicts,
    load: dict[int, int],
) -> list[tuple[int, int, int]] | None:
    """The shortest chain of (application, giver, taker) moves from a busy panellist to one with 2 fewer."""
    if not pool:
        return None
    holds: dict[int, list[int]] = {p: [] for p in pool}
    for application_id in sorted(added):
        for panellist_id in added[application_id]:
            holds[panellist_id].append(application_id)
    lightest = min(load[p] for p in pool)
    by_load = sorted(pool, key=lambda p: (load[p], p))
    for start in sorted(pool, key=lambda p: (-load[p], p)):
        if load[start] < lightest + 2:
            return None
        came_from: dict[int, tuple[int, int]] = {}
        seen = {start}
        queue = deque([start])
        while queue:
            giver = queue.popleft()
            for application_id in holds[giver]:
                on_panel = kept[application_id] | added[application_id]
                for taker in by_load:
                    if taker in seen or taker in on_panel or (application_id, taker) in conflicts:
                        continue
                    seen.add(taker)
                    came_from[taker] = (giver, application_id)
                    if load[taker] <= load[start] - 2:
                        return _chain_to(taker, came_from, start)
                    queue.append(taker)
    return None


def _chain_to(end: int, came_from: dict[int, tuple[int, int]], start: int) -> list[tuple[int, int, int]]:
    """Walk back from the end of a chain to its start, giving the moves in order."""
    chain = []
    taker = end
    while taker != start:
        giver, application_id = came_from[taker]
        chain.append((application_id, giver, taker))
        taker = giver
    return chain[::-1]
