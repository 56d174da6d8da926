"""Allocation gives every application N panellists with no conflict, shares the work evenly and replaces recusals."""

import itertools
import random

import pytest

from portal.panel.allocation import Allocation, allocate, replace_recused


def spread(allocation: Allocation, pool: list[int]) -> int:
    """The most-loaded panellist's count minus the least-loaded's, over the whole pool."""
    loads = allocation.load(pool).values()
    return max(loads) - min(loads)


def random_conflicts(rng: random.Random, applications: list[int], pool: list[int], rate: float) -> set[tuple[int, int]]:
    """Conflicts declared at random, at roughly ``rate`` of all pairs."""
    return {(a, p) for a in applications for p in pool if rng.random() < rate}


def test_every_application_gets_n_different_panellists():
    """Ten applications, six panellists, three each: every panel has three people."""
    allocation = allocate(applications=list(range(1, 11)), panellists=[21, 22, 23, 24, 25, 26],
                          per_application=3, conflicts=set())
    assert set(allocation.assignments) == set(range(1, 11)), "Every application must have an entry in assignments"
    for application_id, panel in allocation.assignments.items():
        assert len(panel) == 3, f"Application {application_id} has {sorted(panel)}: fill each panel to per_application"
    assert allocation.shortfalls == {}, "Nobody is conflicted, so no application should be short"


@pytest.mark.parametrize("n_applications, n_panellists, per_application", [
    (1, 1, 1), (1, 5, 3), (3, 5, 3), (7, 4, 2), (10, 6, 3), (11, 7, 3), (25, 9, 4), (40, 12, 3), (50, 13, 5),
    (13, 13, 13), (2, 30, 3),
])
def test_without_conflicts_nobody_has_more_than_one_extra(n_applications, n_panellists, per_application):
    """With no conflicts, loads across the whole pool differ by at most one at every size."""
    pool = list(range(100, 100 + n_panellists))
    allocation = allocate(applications=list(range(1, n_applications + 1)), panellists=pool,
                          per_application=per_application, conflicts=set())
    assert spread(allocation, pool) <= 1, (
        f"Loads {allocation.load(pool)} differ by more than one: pick the least-loaded panellist (then lowest id)"
    )
    assert sum(allocation.load(pool).values()) == n_applications * per_application, "Every seat must be filled"


def test_balance_holds_for_many_sizes():
    """A property-style sweep: every size up to 20 applications and 10 panellists is covered and even."""
    for n_applications, n_panellists in itertools.product(range(1, 21), range(1, 11)):
        for per_application in range(1, n_panellists + 1):
            pool = list(range(1, n_panellists + 1))
            allocation = allocate(applications=list(range(1, n_applications + 1)), panellists=pool,
                                  per_application=per_application, conflicts=set())
            case = f"{n_applications} applications, {n_panellists} panellists, {per_application} each"
            assert all(len(panel) == per_application for panel in allocation.assignments.values()), (
                f"{case}: some panel is not full"
            )
            assert spread(allocation, pool) <= 1, f"{case}: loads {allocation.load(pool)} are uneven"


def test_a_conflicted_panellist_is_never_given_the_application():
    """Declared conflicts are respected for every application, with random conflicts at several rates."""
    rng = random.Random(5)
    for rate in (0.1, 0.3, 0.5):
        applications, pool = list(range(1, 31)), list(range(101, 111))
        conflicts = random_conflicts(rng, applications, pool, rate)
        allocation = allocate(applications=applications, panellists=pool, per_application=3, conflicts=conflicts)
        for application_id, panel in allocation.assignments.items():
            clashes = {p for p in panel if (application_id, p) in conflicts}
            assert not clashes, f"Application {application_id} was given conflicted panellists {clashes}"
            free = sum((application_id, p) not in conflicts for p in pool)
            assert len(panel) == min(3, free), (
                f"Application {application_id} has {len(panel)} panellists but {free} are free of conflict"
            )


def test_balance_around_conflicts_is_as_even_as_possible():
    """On small random cases, the spread of loads equals the best spread found by trying every allocation."""
    rng = random.Random(2026)
    for case in range(60):
        applications = list(range(1, rng.randint(1, 4) + 1))
        pool = list(range(1, rng.randint(2, 5) + 1))
        per_application = rng.randint(1, len(pool))
        conflicts = random_conflicts(rng, applications, pool, 0.35)
        allocation = allocate(applications=applications, panellists=pool, per_application=per_application,
                              conflicts=conflicts)

        choices = []
        for a in applications:
            free = [p for p in pool if (a, p) not in conflicts]
            choices.append(list(itertools.combinations(free, min(per_application, len(free)))))
        every_load = [[sum(p in panel for panel in pick) for p in pool] for pick in itertools.product(*choices)]
        best_spread = min(max(loads) - min(loads) for loads in every_load)
        best_max = min(max(loads) for loads in every_load)
        loads = allocation.load(pool)
        assert spread(allocation, pool) == best_spread, (
            f"Case {case}: loads {loads} spread wider than {best_spread} (conflicts {sorted(conflicts)}): "
            "the evening-out pass must follow chains of panellists, not only direct swaps"
        )
        assert max(loads.values()) == best_max, f"Case {case}: the busiest panellist has more than {best_max}"


def test_work_is_passed_on_when_a_conflict_forces_one_panellist():
    """If only panellist 1 can take application 2, application 1 goes to someone else."""
    allocation = allocate(applications=[1, 2], panellists=[1, 2, 3], per_application=1,
                          conflicts={(2, 2), (2, 3)})
    assert allocation.assignments == {1: frozenset({2}), 2: frozenset({1})}, (
        "Panellist 1 is the only one free for application 2, so application 1 must move to panellist 2"
    )


def test_a_shortfall_says_how_many_are_missing():
    """With only one panellist free of conflict and three needed, two are missing."""
    allocation = allocate(applications=[1, 2], panellists=[10, 11, 12], per_application=3,
                          conflicts={(1, 10), (1, 11)})
    assert allocation.assignments[1] == frozenset({12}), "Application 1 must still get the one free panellist"
    assert allocation.shortfalls == {1: 2}, "Report the applications short of panellists, with how many are missing"
    assert allocation.assignments[2] == frozenset({10, 11, 12}), "Application 2 has no conflicts and a full panel"


def test_too_few_panellists_is_a_shortfall_for_everyone():
    """Two panellists cannot make panels of three."""
    allocation = allocate(applications=[1, 2], panellists=[10, 11], per_application=3, conflicts=set())
    assert allocation.shortfalls == {1: 1, 2: 1}, "Each application is one panellist short"


def test_no_panellists_at_all():
    """With an empty pool every application is short by the whole panel."""
    allocation = allocate(applications=[3, 1], panellists=[], per_application=2, conflicts=set())
    assert allocation.assignments == {1: frozenset(), 3: frozenset()}, "Every application still has an entry"
    assert allocation.shortfalls == {1: 2, 3: 2}, "Nobody was available, so each is short by two"


def test_hand_made_assignments_are_kept_and_gaps_filled():
    """A commissioner's choice stays; only the empty seats are filled."""
    existing = {1: {14}, 2: {10, 11, 12}}
    allocation = allocate(applications=[1, 2, 3], panellists=[10, 11, 12, 13, 14], per_application=3,
                          conflicts=set(), existing=existing)
    assert 14 in allocation.assignments[1], "Keep the commissioners' existing assignment"
    assert len(allocation.assignments[1]) == 3, "Fill application 1's two empty seats"
    assert allocation.assignments[2] == frozenset({10, 11, 12}), "A full hand-made panel must not change"
    assert all(len(panel) == 3 for panel in allocation.assignments.values()), "Every panel must end up full"


def test_existing_assignments_count_towards_load():
    """A panellist given two applications by hand is not chosen first for the rest."""
    allocation = allocate(applications=[1, 2, 3], panellists=[10, 11], per_application=1, conflicts=set(),
                          existing={1: {10}, 2: {10}})
    assert allocation.assignments[3] == frozenset({11}), "Panellist 10 already has two, so 11 takes application 3"


def test_a_larger_hand_made_panel_is_kept_whole():
    """Commissioners may add a fourth panellist; allocation does not take anyone off."""
    allocation = allocate(applications=[1], panellists=[10, 11, 12, 13], per_application=3, conflicts=set(),
                          existing={1: {10, 11, 12, 13}})
    assert allocation.assignments[1] == frozenset({10, 11, 12, 13}), "Never remove hand-made assignments"
    assert allocation.shortfalls == {}, "A panel with more than N is not short"


def test_existing_assignment_with_a_declared_conflict_is_replaced():
    """A panellist who has since declared a conflict is taken off and someone else filled in."""
    allocation = allocate(applications=[1], panellists=[10, 11, 12, 13], per_application=3,
                          conflicts={(1, 11)}, existing={1: {10, 11, 12}})
    assert allocation.assignments[1] == frozenset({10, 12, 13}), (
        "A conflict recuses even a hand-made assignment: drop 11 and fill the seat"
    )


def test_existing_assignments_are_not_moved_to_even_out_the_load():
    """Evening out moves only new assignments, so a busy hand-made load stays."""
    existing = {1: {10}, 2: {10}, 3: {10}}
    allocation = allocate(applications=[1, 2, 3, 4], panellists=[10, 11], per_application=1, conflicts=set(),
                          existing=existing)
    for application_id in (1, 2, 3):
        assert allocation.assignments[application_id] == frozenset({10}), "Hand-made assignments must not move"
    assert allocation.assignments[4] == frozenset({11}), "The new one goes to the least-loaded panellist"


def test_existing_for_other_applications_is_ignored():
    """Assignments for applications not being allocated do not appear in the result."""
    allocation = allocate(applications=[1], panellists=[10], per_application=1, conflicts=set(),
                          existing={99: {10}})
    assert set(allocation.assignments) == {1}, "Only the applications asked about are allocated"


def test_same_input_gives_same_output_whatever_the_order():
    """Shuffling applications and panellists changes nothing: ids are sorted and ties go to lowest load then id."""
    rng = random.Random(7)
    applications, pool = list(range(1, 26)), list(range(200, 209))
    conflicts = random_conflicts(rng, applications, pool, 0.2)
    first = allocate(applications=applications, panellists=pool, per_application=3, conflicts=conflicts)
    for _ in range(5):
        rng.shuffle(applications)
        rng.shuffle(pool)
        again = allocate(applications=applications, panellists=pool, per_application=3, conflicts=set(conflicts))
        assert again == first, "Allocation must not depend on input order: sort by id and break ties by load then id"


def test_ties_go_to_the_lowest_id():
    """From an empty start, the first application gets the lowest ids."""
    allocation = allocate(applications=[5, 6], panellists=[30, 10, 20, 40], per_application=2, conflicts=set())
    assert allocation.assignments == {5: frozenset({10, 20}), 6: frozenset({30, 40})}, (
        "Take applications in id order and, at equal load, the lowest panellist id"
    )


def test_load_counts_assignments_and_can_include_idle_panellists():
    """load() counts each panellist's applications; passing the pool lists those with none."""
    allocation = Allocation(assignments={1: frozenset({10, 11}), 2: frozenset({11})})
    assert allocation.load() == {10: 1, 11: 2}, "Count one per application a panellist is on"
    assert allocation.load([10, 11, 12]) == {10: 1, 11: 2, 12: 0}, "Panellists in the pool with no work show 0"


@pytest.mark.parametrize("per_application", [0, -1])
def test_a_panel_of_fewer_than_one_is_refused(per_application):
    """Zero or negative panel sizes are a mistake in the round's settings."""
    with pytest.raises(ValueError, match="at least 1 panellist"):
        allocate(applications=[1], panellists=[10], per_application=per_application, conflicts=set())
    with pytest.raises(ValueError, match="at least 1 panellist"):
        replace_recused({1: {10}}, application_id=1, panellist_id=10, panellists=[10], conflicts=set(),
                        per_application=per_application)


def test_recusal_brings_in_the_least_loaded_panellist_without_a_conflict():
    """The replacement is the panellist with the lowest load who has not declared a conflict."""
    assignments = {
        1: frozenset({10, 11, 12}),
        2: frozenset({13, 14, 10}),
        3: frozenset({13, 11, 12}),
    }
    # Loads: 10→2, 11→2, 12→2, 13→2, 14→1, 15→0 — but 15 has a conflict with application 1.
    allocation = replace_recused(assignments, application_id=1, panellist_id=10, panellists=[10, 11, 12, 13, 14, 15],
                                 conflicts={(1, 15)}, per_application=3)
    assert allocation.assignments[1] == frozenset({11, 12, 14}), (
        "Replace 10 with the least-loaded panellist free of conflict (14), skipping 15 who is conflicted"
    )
    assert allocation.assignments[2] == assignments[2], "Other applications must not change"
    assert allocation.shortfalls == {}, "A replacement was found, so nothing is short"


def test_recusal_breaks_load_ties_by_lowest_id():
    """Two idle panellists: the lower id replaces the recused one."""
    allocation = replace_recused(Allocation(assignments={1: frozenset({10})}), application_id=1, panellist_id=10,
                                 panellists=[10, 12, 11], conflicts=set(), per_application=1)
    assert allocation.assignments[1] == frozenset({11}), "At equal load, choose the lowest id"


def test_the_recused_panellist_is_not_chosen_again():
    """Even when the conflict is not yet in ``conflicts``, the recused panellist is not put back."""
    allocation = replace_recused({1: {10}}, application_id=1, panellist_id=10, panellists=[10], conflicts=set(),
                                 per_application=1)
    assert allocation.assignments[1] == frozenset(), "Someone who recused must never be put back on the panel"
    assert allocation.shortfalls == {1: 1}, "With nobody else free, report the application as one short"


def test_recusal_with_nobody_free_reports_a_shortfall():
    """When every other panellist is conflicted or already on the panel, the application is short."""
    allocation = replace_recused({1: {10, 11}, 2: {12}}, application_id=1, panellist_id=11, panellists=[10, 11, 12],
                                 conflicts={(1, 12)}, per_application=2)
    assert allocation.assignments[1] == frozenset({10}), "Keep the panellists who did not recuse"
    assert allocation.shortfalls == {1: 1, 2: 1}, "Report every application below per_application, with how many"


def test_recusal_of_someone_not_on_the_panel_is_refused():
    """Recusing a panellist who is not assigned is a mistake the service should hear about."""
    with pytest.raises(ValueError, match="Panellist 11 is not assigned to application 1"):
        replace_recused({1: {10}}, application_id=1, panellist_id=11, panellists=[10, 11], conflicts=set(),
                        per_application=1)
    with pytest.raises(ValueError, match="Application 2 has no panel"):
        replace_recused({1: {10}}, application_id=2, panellist_id=10, panellists=[10, 11], conflicts=set(),
                        per_application=1)


def test_recusal_after_allocation_keeps_everything_else():
    """Allocate, recuse one panellist, and only that seat changes, to someone free of conflict."""
    pool = list(range(1, 7))
    conflicts = {(4, 6)}
    allocation = allocate(applications=list(range(1, 9)), panellists=pool, per_application=3, conflicts=conflicts)
    recused = min(allocation.assignments[4])
    after = replace_recused(allocation, application_id=4, panellist_id=recused, panellists=pool,
                            conflicts=conflicts | {(4, recused)}, per_application=3)
    for application_id, panel in allocation.assignments.items():
        if application_id != 4:
            assert after.assignments[application_id] == panel, f"Application {application_id} must not change"
    assert recused not in after.assignments[4] and 6 not in after.assignments[4], (
        "The replacement must be neither the recused panellist nor a conflicted one"
    )
    assert len(after.assignments[4]) == 3, "The recused seat must be filled"
    assert allocation.assignments[4] != after.assignments[4], "Allocation is frozen: a new one is returned"
