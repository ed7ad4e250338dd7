"""The harness's servers never pick a port already picked for another of them (harness/servers.py)."""

from harness import servers


def test_ports_keep_clear_of_a_callers_action_block_picked_but_not_bound(monkeypatch, tmp_path):
    # free_port offers the caller's block first, as it may while nothing listens there yet (a CI run
    # once started three replicas on the action servers' ports)
    offered = iter([5000, 5000, 6000, 5001, 5002, 7000, 8000])
    monkeypatch.setattr(servers, "free_port", lambda block=1: next(offered))
    monkeypatch.setattr(servers, "model_path", lambda: "model.tar.gz")
    a = servers.Assistant(tmp_path, actions_port=5000, replicas=3, front=True, action_servers=2)
    replicas = set(range(a.rasa_port, a.rasa_port + 3))
    actions = {5000, 5001, 5002}
    assert replicas.isdisjoint(actions) and a.web_port not in replicas | actions
    assert a.front_port not in replicas | actions | {a.web_port}


def test_a_block_overlapping_the_callers_in_part_is_not_taken(monkeypatch, tmp_path):
    # 4999 is free but its block of three runs into the caller's 5000-5002
    offered = iter([4999, 6000, 7000, 8000])
    monkeypatch.setattr(servers, "free_port", lambda block=1: next(offered))
    monkeypatch.setattr(servers, "model_path", lambda: "model.tar.gz")
    a = servers.Assistant(tmp_path, actions_port=5000, replicas=3, action_servers=2, front=True)
    assert a.rasa_port == 6000


def test_ports_picked_by_the_assistant_and_ports_the_caller_avoids_stay_apart(monkeypatch, tmp_path):
    # the assistant picks its own actions block clear of the web port; a port the caller keeps for a
    # dead endpoint is never used
    offered = iter([9000, 5000, 5000, 6000, 9000, 6000, 7000, 7001, 9000, 8000])
    monkeypatch.setattr(servers, "free_port", lambda block=1: next(offered))
    monkeypatch.setattr(servers, "model_path", lambda: "model.tar.gz")
    a = servers.Assistant(tmp_path, front=True, action_servers=2, avoid=frozenset({9000}))
    picked = [a.rasa_port, a.web_port, a.actions_port, *a.action_ports, a.front_port]
    assert len(set(picked)) == len(picked) and 9000 not in picked and a.ports == set(picked)
    assert set(range(a.actions_port, a.actions_port + 3)).isdisjoint({a.rasa_port, a.web_port, a.front_port, 9000})
